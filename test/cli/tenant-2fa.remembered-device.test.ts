import { statSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/tenant-2fa/exit-codes';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { allowRememberedDevices } from '../helpers/remembered-devices';
import { totpCode } from '../helpers/totp';
import { assertCliBuilt, CliUser } from './cli-process';

/**
 * `enter --remember-device`, `devices list|forget` and a privileged action's refusal: the built CLI against a
 * real gateway. The device secret is kept beside the credentials (0600), never printed, and sent back on the
 * next enter; a privileged action still wants a fresh pass, which `enter --max-age` gives.
 */
describe.each(databaseKinds)('tenant-2fa and remembered devices (%s)', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let member: TestAgent;
  let cli: CliUser;
  let secret = '';

  const code = () => {
    const current = totpCode(secret, t.clock.epochMs);
    t.clock.advance(30_000);
    return current;
  };
  const login = async () => expect((await cli.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    secret = (await enrol(t, tenant.owner, tenant.id)).secret;
    t.clock.advance(30_000);
    await allowRememberedDevices(tenant, 30);
    member = await signUp(t, 'member');
    await addMember(tenant, member);
    await enrol(t, member, tenant.id);
    cli = new CliUser(`${t.url}/graphql`);
    await login();
  });
  afterAll(async () => {
    cli?.remove();
    await t?.close();
  });

  it('enter --remember-device keeps the device secret beside the credentials (0600) and prints it nowhere', async () => {
    const entered = await cli.run(['enter', 'Acme Support', '--code', code(), '--remember-device', '--json']);
    expect(entered.code).toBe(0);
    expect(entered.stderr).toContain('This device is remembered in Acme Support for 30 day(s)');
    const stored = JSON.parse(readFileSync(cli.credentialsPath, 'utf8')) as { devices: Record<string, Record<string, { agentId: string; token: string }>> };
    const device = stored.devices[`${t.url}/graphql`][tenant.id];
    expect(device).toMatchObject({ agentId: tenant.owner.id, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(entered.stdout).not.toContain(device.token);
    expect(JSON.parse(entered.stdout).verifyTwoFactor.rememberedDeviceToken).toBeNull();
    expect(statSync(cli.credentialsPath).mode & 0o777).toBe(0o600);
  });

  it('a new session enters without a challenge, and devices list marks this device', async () => {
    expect((await cli.run(['logout'])).code).toBe(0);
    await login();
    const entered = await cli.run(['enter', 'Acme Support']);
    expect(entered.code).toBe(0);
    expect(entered.stdout).toContain('GRANTED  Acme Support  (remembered device)');
    const listed = await cli.json<{ me: { rememberedDevices: Array<{ current: boolean; userAgent: string }> } }>(['devices', 'list', '--tenant', 'Acme Support']);
    expect(listed.me.rememberedDevices).toEqual([expect.objectContaining({ current: true, userAgent: expect.stringContaining('tenant-2fa') })]);
  });

  it('a privileged action still asks for a fresh pass, which enter --max-age gives; then it is done', async () => {
    const refused = await cli.run(['admin', 'reset', member.email, '--tenant', 'Acme Support', '--yes']);
    expect(refused.code).toBe(ExitCode.SECOND_FACTOR);
    expect(refused.stderr).toContain('TWO_FACTOR_REQUIRED');
    expect(refused.stderr).toContain('tenant-2fa enter "Acme Support" --max-age 900');
    expect((await cli.run(['enter', 'Acme Support', '--max-age', '900', '--code', code()])).code).toBe(0);
    expect((await cli.run(['admin', 'reset', member.email, '--tenant', 'Acme Support', '--yes'])).code).toBe(0);
    expect((await cli.run(['enter', 'Acme Support', '--max-age', 'soon'])).code).toBe(ExitCode.USAGE);
  });

  it('devices forget --all forgets it at the gateway and here: the next session is challenged', async () => {
    const forgotten = await cli.run(['devices', 'forget', '--all', '--tenant', 'Acme Support']);
    expect(forgotten.code).toBe(0);
    expect(forgotten.stdout).toContain('Forgot 1 device(s) in Acme Support.');
    const stored = JSON.parse(readFileSync(cli.credentialsPath, 'utf8')) as { devices: Record<string, Record<string, unknown>> };
    expect(stored.devices[`${t.url}/graphql`][tenant.id]).toBeUndefined();
    expect((await cli.run(['logout'])).code).toBe(0);
    await login();
    const entered = await cli.run(['enter', 'Acme Support']);
    expect(entered.code).toBe(ExitCode.SECOND_FACTOR);
    expect(entered.stderr).toContain('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect((await cli.run(['devices', 'forget', '--tenant', 'Acme Support'])).code).toBe(ExitCode.USAGE);
  });
});

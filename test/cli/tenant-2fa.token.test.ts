import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/tenant-2fa/exit-codes';
import { TOKEN_ENV, verifyWithJwks } from '../helpers/access-tokens';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, PASSWORD, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { assertCliBuilt, CliUser } from './cli-process';

/** `tenant-2fa token`: the built CLI against a real gateway, its tokens verified with the gateway's JWKS. */
describe.each(databaseKinds)('tenant-2fa token (%s)', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let cli: CliUser;
  let secret = '';
  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { ...TOKEN_ENV, LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    secret = (await enrol(t, tenant.owner, tenant.id)).secret;
    cli = new CliUser(`${t.url}/graphql`);
    expect((await cli.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
  });
  afterAll(async () => {
    cli?.remove();
    await t?.close();
  });

  it('exits 4 with what to do while the session has not passed the tenant challenge', async () => {
    const result = await cli.run(['token', '--tenant', 'Acme Support']);
    expect(result.code).toBe(ExitCode.SECOND_FACTOR);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('TWO_FACTOR_REQUIRED');
    expect(result.stderr).toContain('tenant-2fa enter "Acme Support"');
  });

  it('prints the token alone, or with --json its expiry and claims, for a workspace and an audience', async () => {
    expect((await cli.run(['enter', 'Acme Support', '--code', totpCode(secret, t.clock.epochMs)])).code).toBe(0);
    t.clock.advance(30_000);

    const plain = await cli.run(['token', '--tenant', 'Acme Support', '--workspace', 'Billing']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload } = await verifyWithJwks(t, plain.stdout.trim());
    expect(payload).toMatchObject({ tid: tenant.id, wid: tenant.secureWorkspaceId, acr: 'aal2', sub: tenant.owner.id });

    const json = await cli.json<{ token: string; expiresAt: string; claims: Record<string, unknown> }>(['token', '--tenant', tenant.id, '--audience', 'https://billing.test']);
    expect((await verifyWithJwks(t, json.token, 'https://billing.test')).payload).toEqual(json.claims);
    expect(json.claims).not.toHaveProperty('wid');
    expect(Date.parse(json.expiresAt)).toBe((json.claims.exp as number) * 1000);
  });

  it('exits 2 for an audience the gateway does not list', async () => {
    const result = await cli.run(['token', '--tenant', 'Acme Support', '--audience', 'https://elsewhere.test']);
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.stderr).toContain('TOKEN_AUDIENCES');
  });
});

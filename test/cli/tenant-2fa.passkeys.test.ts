import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyFactorsDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, enrol, PASSWORD, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { assertCliBuilt, CliUser } from './cli-process';

interface Factors {
  me: { twoFactor: { totpEnabled: boolean; methods: string[]; passkeys: Array<{ id: string; name: string; backedUp: boolean; lastUsedAt: string | null }> } };
}

/**
 * Your own factors from the CLI: passkeys registered through the API with the tests' software authenticator,
 * then listed, renamed and removed by the built `tenant-2fa`, and the authenticator app removed while a passkey
 * remains. Removing the last factor is refused as LAST_FACTOR. The steps build on each other, in order.
 */
describe.each(databaseKinds)('tenant-2fa passkeys and totp remove (%s)', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let secret = '';
  let cli: CliUser;
  const others: CliUser[] = [];
  const passkeyIds: Record<string, string> = {};

  const factors = async () => (await tenant.owner.client.ok(MyFactorsDocument, { tenantId: tenant.id })).me!.twoFactor;
  const newCli = async () => {
    const user = new CliUser(`${t.url}/graphql`);
    others.push(user);
    expect((await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    return user;
  };

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { ...PASSKEY_ENV, LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    secret = (await enrol(t, tenant.owner, tenant.id)).secret;
    cli = await newCli();
    // Weakening changes need a session that passed the tenant's challenge: this CLI session answers it once.
    expect((await cli.run(['enter', 'Acme Support', '--code', currentCode(t, secret)])).code).toBe(0);
    t.clock.advance(30_000);
  });

  afterAll(async () => {
    for (const user of others) user.remove();
    await t?.close();
  });

  it('totp remove is refused as LAST_FACTOR while the app is the only factor, exit 1, and changes nothing', async () => {
    const result = await cli.run(['totp', 'remove', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('LAST_FACTOR');
    expect(result.stderr).toContain('This is your last second factor; add another or disable two-factor instead');
    expect((await factors()).totpEnabled).toBe(true);
  });

  it('passkeys list shows the passkeys registered in the browser: name, id, created, last used, synced or this device', async () => {
    expect((await cli.run(['passkeys', 'list', '--tenant', 'Acme Support'])).stdout).toContain('You have no passkeys in Acme Support');
    passkeyIds.Laptop = (await addPasskey(tenant.owner, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN, { synced: true }), 'Laptop')).passkey.id;
    passkeyIds.Phone = (await addPasskey(tenant.owner, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Phone')).passkey.id;

    const table = await cli.run(['passkeys', 'list', '--tenant', 'Acme Support']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +ID +CREATED +LAST USED +KIND$/);
    expect(lines.find((line) => line.startsWith('Laptop'))).toMatch(new RegExp(`^Laptop +${passkeyIds.Laptop} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +- +synced$`));
    expect(lines.find((line) => line.startsWith('Phone'))).toMatch(new RegExp(`^Phone +${passkeyIds.Phone} .* +- +this device only$`));

    const data = await cli.json<Factors>(['passkeys', 'list', '--tenant', 'Acme Support']);
    expect(data.me.twoFactor.passkeys.map((p) => [p.name, p.id, p.backedUp]).sort()).toEqual([
      ['Laptop', passkeyIds.Laptop, true],
      ['Phone', passkeyIds.Phone, false],
    ]);
  });

  it('auth status shows the authenticator app and the passkeys; --json prints them', async () => {
    const status = await cli.run(['auth', 'status', '--tenant', 'Acme Support']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Authenticator app: +yes$/m);
    expect(status.stdout).toMatch(/^Passkeys: +2$/m);
    expect(status.stdout).toMatch(/^Laptop +/m);
    const data = await cli.json<Factors>(['auth', 'status', '--tenant', 'Acme Support']);
    expect(data.me.twoFactor.totpEnabled).toBe(true);
    expect(data.me.twoFactor.methods).toEqual(['TOTP', 'PASSKEY', 'RECOVERY_CODE']);
    expect(data.me.twoFactor.passkeys).toHaveLength(2);
  });

  it('passkeys rename needs the challenge passed (exit 4 on a new session), renames, and reports an unknown id', async () => {
    const fresh = await newCli();
    const gated = await fresh.run(['passkeys', 'rename', '--tenant', 'Acme Support', passkeyIds.Laptop, 'Not this']);
    expect(gated.code).toBe(4);
    expect(gated.stderr).toContain('TWO_FACTOR_REQUIRED');
    expect(gated.stderr).toContain('tenant-2fa enter "Acme Support"');

    const renamed = await cli.run(['passkeys', 'rename', '--tenant', 'Acme Support', passkeyIds.Laptop, 'Work laptop']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toBe(`Renamed passkey ${passkeyIds.Laptop} to "Work laptop".\n`);
    expect((await factors()).passkeys.map((p) => p.name).sort()).toEqual(['Phone', 'Work laptop']);

    const unknown = await cli.run(['passkeys', 'rename', '--tenant', 'Acme Support', passkeyIds.Laptop.replace(/.$/, (c) => (c === '0' ? '1' : '0')), 'X']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
    expect(unknown.stderr).toContain('tenant-2fa passkeys list --tenant "Acme Support"');
  });

  it('totp remove is accepted while a passkey exists: the app goes, passkeys and recovery codes stay', async () => {
    const wrong = await cli.run(['totp', 'remove', '--tenant', 'Acme Support', '--password-stdin'], 'not the password');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('INVALID_PASSWORD');
    expect((await factors()).totpEnabled).toBe(true);

    const result = await cli.run(['totp', 'remove', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Your authenticator app is removed in Acme Support');
    expect(result.stdout).toMatch(/^Authenticator app: +no$/m);
    const after = await factors();
    expect(after).toMatchObject({ totpEnabled: false, enabled: true, methods: ['PASSKEY', 'RECOVERY_CODE'] });
    expect(after.passkeys).toHaveLength(2);
  });

  it('passkeys remove takes one away, then refuses the last as LAST_FACTOR with what to do instead', async () => {
    const data = await cli.json<{ removePasskey: { passkeys: Array<{ id: string }> } }>(['passkeys', 'remove', '--tenant', 'Acme Support', passkeyIds.Phone, '--password-stdin'], PASSWORD);
    expect(data.removePasskey.passkeys.map((p) => p.id)).toEqual([passkeyIds.Laptop]);

    const last = await cli.run(['passkeys', 'remove', '--tenant', 'Acme Support', passkeyIds.Laptop, '--password-stdin'], PASSWORD);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('LAST_FACTOR');
    expect(last.stderr).toContain('This is your last second factor; add another or disable two-factor instead');
    expect(last.stderr).toContain('tenant-2fa disable --tenant "Acme Support"');
    expect((await factors()).passkeys.map((p) => p.id)).toEqual([passkeyIds.Laptop]);
  });

  it('passkeys add prints the console page that adds one, exit 0', async () => {
    const result = await cli.run(['passkeys', 'add', '--tenant', 'Acme Support']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Open ${t.url}/my/profile/two-factor`);
    expect(result.stdout).toContain('"Passkeys in Acme Support"');
    expect(await cli.json(['passkeys', 'add', '--tenant', 'Acme Support'])).toEqual({ consoleUrl: `${t.url}/my/profile/two-factor` });
    const notMember = await cli.run(['passkeys', 'add', '--tenant', 'Initech']);
    expect(notMember.code).toBe(1);
  });
});

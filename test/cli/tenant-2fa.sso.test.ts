import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/tenant-2fa/exit-codes';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, PASSWORD, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { assertCliBuilt, CliUser } from './cli-process';

/** `tenant-2fa admin sso show|set|remove`: the built CLI against a real gateway. */
describe.each(databaseKinds)('tenant-2fa admin sso (%s)', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let owner: CliUser;
  let admin: CliUser;
  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { name: 'Acme Support' });
    const adminAgent = await signUp(t, 'admin');
    await addMember(tenant, adminAgent, 'ADMIN');
    owner = new CliUser(`${t.url}/graphql`);
    admin = new CliUser(`${t.url}/graphql`);
    expect((await owner.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    expect((await admin.run(['login', '--email', adminAgent.email, '--password-stdin'], PASSWORD)).code).toBe(0);
  });
  afterAll(async () => {
    owner?.remove();
    admin?.remove();
    await t?.close();
  });

  it('sets the provider with the secret piped in, shows it without the secret, keeps the secret on a change, and removes it', async () => {
    const set = await owner.run(
      ['admin', 'sso', 'set', '--tenant', 'Acme Support', '--issuer', 'https://idp.acme.test/realms/acme', '--client-id', 'tenant-2fa', '--domains', 'acme.test,support.acme.test', '--required', 'on', '--client-secret-stdin'],
      'the client secret\n',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Acme Support signs in through https://idp.acme.test/realms/acme for acme.test, support.acme.test.');
    expect(set.stdout).not.toContain('the client secret');

    const shown = await admin.run(['admin', 'sso', 'show', '--tenant', 'Acme Support']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Client id:\s+tenant-2fa/);
    expect(shown.stdout).toMatch(/Required:\s+on/);
    expect(shown.stdout).toContain('(stored, never shown)');
    const [before] = await t.gateway.db.manager.query('SELECT client_secret_ciphertext FROM identity_providers');

    const changed = await owner.json<{ setTenantIdentityProvider: { identityProvider: { trustProviderMfa: boolean; required: boolean } } }>([
      'admin', 'sso', 'set', '--tenant', 'Acme Support', '--trust-provider-mfa', 'on',
    ]);
    expect(changed.setTenantIdentityProvider.identityProvider).toMatchObject({ trustProviderMfa: true, required: true });
    expect((await t.gateway.db.manager.query('SELECT client_secret_ciphertext FROM identity_providers'))[0]).toEqual(before);

    const refused = await admin.run(['admin', 'sso', 'remove', '--tenant', 'Acme Support', '--yes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('FORBIDDEN');

    const removed = await owner.run(['admin', 'sso', 'remove', '--tenant', 'Acme Support', '--yes']);
    expect(removed.code).toBe(0);
    expect((await owner.run(['admin', 'sso', 'show', '--tenant', 'Acme Support'])).stdout).toContain('has no identity provider');
  });

  it('exits 2 for a first provider without its settings or secret, and for a switch that is not on or off', async () => {
    const missing = await owner.run(['admin', 'sso', 'set', '--tenant', 'Acme Support', '--issuer', 'https://idp.acme.test']);
    expect(missing.code).toBe(ExitCode.USAGE);
    const noSecret = await owner.run(['admin', 'sso', 'set', '--tenant', 'Acme Support', '--issuer', 'https://idp.acme.test', '--client-id', 'c', '--domains', 'acme.test']);
    expect(noSecret.code).toBe(ExitCode.USAGE);
    expect(noSecret.stderr).toContain('--client-secret-stdin');
    const badSwitch = await owner.run(['admin', 'sso', 'set', '--tenant', 'Acme Support', '--required', 'yes']);
    expect(badSwitch.code).toBe(ExitCode.USAGE);
  });

  it('login --sso: an address no identity provider serves exits 1 and keeps nothing; no email and no terminal exits 2', async () => {
    const user = new CliUser(`${t.url}/graphql`);
    try {
      const unserved = await user.run(['login', '--sso', '--email', 'someone@nobody-serves-this.test', '--no-browser']);
      expect(unserved.code, unserved.stderr).toBe(ExitCode.FAILURE);
      expect(unserved.stderr).toContain('No identity provider signs in someone@nobody-serves-this.test here.');
      expect(unserved.stderr).toContain('tenant-2fa login --email someone@nobody-serves-this.test');
      expect(unserved.stderr).not.toContain('shows the code');
      expect((await user.run(['whoami'])).code).toBe(ExitCode.NOT_SIGNED_IN);

      const noEmail = await user.run(['login', '--sso', '--no-browser']);
      expect(noEmail.code).toBe(ExitCode.USAGE);
      expect(noEmail.stderr).toContain('Pass --email EMAIL');
      const withPassword = await user.run(['login', '--sso', '--email', tenant.owner.email, '--password-stdin'], PASSWORD);
      expect(withPassword.code).toBe(ExitCode.USAGE);
    } finally {
      user.remove();
    }
  });
});

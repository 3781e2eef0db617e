import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyTwoFactorDocument } from '../../src/client/generated/graphql';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { totpCode } from '../helpers/totp';
import { assertCliBuilt, CliUser } from './cli-process';
import { hasTmux, tmuxTerminal } from './tmux-terminal';

/**
 * The prompts as a person meets them: the built CLI in a real pseudo-terminal (a tmux pane of a tmux server of
 * this test's own), keys typed into it and the screen read back. The password prompt must show nothing of what
 * is typed; the code prompt takes a code, and asks again after a wrong one.
 */
describe.skipIf(!hasTmux)('tenant-2fa in a terminal (tmux)', () => {
  let t: TestGateway;
  let tenant: TestTenant;
  let secret = '';
  let user: CliUser;

  const { screen, type, pressEnter, open, waitFor, close } = tmuxTerminal('tenant-2fa-test', { width: 160, timeoutMs: 15_000, user: () => user });

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway('sqlite', { ...PASSKEY_ENV, LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    ({ secret } = await enrol(t, tenant.owner, tenant.id));
    user = new CliUser(`${t.url}/graphql`);
  });

  afterAll(async () => {
    close();
    user?.remove();
    await t?.close();
  });

  it('the password prompt shows nothing of what is typed', async () => {
    open('login', ['login', '--email', tenant.owner.email]);
    await waitFor('login', /Password/);
    type('login', PASSWORD);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileTyping = screen('login');
    expect(whileTyping).not.toContain(PASSWORD);
    expect(whileTyping).not.toContain('*'.repeat(PASSWORD.length));
    pressEnter('login');
    const done = await waitFor('login', /EXIT=\d+/);
    expect(done).toContain(`as ${tenant.owner.email}`);
    expect(done).toContain('EXIT=0');
    expect(done).not.toContain(PASSWORD);
  });

  it('the code prompt takes a code, and asks again after a wrong one', async () => {
    open('enter', ['enter', 'Acme Support', '--workspace', 'Billing']);
    await waitFor('enter', /Code from your authenticator app/);
    const valid = new Set([-1, 0, 1].map((offset) => totpCode(secret, t.clock.epochMs, offset)));
    const wrong = ['000000', '111111', '222222'].find((code) => !valid.has(code))!;
    type('enter', wrong);
    pressEnter('enter');
    await waitFor('enter', /did not match: 4 attempt\(s\) left/);
    type('enter', totpCode(secret, t.clock.epochMs));
    pressEnter('enter');
    const done = await waitFor('enter', /EXIT=\d+/);
    expect(done).toContain('GRANTED  Acme Support / Billing');
    expect(done).toContain('EXIT=0');
  });

  it('an admin command that meets the gate runs the same prompt, then the command', async () => {
    t.clock.advance(30_000); // the next code, not a replay of the last one
    expect((await user.run(['logout'])).code).toBe(0);
    expect((await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    open('admin', ['admin', 'agents', '--tenant', 'Acme Support']);
    await waitFor('admin', /Code from your authenticator app/);
    type('admin', totpCode(secret, t.clock.epochMs));
    pressEnter('admin');
    const done = await waitFor('admin', /EXIT=\d+/);
    expect(done).toMatch(new RegExp(`${tenant.owner.email.replace(/[.]/g, '\\.')}\\s+owner\\s+OWNER\\s+ENABLED`));
    expect(done).toContain('EXIT=0');
  });

  it('a change that needs step-up (making recovery codes viewable) runs the same prompt, then the change', async () => {
    t.clock.advance(30_000);
    expect((await user.run(['logout'])).code).toBe(0);
    expect((await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    open('step-up', ['admin', 'set', '--tenant', 'Acme Support', 'recovery-codes', 'viewable']);
    await waitFor('step-up', /Code from your authenticator app/);
    type('step-up', totpCode(secret, t.clock.epochMs));
    pressEnter('step-up');
    const done = await waitFor('step-up', /EXIT=\d+/);
    expect(done).toContain('Recovery codes in Acme Support are viewable again');
    expect(done).toContain('EXIT=0');
  });

  it("removing a passkey asks for the password (hidden), then the gate's code, then removes it", async () => {
    const { passkey } = await addPasskey(tenant.owner, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Laptop');
    t.clock.advance(30_000);
    expect((await user.run(['logout'])).code).toBe(0);
    expect((await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    open('passkey', ['passkeys', 'remove', '--tenant', 'Acme Support', passkey.id]);
    await waitFor('passkey', /Password/);
    type('passkey', PASSWORD);
    pressEnter('passkey');
    await waitFor('passkey', /Code from your authenticator app/);
    type('passkey', totpCode(secret, t.clock.epochMs));
    pressEnter('passkey');
    const done = await waitFor('passkey', /EXIT=\d+/);
    expect(done).toContain(`Removed passkey ${passkey.id} in Acme Support.`);
    expect(done).not.toContain(PASSWORD);
    expect(done).toContain('EXIT=0');
  });

  it("admin reset asks for confirmation (default no), and resets only on yes", async () => {
    const member = await signUp(t, 'reset-me');
    await addMember(tenant, member);
    await enrol(t, member, tenant.id);
    const state = async () => (await member.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me?.twoFactor.state;
    // The owner's session passed the gate in the test before: no code is asked for.
    open('reset-no', ['admin', 'reset', '--tenant', 'Acme Support', member.email]);
    await waitFor('reset-no', new RegExp(`Reset two-factor of ${member.email.replace(/[.]/g, '\\.')} in Acme Support\\?.*\\(y/N\\)`));
    pressEnter('reset-no');
    const kept = await waitFor('reset-no', /EXIT=\d+/);
    expect(kept).toContain('Cancelled: nothing was changed.');
    expect(kept).toContain('EXIT=1');
    expect(await state()).toBe('ENABLED');

    open('reset-yes', ['admin', 'reset', '--tenant', 'Acme Support', member.email]);
    await waitFor('reset-yes', /\(y\/N\)/);
    type('reset-yes', 'y');
    pressEnter('reset-yes');
    const done = await waitFor('reset-yes', /EXIT=\d+/);
    expect(done).toContain(`Two-factor of ${member.email} in Acme Support is reset.`);
    expect(done).toContain('EXIT=0');
    expect(await state()).toBe('NOT_CONFIGURED');
  });

  it('a privileged action on a pass older than 15 minutes asks for the code once, on a fresh challenge, then runs', async () => {
    const member = await signUp(t, 'reset-later');
    await addMember(tenant, member);
    await enrol(t, member, tenant.id);
    t.clock.advance(30_000);
    expect((await user.run(['enter', 'Acme Support', '--code', totpCode(secret, t.clock.epochMs)])).code).toBe(0);
    t.clock.advance(16 * 60_000); // the session still holds Acme, but its pass is older than the privileged max age
    open('privileged', ['admin', 'reset', '--tenant', 'Acme Support', member.email, '--yes']);
    await waitFor('privileged', /answered in the last 900 s/);
    await waitFor('privileged', /Code from your authenticator app/);
    type('privileged', totpCode(secret, t.clock.epochMs));
    pressEnter('privileged');
    const done = await waitFor('privileged', /EXIT=\d+/);
    expect(done).toContain(`Two-factor of ${member.email} in Acme Support is reset.`);
    expect(done.match(/Code from your authenticator app/g)).toHaveLength(1);
    expect(done).toContain('EXIT=0');
  });

  it('a password change on an old pass asks for the code of the tenant the refusal names, once, then changes it', async () => {
    t.clock.advance(16 * 60_000); // every pass of this CLI's session is older than the privileged max age
    open('password', ['password', 'change']);
    await waitFor('password', /Current password/);
    type('password', PASSWORD);
    pressEnter('password');
    await waitFor('password', /New password/);
    type('password', 'a terminal passphrase');
    pressEnter('password');
    await waitFor('password', /new password again/);
    type('password', 'a terminal passphrase');
    pressEnter('password');
    await waitFor('password', /Code from your authenticator app/);
    type('password', totpCode(secret, t.clock.epochMs));
    pressEnter('password');
    const done = await waitFor('password', /EXIT=\d+/);
    expect(done).toContain('answered in the last 900 s');
    expect(done).toContain('Password changed.');
    expect(done).not.toContain('a terminal passphrase');
    expect(done).toContain('EXIT=0');
  });
});

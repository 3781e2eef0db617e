import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproveDeviceSignInDocument, DeviceSignInRequestDocument } from '../../src/client/generated/graphql';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { assertCliBuilt, CliUser } from './cli-process';
import { hasTmux, tmuxTerminal } from './tmux-terminal';

/**
 * An agent whose only second factor is a passkey, at a terminal: the challenge it meets cannot be answered there,
 * so the CLI continues in the browser (device sign-in for that tenant), and once the browser approves, the command
 * goes on with the new session. The "browser" here is the agent's API session that registered the passkey (a pass
 * minutes old); Chromium doing the same is test/e2e/device-sign-in.test.ts. The gateway's test clock moves with
 * real time, so the CLI's 5 s polls count as such.
 */
describe.skipIf(!hasTmux)('tenant-2fa continues in the browser where the terminal cannot answer (tmux)', () => {
  let t: TestGateway;
  let tenant: TestTenant;
  let agent: TestAgent;
  let user: CliUser;
  let ticker: NodeJS.Timeout;

  const { type, pressEnter, open, waitFor, close } = tmuxTerminal('tenant-2fa-device', { width: 200, timeoutMs: 20_000, user: () => user });

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway('sqlite', { ...PASSKEY_ENV, LOG_LEVEL: 'silent' });
    ticker = setInterval(() => t.clock.advance(250), 250);
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    await addPasskey(agent, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Laptop');
    user = new CliUser(`${t.url}/graphql`);
    const login = await user.run(['login', '--email', agent.email, '--password-stdin'], PASSWORD);
    expect(login.code, login.stderr).toBe(0);
  });

  afterAll(async () => {
    clearInterval(ticker);
    close();
    user?.remove();
    await t?.close();
  });

  it('without a terminal, a passkey-only challenge says to sign in through the browser for that tenant', async () => {
    const result = await user.run(['enter', 'Acme Support', '--workspace', 'Billing']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`tenant-2fa login --web --tenant ${tenant.id}`);
  });

  it('at a terminal, it continues in the browser, takes the approved session and enters', async () => {
    const before = await user.json<{ me: { sessions: Array<{ id: string; current: boolean }> } }>(['sessions', 'list']);
    open('enter', ['enter', 'Acme Support', '--workspace', 'Billing']);
    const shown = await waitFor('enter', /shows the code ([A-Z]{4}-[A-Z]{4})/);
    expect(shown).toContain('a passkey, which a terminal cannot answer: continuing in the browser');
    const code = /shows the code ([A-Z]{4}-[A-Z]{4})/.exec(shown)![1];
    const { deviceSignInRequest } = await agent.client.ok(DeviceSignInRequestDocument, { userCode: code });
    expect(deviceSignInRequest!.tenant!.name).toBe('Acme Support');
    await agent.client.ok(ApproveDeviceSignInDocument, { userCode: code });

    const done = await waitFor('enter', /EXIT=\d+/);
    expect(done).toContain('GRANTED  Acme Support / Billing');
    expect(done).toContain('EXIT=0');
    // The stored session is the approved one (named after this host); the password session was signed out.
    const after = await user.json<{ me: { sessions: Array<{ id: string; current: boolean; clientName: string | null }> } }>(['sessions', 'list']);
    const oldId = before.me.sessions.find((session) => session.current)!.id;
    expect(after.me.sessions.map((session) => session.id)).not.toContain(oldId);
    expect(after.me.sessions.find((session) => session.current)!.clientName).toMatch(/^tenant-2fa on /);
    expect((await user.run(['enter', 'Acme Support', '--workspace', 'Billing'])).code).toBe(0);
  });

  it('at the code prompt, b continues in the browser instead of typing a code', async () => {
    const appUser = await signUp(t, 'app-user');
    await addMember(tenant, appUser);
    await enrol(t, appUser, tenant.id);
    const cli = new CliUser(`${t.url}/graphql`);
    try {
      expect((await cli.run(['login', '--email', appUser.email, '--password-stdin'], PASSWORD)).code).toBe(0);
      open('choose', ['enter', 'Acme Support'], cli);
      await waitFor('choose', /or b to continue in the browser/);
      type('choose', 'b');
      pressEnter('choose');
      const [, code] = /shows the code ([A-Z]{4}-[A-Z]{4})/.exec(await waitFor('choose', /shows the code [A-Z]{4}-[A-Z]{4}/))!;
      await appUser.client.ok(ApproveDeviceSignInDocument, { userCode: code });
      const done = await waitFor('choose', /EXIT=\d+/);
      expect(done).toContain('GRANTED  Acme Support');
      expect(done).toContain('EXIT=0');
    } finally {
      cli.remove();
    }
  });
});

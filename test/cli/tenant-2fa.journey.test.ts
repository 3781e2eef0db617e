import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { assertCliBuilt, CliUser } from './cli-process';

const FIREFOX_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/**
 * The CLI's whole journey, as a terminal user and an admin script would run it: the built `tenant-2fa` as a
 * child process against a real gateway, on every database. Codes come from the tests' own RFC 6238 helper at
 * the gateway's test clock. The steps build on each other, in order.
 */
describe.each(databaseKinds)('tenant-2fa journey (%s)', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let owner: TestAgent;
  let cli: CliUser;
  let secret = '';
  let recoveryCodes: string[] = [];
  const members: TestAgent[] = [];

  /** The owner's current code, then one step on so the next code is not a replay. */
  const nextCode = () => {
    const code = totpCode(secret, t.clock.epochMs);
    t.clock.advance(30_000);
    return code;
  };
  const login = () => cli.run(['login', '--email', owner.email, '--password-stdin'], PASSWORD);

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { LOG_LEVEL: 'silent' });
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
    owner = tenant.owner;
    for (let i = 0; i < 4; i++) {
      const member = await signUp(t, `member${i}`);
      await addMember(tenant, member, i === 0 ? 'ADMIN' : 'AGENT');
      members.push(member);
    }
    cli = new CliUser(`${t.url}/graphql`);
  });

  afterAll(async () => {
    cli?.remove();
    await t?.close();
  });

  it('login reads the password from stdin and keeps the token in a 0600 file, keyed by URL', async () => {
    const result = await login();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`as ${owner.email}`);
    expect(statSync(cli.credentialsPath).mode & 0o777).toBe(0o600);
    const { me } = await cli.json<{ me: { id: string; email: string } }>(['whoami']);
    expect(me).toEqual({ id: owner.id, email: owner.email, name: 'owner' });
  });

  it('entering a workspace that requires 2FA before enrolling exits 4 and says to run totp start', async () => {
    const result = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('TWO_FACTOR_SETUP_REQUIRED');
    expect(result.stderr).toContain('tenant-2fa totp start --tenant "Acme Support"');
  });

  it('totp start prints a QR code and the secret grouped for typing; totp confirm prints the recovery codes once', async () => {
    const start = await cli.run(['totp', 'start', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/[▀▄█]/); // the QR code, in Unicode blocks
    expect(start.stdout).not.toMatch(/\x1b\[/); // and no colour codes: stdout is not a terminal here
    const typed = /Or type this secret: ([A-Z2-7 ]+)\n/.exec(start.stdout)?.[1];
    expect(typed).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    secret = typed!.replace(/ /g, '');

    // A wrong code spends an attempt of the setup (5 discard it), not of a challenge: the hint says so.
    const valid = new Set([-1, 0, 1].map((offset) => totpCode(secret, t.clock.epochMs, offset)));
    const wrong = await cli.run(['totp', 'confirm', '--tenant', 'Acme Support', '--code', ['000000', '111111', '222222'].find((code) => !valid.has(code))!]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('INVALID_TWO_FACTOR_CODE');
    expect(wrong.stderr).toContain('4 more wrong code(s) discard this setup');
    expect(wrong.stderr).toContain('tenant-2fa totp confirm --tenant "Acme Support" --code CODE');
    expect(wrong.stderr).not.toContain('challenge');

    const confirm = await cli.run(['totp', 'confirm', '--tenant', 'Acme Support', '--code', nextCode()]);
    expect(confirm.code).toBe(0);
    expect(confirm.stdout).toContain('shown only now');
    recoveryCodes = [...confirm.stdout.matchAll(/^ {2}([A-Z0-9]{4,5}-[A-Z0-9]{4,5})$/gm)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(8);
    const { me } = await owner.client.ok(MyTwoFactorDocument, { tenantId: tenant.id });
    expect(me?.twoFactor.state).toBe('ENABLED');
  });

  it('signs out (the token stops working) and in again', async () => {
    const oldToken = readFileSync(cli.credentialsPath, 'utf8');
    expect((await cli.run(['logout'])).code).toBe(0);
    expect(JSON.parse(readFileSync(cli.credentialsPath, 'utf8')).gateways).toEqual({});
    const whoami = await cli.run(['whoami']);
    expect(whoami.code).toBe(3);
    expect(whoami.stderr).toContain('tenant-2fa login');
    const token = JSON.parse(oldToken).gateways[`${t.url}/graphql`].token as string;
    expect((await t.client.withToken(token).raw({ query: '{ me { id } }' })).data).toEqual({ me: null });

    expect((await login()).code).toBe(0);
  });

  it('enter asks for the challenge: exit 4 without a code (no terminal), GRANTED with --code', async () => {
    const bare = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing']);
    expect(bare.code).toBe(4);
    expect(bare.stderr).toContain('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(bare.stderr).toContain('--code');

    const wrong = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing', '--code', wrongCode()]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('INVALID_TWO_FACTOR_CODE');

    const granted = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing', '--code', nextCode()]);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toBe('GRANTED  Acme Support / Billing\n');
  });

  it('enter with --recovery-code on a new session spends that code', async () => {
    expect((await cli.run(['logout'])).code).toBe(0);
    expect((await login()).code).toBe(0);
    const data = await cli.json<{ useRecoveryCode: { status: string; workspace: { name: string } } }>(['enter', tenant.id, '--workspace', 'Billing', '--recovery-code', recoveryCodes[0]]);
    expect(data.useRecoveryCode.status).toBe('GRANTED');
    expect(data.useRecoveryCode.workspace.name).toBe('Billing');

    const again = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing', '--recovery-code', recoveryCodes[0]]);
    expect(again.code).toBe(0); // this session stands in the tenant already: no challenge, the code is not asked
  });

  it('auth status --json prints exactly the GraphQL data', async () => {
    const data = await cli.json(['auth', 'status', '--tenant', 'Acme Support']);
    expect(data).toEqual({
      me: {
        id: owner.id,
        twoFactor: { state: 'ENABLED', enabled: true, methods: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 7, confirmedAt: expect.any(String), totpEnabled: true, passkeys: [] },
      },
    });
  });

  it('admin agents filters by 2FA and role, and --all streams every page', async () => {
    await enrol(t, members[1], tenant.id);
    const pages = (await cli.run(['admin', 'agents', '--tenant', 'Acme Support', '--first', '2', '--all', '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(pages).toHaveLength(3); // 5 members, 2 a page
    const emails = pages.flatMap((page) => page.tenant.agents.edges.map((edge: { node: { agent: { email: string } } }) => edge.node.agent.email));
    expect(emails).toEqual([owner.email, ...members.map((m) => m.email)]);

    const enabled = await cli.json<{ tenant: { agents: { totalCount: number; edges: Array<{ node: { agent: { email: string } } }> } } }>(['admin', 'agents', '--tenant', 'Acme Support', '--2fa', 'on']);
    expect(enabled.tenant.agents.edges.map((e) => e.node.agent.email)).toEqual([owner.email, members[1].email]);
    const admins = await cli.json<{ tenant: { agents: { edges: Array<{ node: { agent: { email: string } } }> } } }>(['admin', 'agents', '--tenant', 'Acme Support', '--role', 'admin']);
    expect(admins.tenant.agents.edges.map((e) => e.node.agent.email)).toEqual([members[0].email]);

    const table = await cli.run(['admin', 'agents', '--tenant', 'Acme Support', '--role', 'agent', '--2fa', 'off', '--first', '1', '--all']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ROLE\s+2FA/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([members[2].email, members[3].email]);

    type Agents = { tenant: { agents: { totalCount: number; edges: Array<{ node: { agent: { email: string } } }> } } };
    const searched = await cli.json<Agents>(['admin', 'agents', '--tenant', 'Acme Support', '--search', members[2].email.toUpperCase()]);
    expect(searched.tenant.agents.edges.map((e) => e.node.agent.email)).toEqual([members[2].email]);
    const byName = await cli.json<Agents>(['admin', 'agents', '--tenant', 'Acme Support', '--search', 'MEMBER', '--role', 'agent', '--2fa', 'on']);
    expect(byName.tenant.agents.edges.map((e) => e.node.agent.email)).toEqual([members[1].email]);

    const firstPage = await cli.run(['admin', 'agents', '--tenant', 'Acme Support', '--first', '2']);
    expect(firstPage.stderr).toMatch(/More: add --after \S+/);
  });

  it('admin agent finds a member by email or id', async () => {
    const byEmail = await cli.json<{ tenant: { agent: { agent: { id: string }; twoFactor: { state: string } } } }>(['admin', 'agent', '--tenant', 'Acme Support', members[1].email.toUpperCase()]);
    expect(byEmail.tenant.agent.agent.id).toBe(members[1].id);
    expect(byEmail.tenant.agent.twoFactor.state).toBe('ENABLED');
    const byId = await cli.run(['admin', 'agent', '--tenant', 'Acme Support', members[1].id]);
    expect(byId.stdout).toContain(members[1].email);
    const unknown = await cli.run(['admin', 'agent', '--tenant', 'Acme Support', 'nobody@example.test']);
    expect(unknown.code).toBe(1);
    const unknownId = await cli.run(['admin', 'agent', '--tenant', 'Acme Support', '01a22297-29b7-7141-8278-8cdea3c707a2']);
    expect(unknownId.code).toBe(1);
    expect(unknownId.stderr).toContain('No member "01a22297-29b7-7141-8278-8cdea3c707a2"');
  });

  it('admin revoke and reset act on the member, and admin audit shows them, filtered by the gateway', async () => {
    // The member's enrolment session stands in the tenant: revoking takes that standing away.
    const revoked = await cli.json<{ revokeAgentSessions: number }>(['admin', 'revoke', '--tenant', 'Acme Support', members[1].id]);
    expect(revoked.revokeAgentSessions).toBe(1);

    // Reset asks first: without a terminal to ask at, only --yes goes ahead.
    const unconfirmed = await cli.run(['admin', 'reset', '--tenant', 'Acme Support', members[1].email]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await members[1].client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me?.twoFactor.state).toBe('ENABLED');
    const reset = await cli.run(['admin', 'reset', '--tenant', 'Acme Support', members[1].email, '--yes']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`Two-factor of ${members[1].email} in Acme Support is reset.`);
    const { me } = await members[1].client.ok(MyTwoFactorDocument, { tenantId: tenant.id });
    expect(me?.twoFactor.state).toBe('NOT_CONFIGURED');

    type Audit = { tenant: { auditLog: { edges: Array<{ node: { action: string; subject: { email: string } | null } }> } } };
    const audit = await cli.json<Audit>(['admin', 'audit', '--tenant', 'Acme Support', '--action', 'TWO_FACTOR_RESET', '--action', 'sessions_revoked', '--agent', members[1].email]);
    expect(audit.tenant.auditLog.edges.map((e) => e.node.action)).toEqual(['TWO_FACTOR_RESET', 'SESSIONS_REVOKED']);
    expect(audit.tenant.auditLog.edges.every((e) => e.node.subject?.email === members[1].email)).toBe(true);

    const future = await cli.json<Audit>(['admin', 'audit', '--tenant', 'Acme Support', '--since', new Date(Date.now() + 86_400_000).toISOString()]);
    expect(future.tenant.auditLog.edges).toEqual([]);
    const table = await cli.run(['admin', 'audit', '--tenant', 'Acme Support', '--limit', '3']);
    expect(table.stdout.trim().split('\n')).toHaveLength(4); // header and three events

    // --agent by id, the method of a passed challenge, the client address, and --after continuing the filtered list.
    type Passed = { tenant: { auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ cursor: string; node: { action: string; method: string | null; clientIp: string | null; actor: { id: string } | null } }> } } };
    const passed = await cli.json<Passed>(['admin', 'audit', '--tenant', 'Acme Support', '--action', 'challenge_passed', '--agent', owner.id, '--limit', '1']);
    expect(passed.tenant.auditLog.edges).toHaveLength(1);
    expect(passed.tenant.auditLog.edges[0].node).toMatchObject({ action: 'CHALLENGE_PASSED', method: 'RECOVERY_CODE', actor: { id: owner.id }, clientIp: expect.any(String) });
    expect(passed.tenant.auditLog.pageInfo.hasNextPage).toBe(true);
    const older = await cli.json<Passed>(['admin', 'audit', '--tenant', 'Acme Support', '--action', 'CHALLENGE_PASSED', '--agent', owner.email, '--after', passed.tenant.auditLog.pageInfo.endCursor, '--all']);
    expect(older.tenant.auditLog.edges.map((e) => e.node.method)).toEqual(['TOTP']);
    expect(older.tenant.auditLog.pageInfo.hasNextPage).toBe(false);
  });

  it('admin commands meet the gate on a session that has not passed the challenge: exit 4 with what to do', async () => {
    expect((await cli.run(['logout'])).code).toBe(0);
    expect((await login()).code).toBe(0);
    const gated = await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'policy', 'everyone']);
    expect(gated.code).toBe(4);
    // The CLI's own words: nothing of the API's `enterTenant … verifyTwoFactor`, which a terminal user never types.
    expect(gated.stderr).toBe(
      'Error: TWO_FACTOR_REQUIRED: This session has not passed the second factor of Acme Support.\n' +
        'Run `tenant-2fa enter "Acme Support"` (or with --code CODE) first, then this command again.\n',
    );

    expect((await cli.run(['enter', 'Acme Support', '--code', nextCode()])).code).toBe(0);
    const policy = await cli.json<{ setTenantTwoFactorPolicy: { twoFactorPolicy: string } }>(['admin', 'set', '--tenant', 'Acme Support', 'policy', 'everyone']);
    expect(policy.setTenantTwoFactorPolicy.twoFactorPolicy).toBe('REQUIRED_FOR_EVERYONE');
    const refused = await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'tenant-2fa', 'off']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('WORKSPACES_STILL_REQUIRE_TWO_FACTOR');
    expect((await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'workspace-2fa', 'Billing', 'off'])).code).toBe(0);
  });

  it('admin set issuer and recovery-codes; recovery-codes view works only where the tenant makes codes viewable', async () => {
    const notViewable = await cli.run(['recovery-codes', 'view', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(notViewable.code).toBe(1);
    expect(notViewable.stderr).toContain('RECOVERY_CODES_NOT_VIEWABLE');
    expect(notViewable.stderr).toContain('shows recovery codes only once; regenerate them instead');
    expect(notViewable.stderr).toContain('tenant-2fa recovery-codes regenerate --tenant "Acme Support"');

    // Making codes viewable weakens 2FA: a fresh session meets the gate (exit 4 without a terminal), then passes it.
    expect((await cli.run(['logout'])).code).toBe(0);
    expect((await login()).code).toBe(0);
    const gated = await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'recovery-codes', 'viewable', '--replenish']);
    expect(gated.code).toBe(4);
    expect(gated.stderr).toContain('TWO_FACTOR_REQUIRED');
    expect((await cli.run(['enter', 'Acme Support', '--code', nextCode()])).code).toBe(0);
    const viewable = await cli.json<{ setTenantRecoveryCodeVisibility: { recoveryCodeVisibility: string; recoveryCodeReplenish: boolean } }>(['admin', 'set', '--tenant', 'Acme Support', 'recovery-codes', 'viewable', '--replenish']);
    expect(viewable.setTenantRecoveryCodeVisibility).toMatchObject({ recoveryCodeVisibility: 'VIEWABLE', recoveryCodeReplenish: true });
    expect((await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'recovery-codes', 'shown-once', '--replenish'])).code).toBe(2);

    const issuer = await cli.run(['admin', 'set', '--tenant', 'Acme Support', 'issuer', 'Acme Support Desk']);
    expect(issuer.code).toBe(0);
    expect(issuer.stdout).toContain('Authenticator apps show Acme Support Desk for Acme Support.');
    const status = await cli.run(['auth', 'status', '--tenant', 'Acme Support']);
    expect(status.stdout).toMatch(/Recovery codes:\s+viewable again \(`tenant-2fa recovery-codes view`\), a used one is replaced/);
    expect(status.stdout).toMatch(/Issuer:\s+Acme Support Desk/);

    // The codes of the confirmation were issued while codes were shown once: none of them can be shown again.
    const none = await cli.json<{ viewRecoveryCodes: { codes: string[]; status: { recoveryCodesRemaining: number } } }>(['recovery-codes', 'view', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(none.viewRecoveryCodes.codes).toEqual([]);
    expect(none.viewRecoveryCodes.status.recoveryCodesRemaining).toBeGreaterThan(0);
    const regenerated = await cli.run(['recovery-codes', 'regenerate', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(regenerated.stdout).toContain('`tenant-2fa recovery-codes view` shows the unused ones again');
    const fresh = { regenerateRecoveryCodes: { codes: [...regenerated.stdout.matchAll(/^ {2}([A-Z0-9]{4,5}-[A-Z0-9]{4,5})$/gm)].map((m) => m[1]) } };
    expect(fresh.regenerateRecoveryCodes.codes).toHaveLength(8);
    const view = await cli.run(['recovery-codes', 'view', '--tenant', 'Acme Support', '--password-stdin'], PASSWORD);
    expect(view.code).toBe(0);
    const shown = [...view.stdout.matchAll(/^ {2}([A-Z0-9]{4,5}-[A-Z0-9]{4,5})$/gm)].map((m) => m[1]);
    expect([...shown].sort()).toEqual([...fresh.regenerateRecoveryCodes.codes].sort());
    const wrongPassword = await cli.run(['recovery-codes', 'view', '--tenant', 'Acme Support', '--password-stdin'], 'not the password');
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.stderr).toContain('INVALID_PASSWORD');
  });

  it('sessions list marks this one; revoke signs out one by id, or every other one', async () => {
    const other = new CliUser(cli.gatewayUrl);
    try {
      expect((await other.run(['login', '--email', owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
      type Sessions = { me: { sessions: Array<{ id: string; current: boolean; userAgent: string | null; clientIp: string | null; createdAt: string }> } };
      const mine = await cli.json<Sessions>(['sessions', 'list']);
      const theirs = await other.json<Sessions>(['sessions', 'list']);
      expect(mine.me.sessions.filter((s) => s.current)).toHaveLength(1);
      const otherId = theirs.me.sessions.find((s) => s.current)!.id;
      const ownId = mine.me.sessions.find((s) => s.current)!.id;
      expect(mine.me.sessions.map((s) => s.id)).toEqual(expect.arrayContaining([ownId, otherId]));
      expect(mine.me.sessions.length).toBeGreaterThanOrEqual(3); // the fixture's own session too
      expect(mine.me.sessions.find((s) => s.current)).toMatchObject({ userAgent: expect.stringMatching(/^tenant-2fa \(Node\.js v/), clientIp: expect.any(String) });

      // A browser's session: its User-Agent is named by browser and system, so each line fits a terminal.
      await owner.client.raw({ query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', variables: { e: owner.email, p: PASSWORD } }, { 'user-agent': FIREFOX_ON_LINUX });
      const table = await cli.run(['sessions', 'list']);
      expect(table.stdout.split('\n')[0]).toMatch(/ID\s+DEVICE\s+CLIENT IP\s+CREATED\s+LAST USED/);
      expect(table.stdout).toMatch(new RegExp(`^\\*\\s+${ownId}\\s+tenant-2fa CLI\\s`, 'm'));
      expect(table.stdout).toMatch(/\sFirefox on Linux\s/);
      expect(table.stdout).not.toContain('Gecko');
      expect(Math.max(...table.stdout.trimEnd().split('\n').map((line) => line.length))).toBeLessThanOrEqual(120);

      expect((await cli.run(['sessions', 'revoke'])).code).toBe(2);
      expect((await cli.run(['sessions', 'revoke', otherId, '--others'])).code).toBe(2);
      const unknown = await cli.run(['sessions', 'revoke', '01a22297-29b7-7141-8278-8cdea3c707a2']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('tenant-2fa sessions list');

      expect(await cli.json(['sessions', 'revoke', otherId])).toEqual({ signOutSession: true });
      expect((await other.run(['whoami'])).code).toBe(3);

      const others = await cli.json<{ signOutOtherSessions: number }>(['sessions', 'revoke', '--others']);
      expect(others.signOutOtherSessions).toBeGreaterThanOrEqual(1);
      expect((await owner.client.raw({ query: '{ me { id } }' })).data).toEqual({ me: null });
      expect((await cli.json<Sessions>(['sessions', 'list'])).me.sessions.map((s) => s.id)).toEqual([ownId]);

      // Revoking the session this CLI uses forgets its token, as logout does.
      const own = await cli.run(['sessions', 'revoke', ownId]);
      expect(own.code).toBe(0);
      expect(own.stderr).toContain('tenant-2fa login');
      expect(JSON.parse(readFileSync(cli.credentialsPath, 'utf8')).gateways).toEqual({});
    } finally {
      other.remove();
    }
  });

  /** A code that is none of the secret's codes in the accepted window (current step ±1). */
  function wrongCode(): string {
    const valid = new Set([-1, 0, 1].map((offset) => totpCode(secret, t.clock.epochMs, offset)));
    for (let n = 0; ; n++) if (!valid.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
  }
});

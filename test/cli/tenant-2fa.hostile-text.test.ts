// Threat: text another client wrote (a session's user agent, a name) reaching the admin's terminal as written: a
// lone byte 0x9B is a CSI to many terminals (clear the screen, recolour, move the cursor), and bidi overrides
// make a name read as another.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddTenantMemberDocument, CreateTenantDocument, SignUpDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, uniqueEmail } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { assertCliBuilt, CliUser } from './cli-process';

/** What must never reach a terminal from the gateway's data: C0 and C1 controls, DEL, bidi and zero-width format characters. */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

const USER_AGENT = 'Evil\u009B2J\u009B31mBrowser\u009B0m';
const TENANT_NAME = 'Acme \u202Etroppus\u202C Desk';
const AGENT_NAME = 'Mallory\u200F\u2067admin\u2069';

/** A sign-in whose User-Agent carries bytes above 0x7F as they are (one byte each), as any HTTP client can send them. */
function signInWithUserAgent(url: string, email: string): Promise<number> {
  const body = JSON.stringify({ query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', variables: { e: email, p: PASSWORD } });
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(Buffer.from(body)); // a string body would go out in one write with the head, head and all in UTF-8
  });
}

describe.each(databaseKinds)('tenant-2fa prints what other clients wrote, without its controls (%s)', (kind) => {
  let t: TestGateway;
  let tenantId: string;
  let cli: CliUser;

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway(kind, { LOG_LEVEL: 'silent' });
    // An owner whose tenant has a name with a bidi override, a member whose name hides an isolate, and a
    // session of the owner's whose user agent carries C1 controls.
    const ownerEmail = uniqueEmail('owner');
    const { signUp: owner } = await t.client.ok(SignUpDocument, { email: ownerEmail, password: PASSWORD, name: 'Owner' });
    const ownerClient = t.client.withToken(owner.token);
    tenantId = (await ownerClient.ok(CreateTenantDocument, { name: TENANT_NAME })).createTenant.id;
    const memberEmail = uniqueEmail('mallory');
    await t.client.ok(SignUpDocument, { email: memberEmail, password: PASSWORD, name: AGENT_NAME });
    await ownerClient.ok(AddTenantMemberDocument, { tenantId, email: memberEmail, role: 'AGENT' });
    expect(await signInWithUserAgent(t.url, ownerEmail)).toBe(200);
    cli = new CliUser(`${t.url}/graphql`);
    expect((await cli.run(['login', '--email', ownerEmail, '--password-stdin'], PASSWORD)).code).toBe(0);
  });

  afterAll(async () => {
    cli?.remove();
    await t?.close();
  });

  it.each([
    ['sessions list', ['sessions', 'list'], 'Evil2J31mBrowser0m'],
    ['tenants', ['tenants'], 'Acme troppus Desk'],
    ['admin agents', () => ['admin', 'agents', '--tenant', tenantId], 'Malloryadmin'],
  ] as Array<[string, string[] | (() => string[]), string]>)('%s shows the text without its control and format characters', async (_label, args, visible) => {
    const result = await cli.run(typeof args === 'function' ? args() : args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(visible);
    expect(result.stdout + result.stderr).not.toMatch(UNSAFE);
  });

  it('writes them as \\u escapes in --json, so scripts get the exact text and terminals nothing hostile', async () => {
    const sessions = await cli.run(['sessions', 'list', '--json']);
    expect(sessions.stdout).not.toMatch(UNSAFE);
    expect(sessions.stdout).toContain('\\u009b');
    const parsed = JSON.parse(sessions.stdout) as { me: { sessions: Array<{ userAgent: string | null }> } };
    expect(parsed.me.sessions.map((s) => s.userAgent), sessions.stdout).toContain(USER_AGENT);

    const tenants = await cli.run(['tenants', '--json']);
    expect(tenants.stdout).not.toMatch(UNSAFE);
    expect((JSON.parse(tenants.stdout) as { tenants: Array<{ name: string }> }).tenants.map((x) => x.name)).toContain(TENANT_NAME);
  });

  it('keeps hostile text out of error messages too', async () => {
    const result = await cli.run(['enter', TENANT_NAME, '--workspace', `no such\u009B2J place`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no such2J place');
    expect(result.stderr).not.toMatch(UNSAFE);
  });
});

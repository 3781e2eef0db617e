import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyAccountDocument, SignInDocument, SignUpDocument, SignUpModeDocument, TenantsDocument } from '../../src/client/generated/graphql';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { PASSWORD } from '../helpers/fixtures';
import { openGateway, productionEnv } from '../hardening/harness';
import type { TestGateway } from '../helpers/gateway';

const SCRIPT = path.resolve(__dirname, '../../dist/src/cli/create-owner.js');

/**
 * The first run in production: an empty database, sign-up by invitation only (production's default), and
 * `npm run create-owner` (its built script, as `create-owner:prod` runs it) making the first OWNER and tenant
 * against the database directly, with the password on standard input.
 */
describe.each(databaseKinds)('npm run create-owner on %s', (kind) => {
  let database: ScratchDatabase;
  let t: TestGateway | undefined;
  const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...productionEnv(database, { SIGN_UP: '' }) });

  function createOwner(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [SCRIPT, ...args], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  beforeAll(async () => {
    database = await scratchDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('makes a verified owner and its tenant on an empty database, who then signs in where sign-up is by invitation only', async () => {
    const result = await createOwner(['--email', 'First@Example.com', '--tenant', 'First Tenant', '--name', 'Fiona First'], `${PASSWORD}\n`);
    expect(result.stderr).not.toMatch(/error|exists/i); // configuration warnings only (e.g. METRICS_TOKEN)
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Created first@example\.com, OWNER of the tenant "First Tenant" \(id [0-9a-f-]{36}\)\.\nSign in with that address and password at https:\/\/gateway\.test\/\.\n$/);
    expect(result.stdout).not.toContain(PASSWORD);

    t = await openGateway(kind, database, { env: { SIGN_UP: '' } });
    expect((await t.client.ok(SignUpModeDocument)).signUpMode).toBe('INVITATION_ONLY');
    expect((await t.client.fails(SignUpDocument, { email: 'someone@example.com', password: PASSWORD, name: 'S' })).code).toBe('SIGN_UP_CLOSED');
    const { signIn } = await t.client.ok(SignInDocument, { email: 'first@example.com', password: PASSWORD });
    const owner = t.client.withToken(signIn.token);
    expect((await owner.ok(MyAccountDocument)).me).toMatchObject({ name: 'Fiona First', emailVerified: true });
    expect((await owner.ok(TenantsDocument)).tenants.map((tenant) => [tenant.name, tenant.viewerRole])).toEqual([['First Tenant', 'OWNER']]);
    const counts: Array<{ role: string; members: unknown }> = await t.gateway.db.manager.query('SELECT role, members FROM tenant_member_counts ORDER BY role');
    expect(counts.map((row) => [row.role, Number(row.members)])).toEqual([['ADMIN', 0], ['AGENT', 0], ['OWNER', 1]]);
  });

  it('refuses a taken address (exit 1) and bad input (exit 2), writing nothing', async () => {
    const taken = await createOwner(['--email', 'first@example.com', '--tenant', 'Second'], PASSWORD);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('An account with this address exists already');
    const short = await createOwner(['--email', 'second@example.com', '--tenant', 'Second'], 'short');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('password must be 8 to 256 characters');
    expect((await createOwner(['--email', 'not-an-email', '--tenant', 'Second'], PASSWORD)).code).toBe(2);
    expect((await createOwner(['--tenant', 'Second'], PASSWORD)).code).toBe(2);
    expect((await createOwner(['--email', 'second@example.com', '--tenant', 'Second'], '')).code).toBe(2);
    const tenants: Array<{ name: string }> = await t!.gateway.db.manager.query('SELECT name FROM tenants');
    expect(tenants.map((tenant) => tenant.name)).toEqual(['First Tenant']);
  });
});

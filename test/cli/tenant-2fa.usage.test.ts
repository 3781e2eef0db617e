import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/tenant-2fa/program';
import { createTenant, PASSWORD, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { assertCliBuilt, CliUser } from './cli-process';

/** Anything that looks like a stack trace or a source path. */
const STACK_TRACE = /\bat .+:\d+:\d+|node_modules|\/src\/|\.ts:\d+/;

/**
 * What the CLI promises scripts and newcomers beyond the journey: --help everywhere, its exit codes, the
 * credentials file, the request id under --verbose, and never a stack trace. The built CLI against a real
 * gateway on SQLite.
 */
describe('tenant-2fa: help, exit codes and credentials', () => {
  let t: TestGateway;
  let tenant: TestTenant;
  let graphqlUrl: string;
  const users: CliUser[] = [];

  const newUser = (url = graphqlUrl) => {
    const user = new CliUser(url);
    users.push(user);
    return user;
  };
  const signedInUser = async () => {
    const user = newUser();
    const login = await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD);
    expect(login.code).toBe(0);
    return user;
  };

  beforeAll(async () => {
    assertCliBuilt();
    t = await startTestGateway('sqlite', { LOG_LEVEL: 'silent' });
    graphqlUrl = `${t.url}/graphql`;
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
  });

  afterAll(async () => {
    for (const user of users) user.remove();
    await t?.close();
  });

  it('every command answers --help with its options and one example, exit 0', async () => {
    const paths: string[][] = [];
    const walk = (command: Command, prefix: string[]) => {
      for (const sub of command.commands) {
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram(), []);
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['login', 'logout', 'whoami', 'tenants', 'enter', 'token', 'auth status', 'totp start', 'totp confirm', 'totp remove', 'passkeys list', 'passkeys add', 'passkeys rename', 'passkeys remove', 'recovery-codes regenerate', 'recovery-codes view', 'disable', 'sessions list', 'sessions revoke', 'devices list', 'devices forget', 'admin agents', 'admin agent', 'admin reset', 'admin revoke', 'admin audit', 'admin set', 'admin sso show', 'admin sso set', 'admin sso remove',
        'signup', 'password change', 'password reset-request', 'invite', 'invitations list', 'invitations accept', 'invitations revoke', 'tenants create', 'tenants leave']),
    );
    const user = newUser();
    for (const commandPath of [[], ...paths]) {
      const help = await user.run([...commandPath, '--help']);
      expect(help.code, commandPath.join(' ')).toBe(0);
      expect(help.stdout, commandPath.join(' ')).toContain(`Usage: tenant-2fa ${commandPath.join(' ')}`.trimEnd());
      expect(help.stdout, commandPath.join(' ')).toMatch(/Example:\n {2}\$ .*tenant-2fa /);
      if (commandPath.length && !['auth', 'totp', 'passkeys', 'recovery-codes', 'sessions', 'devices', 'admin', 'admin sso', 'password', 'invitations'].includes(commandPath.join(' '))) {
        expect(help.stdout, commandPath.join(' ')).toContain('--json');
      }
    }
    expect((await user.run(['admin', 'audit', '--help'])).stdout).toContain('narrow it at the gateway');
    expect((await user.run(['admin', 'set', '--help'])).stdout).toContain('recovery-codes shown-once|viewable [--replenish]');
  });

  it('loads no prompt library, QR code library or GraphQL module for --help, and no prompt or QR code library for a command given its answers', async () => {
    // Start-up time is mostly the packages loaded (README.md, "Command line", has the measurements): --help needs commander only.
    const HEAVY = ['@inquirer/prompts', '@inquirer/core', 'qrcode'];
    const help = await newUser().loadedPackages(['--help']);
    expect(help.code).toBe(0);
    expect(help.packages).toContain('commander');
    for (const heavy of [...HEAVY, 'graphql']) expect(help.packages, heavy).not.toContain(heavy);
    const tenants = await (await signedInUser()).loadedPackages(['tenants']);
    expect(tenants.code).toBe(0);
    expect(tenants.stdout).toContain('Acme Support');
    for (const heavy of HEAVY) expect(tenants.packages, heavy).not.toContain(heavy);
  });

  it('usage errors exit 2 and point at --help', async () => {
    const user = newUser();
    const cases = [
      ['frobnicate'],
      ['tenants', '--frobnicate'],
      ['auth', 'status'], // --tenant is required
      ['enter', 'Acme Support', '--code', '123456', '--recovery-code', 'ABCD-EFGH'],
      ['admin', 'set', '--tenant', 'Acme Support', 'tenant-2fa', 'maybe'],
      ['admin', 'set', '--tenant', 'Acme Support', 'policy', 'sometimes'],
      ['admin', 'agents', '--tenant', 'Acme Support', '--first', '0'],
      ['admin', 'agents', '--tenant', 'Acme Support', '--2fa', 'yes'],
      ['admin', 'agents', '--tenant', 'Acme Support', '--role', 'boss'],
      ['admin', 'audit', '--tenant', 'Acme Support', '--since', 'yesterday'],
      ['admin', 'audit', '--tenant', 'Acme Support', '--limit', '500'],
      ['admin', 'set', '--tenant', 'Acme Support', 'recovery-codes', 'sometimes'],
      ['admin', 'set', '--tenant', 'Acme Support', 'issuer'],
      ['admin', 'set', '--tenant', 'Acme Support', 'policy', 'optional', '--replenish'],
      ['sessions', 'revoke'],
      ['devices', 'forget', '--tenant', 'Acme Support'], // an id or --all
      ['devices', 'list'], // --tenant is required
      ['enter', 'Acme Support', '--max-age', 'soon'],
      ['passkeys', 'rename', '--tenant', 'Acme Support', 'only-an-id'],
      ['passkeys', 'remove', '--tenant', 'Acme Support'], // the id is required
      ['recovery-codes', 'view'], // --tenant is required
      ['token', '--workspace', 'Billing'], // --tenant is required
      ['admin'],
    ];
    for (const args of cases) {
      const result = await user.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).not.toMatch(STACK_TRACE);
    }
    expect((await user.run(['frobnicate'])).stderr).toContain('--help');
  });

  it('the password comes from stdin only with --password-stdin, and never from a missing terminal', async () => {
    const user = newUser();
    const noTerminal = await user.run(['login', '--email', tenant.owner.email], PASSWORD);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--password-stdin');
    const empty = await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], '');
    expect(empty.code).toBe(2);
    expect((await user.run(['whoami'])).code).toBe(3);
  });

  it('exit 3 when not signed in, for a wrong password, an expired session or a token the gateway no longer knows', async () => {
    const user = newUser();
    const notSignedIn = await user.run(['tenants']);
    expect(notSignedIn.code).toBe(3);
    expect(notSignedIn.stderr).toContain('Run `tenant-2fa login`');

    const wrong = await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], 'not the password');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('INVALID_CREDENTIALS');

    const signedIn = await signedInUser();
    const file = JSON.parse(readFileSync(signedIn.credentialsPath, 'utf8'));
    file.gateways[graphqlUrl].token = 'not-a-token-the-gateway-issued';
    writeFileSync(signedIn.credentialsPath, JSON.stringify(file));
    const unknownToken = await signedIn.run(['tenants']);
    expect(unknownToken.code).toBe(3);
    expect(unknownToken.stderr).toContain('tenant-2fa login');

    file.gateways[graphqlUrl].expiresAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(signedIn.credentialsPath, JSON.stringify(file));
    const expired = await signedIn.run(['whoami']);
    expect(expired.code).toBe(3);
    expect(expired.stderr).toContain('expired');
  });

  it('exit 5 when no gateway answers at the URL, or the URL is not its GraphQL address', async () => {
    const closed = await newUser('http://127.0.0.1:9/graphql').run(['login', '--email', 'a@example.test', '--password-stdin'], 'x');
    expect(closed.code).toBe(5);
    expect(closed.stderr).toContain('No gateway answers at http://127.0.0.1:9/graphql');
    expect(closed.stderr).toContain('--url');
    const wrongPath = await newUser(`${t.url}/nothing-here`).run(['login', '--email', 'a@example.test', '--password-stdin'], 'x');
    expect(wrongPath.code).toBe(5);
    expect(wrongPath.stderr).toContain('No GraphQL endpoint');

    // A command that needs a session, at a mistyped --url (no session is stored for it): unreachable, not "not signed in".
    const signedIn = await signedInUser();
    for (const url of ['http://127.0.0.1:9/graphql', `${t.url}/nothing-here`]) {
      const mistyped = await signedIn.run(['tenants', '--url', url]);
      expect(mistyped.code, url).toBe(5);
      expect(mistyped.stderr, url).not.toContain('Not signed in');
    }
  });

  it('logout forgets the token even when the gateway cannot be reached, says so, and exits 5', async () => {
    const user = newUser('http://127.0.0.1:9/graphql');
    mkdirSync(path.dirname(user.credentialsPath), { recursive: true });
    const session = { token: 'some-token', agentId: 'a', email: 'a@example.test', expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    writeFileSync(user.credentialsPath, JSON.stringify({ version: 1, gateways: { 'http://127.0.0.1:9/graphql': session } }));
    const result = await user.run(['logout']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('stays valid there until it expires');
    expect(JSON.parse(readFileSync(user.credentialsPath, 'utf8')).gateways).toEqual({});
  });

  it('exit 1 for a tenant you are not in, with the command that lists yours; --json prints nothing then', async () => {
    const user = await signedInUser();
    const result = await user.run(['auth', 'status', '--tenant', 'Initech', '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('tenant-2fa tenants');
  });

  it('keeps one session per URL in a 0600 file inside a 0700 folder; logout forgets only its own', async () => {
    const user = await signedInUser();
    const otherUrl = graphqlUrl.replace('127.0.0.1', 'localhost');
    expect((await user.run(['login', '--url', otherUrl, '--email', tenant.owner.email, '--password-stdin'], PASSWORD)).code).toBe(0);
    expect(statSync(user.credentialsPath).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(user.credentialsPath)).mode & 0o777).toBe(0o700);
    expect(Object.keys(JSON.parse(readFileSync(user.credentialsPath, 'utf8')).gateways).sort()).toEqual([graphqlUrl, otherUrl].sort());

    expect((await user.run(['logout', '--url', otherUrl])).code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(user.credentialsPath, 'utf8')).gateways)).toEqual([graphqlUrl]);
    expect((await user.run(['whoami'])).code).toBe(0);
    expect((await user.run(['whoami', '--url', otherUrl])).code).toBe(3);
  });

  it('a damaged credentials file is reported, not overwritten, and no stack trace is printed', async () => {
    const user = newUser();
    mkdirSync(path.dirname(user.credentialsPath), { recursive: true });
    writeFileSync(user.credentialsPath, '{ not json');
    const result = await user.run(['login', '--email', tenant.owner.email, '--password-stdin'], PASSWORD);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a credentials file');
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(user.credentialsPath, 'utf8')).toBe('{ not json');
  });

  it("--verbose shows each request's id, as the gateway's response header gives it", async () => {
    const user = await signedInUser();
    const result = await user.run(['tenants', '--verbose']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/CliTenants: HTTP 200, request id [0-9a-f-]{36}/);
    const quiet = await user.run(['tenants']);
    expect(quiet.stderr).not.toContain('request id');
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { totpCode } from '../../test/helpers/totp';
import type { BenchRequest } from './load';
import { Child, freePort, startProcess } from './proc';

/*
 * better-auth (twoFactor plugin, TOTP) as a peer: the server in bench/peers/better-auth/server.mjs, on SQLite
 * through better-sqlite3 or (`databaseUrl`) on MariaDB through mysql2, users signed up and enrolled over its HTTP
 * API, then its verify-totp for signed-in users under the same load generator as the gateway.
 */

const API = '/api/auth';
const PASSWORD = 'bench peer password 0123456789';

export interface PeerUser {
  email: string;
  /** The session cookie (`name=value`) of the signed-in user. */
  cookie: string;
  /** The TOTP secret, base32, from the otpauth URI the enrolment returned. */
  secret: string;
  /** The time step whose code confirmed the enrolment. */
  confirmedStep: number;
}

export interface Peer {
  child: Child;
  url: string;
  users: PeerUser[];
  /** One more user, kept out of the load, for the replay probe. */
  probeUser: PeerUser;
  version: string;
  /** Sign-up + enrolment of all users, ms. */
  setupMs: number;
}

/** `databaseUrl`: a MariaDB database (existing, empty) for it; without one, a SQLite file in `dataDir`. */
export async function startBetterAuth(root: string, dataDir: string, env: NodeJS.ProcessEnv, users: number, databaseUrl?: string): Promise<Peer> {
  const port = await freePort();
  const child = await startProcess({
    args: [path.join(root, 'bench/peers/better-auth/server.mjs')],
    env: {
      ...env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: dataDir,
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      ...(databaseUrl ? { PEER_DATABASE_URL: databaseUrl } : {}),
    },
    cwd: root,
    port,
    readyPath: '/healthz',
    logFile: path.join(dataDir, 'better-auth.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  try {
    const enrolled: PeerUser[] = [];
    // One after another: each sign-up spends a password hash, and the order keeps the log readable.
    for (let i = 0; i <= users; i++) enrolled.push(await enrol(url, `peer-${i}@bench.test`));
    const probeUser = enrolled.pop()!;
    const version = (JSON.parse(readFileSync(path.join(root, 'node_modules/better-auth/package.json'), 'utf8')) as { version: string }).version;
    return { child, url, users: enrolled, probeUser, version, setupMs: performance.now() - startedAt };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

interface Answer {
  status: number;
  body: string;
  setCookie: string | null;
}

async function post(url: string, route: string, body: unknown, cookie?: string): Promise<Answer> {
  const response = await fetch(`${url}${API}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const sessionCookie = response.headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token=') && !/Max-Age=0/i.test(c));
  return { status: response.status, body: await response.text(), setCookie: sessionCookie ? sessionCookie.split(';')[0] : null };
}

/** Sign-up, TOTP enrolment (enable, then confirm with a first code): a signed-in user with TOTP on. */
async function enrol(url: string, email: string): Promise<PeerUser> {
  const signUp = await post(url, '/sign-up/email', { email, password: PASSWORD, name: email });
  if (signUp.status !== 200 || !signUp.setCookie) throw new Error(`better-auth sign-up: ${signUp.status} ${signUp.body.slice(0, 300)}`);
  const enable = await post(url, '/two-factor/enable', { password: PASSWORD }, signUp.setCookie);
  const totpURI = enable.status === 200 ? (JSON.parse(enable.body) as { totpURI?: string }).totpURI : undefined;
  const secret = totpURI ? new URL(totpURI).searchParams.get('secret') : null;
  if (!secret) throw new Error(`better-auth two-factor/enable: ${enable.status} ${enable.body.slice(0, 300)}`);
  // The first code confirms the enrolment; better-auth then replaces the session (a new cookie).
  const confirmedStep = Math.floor(Date.now() / 30_000);
  const confirm = await post(url, '/two-factor/verify-totp', { code: totpCode(secret, confirmedStep * 30_000) }, signUp.setCookie);
  if (confirm.status !== 200 || !confirm.setCookie) throw new Error(`better-auth enrolment confirmation: ${confirm.status} ${confirm.body.slice(0, 300)}`);
  return { email, cookie: confirm.setCookie, secret, confirmedStep };
}

/** verify-totp of the signed-in users, round robin, each with the code of now computed here (RFC 6238). */
export function peerVerifyRequests(peer: Peer): () => BenchRequest {
  let i = 0;
  return () => {
    const user = peer.users[i++ % peer.users.length];
    return {
      path: `${API}/two-factor/verify-totp`,
      body: JSON.stringify({ code: totpCode(user.secret, Date.now()) }),
      headers: { cookie: user.cookie, origin: peer.url },
    };
  };
}

/** better-auth's answer to a valid code for a signed-in user: 200 with the session's token and the user. */
export const peerVerified = (status: number, body: string) => status === 200 && body.startsWith('{"token":"') && body.includes('"twoFactorEnabled":true');

export interface ReplayResult {
  code: string;
  first: { status: number; body: string };
  second: { status: number; body: string };
  /** Whether the second, identical answer was refused. */
  refusedSecond: boolean;
}

/**
 * One valid code sent twice by the same signed-in user (kept out of the load), a code not used before: the
 * step of now, or the next one (accepted too, ±1 step) while now is still the step that confirmed the enrolment.
 */
export async function peerReplayProbe(peer: Peer): Promise<ReplayResult> {
  const user = peer.probeUser;
  const now = Math.floor(Date.now() / 30_000);
  const code = totpCode(user.secret, (now === user.confirmedStep ? now + 1 : now) * 30_000);
  const first = await post(peer.url, '/two-factor/verify-totp', { code }, user.cookie);
  const second = await post(peer.url, '/two-factor/verify-totp', { code }, user.cookie);
  const short = (a: Answer) => ({ status: a.status, body: a.body.slice(0, 200) });
  return { code, first: short(first), second: short(second), refusedSecond: !peerVerified(second.status, second.body) };
}

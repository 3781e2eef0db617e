import 'reflect-metadata';
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { BenchRequest, LoadSpec, measure, Pairing, RepResult, runOnce, ScenarioResult, summarize, Timing } from './lib/load';
import { Child, cpuMicros, freePort, machineCpuMicros, rssMiB, sleep, startProcess } from './lib/proc';
import { formatProfile, summarizeProfile } from './lib/profile';
import { Peer, peerReplayProbe, peerVerified, peerVerifyRequests, ReplayResult, startBetterAuth } from './lib/peer';
import { adminListRequest, adminPageRequest, adminSearchRequest, expect, gateRequests, signInRequests, ValidCodeDispenser, verifyRequest, WrongCodeDispenser } from './lib/scenarios';
import { BENCH_PASSWORD, Fixture, seedTenant, SeedPlan } from './lib/seed';
import { CountingGateway, startCountingGateway, StatementCount } from './lib/statements';
import { downstreamRequests, mintRequests, mintTokens, minted, notesServed } from './lib/tokens';
import { totpCode } from '../test/helpers/totp';

/*
 * npm run bench: the gateway (dist/src/main.js, a child process in production mode) under autocannon, each
 * scenario measured as a ratio against baselines measured in the same run. See bench/README.md.
 *
 *   npm run bench                                   SQLite (embedded)
 *   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test npm run bench   SQLite, then MariaDB (scratch database)
 *   npm run bench -- --profile                      CPU profiles of the gateway (verify, gate, admin page) instead
 *   BENCH_WARMUP_S / BENCH_DURATION_S / BENCH_REPS  timing (default 2 / 4 / 3); BENCH_PAIR_S baseline probes (1.5)
 *   BENCH_SCALE=1 (or --scale)                      also a 100,000-member tenant per database (about 2 minutes more each)
 *   BENCH_PEER=0 (or --no-peer)                     leave out the better-auth peer
 *   npm run bench -- --tokens                       only the access-token lines (baseline-apollo, a small tenant, about 2 minutes a database)
 */

const ROOT = path.resolve(__dirname, '../..');
const BENCH_DIR = path.join(ROOT, 'bench');
const GATEWAY_MAIN = path.join(ROOT, 'dist/src/main.js');
const GATE_FLOOR_MAIN = path.join(ROOT, 'dist/bench/baselines/gate-floor.js');
const args = new Set(process.argv.slice(2));
const PROFILE = args.has('--profile');
const ONLY = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const SCALE = args.has('--scale') || process.env.BENCH_SCALE === '1';
const PEER = !args.has('--no-peer') && process.env.BENCH_PEER !== '0';
const TOKENS_ONLY = args.has('--tokens');
const PROFILE_SCENARIOS = [...args].find((a) => a.startsWith('--scenarios='))?.slice('--scenarios='.length).split(',');

const timing: Timing = {
  warmupS: numberEnv('BENCH_WARMUP_S', 2),
  durationS: numberEnv('BENCH_DURATION_S', 4),
  reps: numberEnv('BENCH_REPS', 3),
};
const CONNECTIONS = { default: 32, adminPage: 8, signIn: 4 };
/**
 * The machine's speed drifts (other virtual machines on the host): a baseline measured once at the start can be
 * 20–30 % off by the time a scenario runs. So each repetition of the goal scenarios (verify-valid and gate
 * against baseline-apollo, sign-in against argon2-raw) is preceded by a fresh PAIR_S-second measurement of its
 * baseline, and the ratio reported is the median of the per-repetition ratios.
 */
const PAIR_S = numberEnv('BENCH_PAIR_S', 1.5);

/**
 * The seeded tenant: 10,000 members, 7,000 of them enrolled; 6,739 of those answer challenges: 3 valid answers
 * each at most (≈ 20,000, see ValidCodeDispenser) and 2 × 4 wrong ones (≈ 54,000), enough for warm-up + 3 × 4 s
 * at ~1,100 valid answers/s. Past that a repetition is cut where its pool ran dry, and says so.
 */
const PLAN: SeedPlan = {
  agents: 10_000,
  validChallengesPerAgent: 3,
  wrongChallengesPerAgent: 2,
  gateSessions: 256,
  signInAgents: 8,
  cursorDepth: 0.8,
};

/**
 * BENCH_SCALE: a second tenant in the same database, 100,000 members, 7 in 10 enrolled; each enrolled member
 * (but the 4 probe agents) holds one open challenge, ≈ 70,000 more on top of the first tenant's ≈ 33,700.
 */
const SCALE_PLAN: SeedPlan = {
  agents: 100_000,
  validChallengesPerAgent: 1,
  wrongChallengesPerAgent: 0,
  gateSessions: 0,
  signInAgents: 0,
  cursorDepth: 0.8,
  label: 'scale',
};
/**
 * Each valid answer spends a time step of its agent (replay protection): 3 per agent per run at most. Once
 * answers passed 2,000/s, the seeded tenant's 6,739 answering agents ran dry within a repetition, so a second
 * tenant of agents that only answer fills the pool (≈ 31,000 more), and the listed tenant stays at 10,000 members.
 */
const ANSWER_PLAN: SeedPlan = {
  agents: 15_000,
  validChallengesPerAgent: 3,
  wrongChallengesPerAgent: 0,
  gateSessions: 0,
  signInAgents: 0,
  cursorDepth: 0.8,
  label: 'answers',
};
/** --tokens: a tenant just large enough for 256 sessions that stand in it (the gate sessions mint the tokens). */
const TOKENS_PLAN: SeedPlan = {
  agents: 2_000,
  validChallengesPerAgent: 0,
  wrongChallengesPerAgent: 0,
  gateSessions: 256,
  signInAgents: 0,
  cursorDepth: 0.8,
};
/** The admin listing shapes measured on the 100,000-member tenant. */
const SCALE_ADMIN_SHAPES = [
  { name: 'first', deep: false, filtered: false },
  { name: 'first-filtered', deep: false, filtered: true },
  { name: 'deep', deep: true, filtered: false },
  { name: 'deep-filtered', deep: true, filtered: true },
] as const;
/** better-auth users under load (each signed in, TOTP enrolled), one per connection. */
const PEER_USERS = 32;

const ENCRYPTION_KEYS = `bench1:${randomBytes(32).toString('base64')}`;
/** The bench plays one trusted reverse proxy carrying many clients (X-Forwarded-For), and lifts the per-IP
 * limits far above what a run can spend, so their bookkeeping is measured but never refuses a request. */
const GATEWAY_SETTINGS = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://gateway.bench',
  ENCRYPTION_KEYS,
  SEED_DEMO: 'false',
  TRUSTED_PROXY_HOPS: '1',
  RATE_LIMIT_SIGN_IN_PER_MINUTE: '1000000',
  RATE_LIMIT_ANSWERS_PER_MINUTE: '1000000',
  // Production refuses to start without a mail server unless told so; no measured request sends mail.
  MAIL_DELIVERY: 'off',
};

type DbKind = 'sqlite' | 'mariadb';
interface Scratch {
  kind: DbKind;
  label: string;
  dataDir: string;
  url?: string;
  /** The database server's process, when it runs on this machine and /proc shows it. */
  dbPid?: number;
  /** MariaDB: the statements of the latest deadlock InnoDB detected (SHOW ENGINE INNODB STATUS), if any. */
  latestDeadlock?(): Promise<string | null>;
  drop(): Promise<void>;
}

const cleanups = new Set<() => Promise<void>>();
/** Log files of the gateway children: their tails are printed if the run fails (before the scratch goes). */
const childLogs = new Set<string>();
const T0 = performance.now();
const log = (line: string) => console.log(line);
/** Seconds since the bench started, for the section headers. */
const at = () => `[${((performance.now() - T0) / 1000).toFixed(0)} s]`;

function numberEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), LANG: process.env.LANG ?? 'C.UTF-8' };
}

async function scratchDatabase(kind: DbKind): Promise<Scratch> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `gateway-bench-${kind}-`));
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { kind, label: 'SQLite (embedded, better-sqlite3, WAL)', dataDir, drop: removeDir };

  const server = new URL(process.env.BENCH_MYSQL_URL!);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(server.hostname)) throw new Error('BENCH_MYSQL_URL must point at this machine (127.0.0.1)');
  const name = `${server.pathname.slice(1) || 'test'}_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: server.toString() });
  const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
  const [[{ pidFile }]] = (await admin.query('SELECT @@pid_file AS pidFile')) as unknown as [[{ pidFile: string }]];
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  let dbPid: number | undefined;
  try {
    dbPid = Number(readFileSync(pidFile, 'utf8').trim());
    cpuMicros(dbPid);
  } catch {
    dbPid = undefined;
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  const drop = async () => {
    const conn = await createConnection({ uri: server.toString() });
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.end();
    await removeDir();
  };
  const latestDeadlock = async () => {
    const conn = await createConnection({ uri: server.toString() });
    try {
      const [[row]] = (await conn.query('SHOW ENGINE INNODB STATUS')) as unknown as [[{ Status: string }]];
      const section = /LATEST DETECTED DEADLOCK\n-+\n([\s\S]*?)\n-+\nTRANSACTIONS/.exec(row.Status)?.[1];
      // The server is shared: report the deadlock only when it happened in this run's scratch database.
      return section && section.includes(name) ? section.slice(0, 6000) : null;
    } finally {
      await conn.end();
    }
  };
  return { kind, label: `MariaDB ${version} (scratch database ${name})`, dataDir, url: url.toString(), dbPid, latestDeadlock, drop };
}

function gatewayEnv(scratch: Scratch, port: number): NodeJS.ProcessEnv {
  return { ...baseEnv(), ...GATEWAY_SETTINGS, PORT: String(port), DATA_DIR: scratch.dataDir, ...(scratch.url ? { DATABASE_URL: scratch.url } : {}) };
}

async function startGateway(scratch: Scratch, nodeArgs: string[] = [], logName = 'gateway', main = GATEWAY_MAIN): Promise<Child> {
  const port = await freePort();
  const child = await startProcess({
    args: [...nodeArgs, main],
    env: gatewayEnv(scratch, port),
    cwd: ROOT,
    port,
    readyPath: '/healthz',
    logFile: path.join(scratch.dataDir, `${logName}.log`),
  });
  cleanups.add(child.stop);
  childLogs.add(child.logFile);
  return child;
}

/**
 * baseline-gate-floor (baselines/gate-floor.ts) on the same database and gate sessions as `gate`, paired with
 * baseline-apollo like it: what the gate's own reads, decision and log line cost on this stack with nothing else.
 */
async function measureGateFloor(scratch: Scratch, gate: () => BenchRequest, pairing: Pairing): Promise<ScenarioResult> {
  const child = await startGateway(scratch, [], 'gate-floor', GATE_FLOOR_MAIN);
  try {
    const spec: LoadSpec = { name: 'gate-floor', url: `http://127.0.0.1:${child.port}`, connections: CONNECTIONS.default, next: gate, check: expect.granted, serverPid: child.pid, dbPid: scratch.dbPid };
    await runOnce(spec, timing.warmupS);
    return await measure(spec, timing, log, pairing);
  } finally {
    await stopChild(child);
  }
}

async function stopChild(child: Child): Promise<void> {
  await child.stop();
  cleanups.delete(child.stop);
}

/** Warnings and errors the gateway logged (pino JSON lines), grouped: a fault under load shows up here. */
function loggedProblems(logFile: string): Array<{ count: number; level: number; msg: string; err?: unknown }> {
  const groups = new Map<string, { count: number; level: number; msg: string; err?: unknown }>();
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) {
      if (/error/i.test(line)) groups.set(line.slice(0, 200), { count: (groups.get(line.slice(0, 200))?.count ?? 0) + 1, level: 50, msg: line.slice(0, 200) });
      continue;
    }
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
      if ((entry.level ?? 0) < 40) continue;
      const key = `${entry.level} ${entry.msg} ${JSON.stringify(entry.err ?? '')}`;
      const group = groups.get(key) ?? { count: 0, level: entry.level ?? 0, msg: entry.msg ?? '', ...(entry.err ? { err: entry.err } : {}) };
      group.count++;
      groups.set(key, group);
    } catch {
      // not JSON
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 10);
}

async function seed(scratch: Scratch, plan = PLAN): Promise<Fixture> {
  const config = loadConfig({ ...GATEWAY_SETTINGS, DATA_DIR: scratch.dataDir, ...(scratch.url ? { DATABASE_URL: scratch.url } : {}) });
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    return await seedTenant(db, config.encryptionKeys, plan);
  } finally {
    await db.close();
  }
}

/** The bench's tenant, with the answering tenant's agents added to its pool of valid answers. */
async function seedBench(scratch: Scratch): Promise<Fixture> {
  const fixture = await seed(scratch);
  const answers = await seed(scratch, ANSWER_PLAN);
  const rows = { ...fixture.rows };
  for (const [table, count] of Object.entries(answers.rows)) rows[table] = (rows[table] ?? 0) + count;
  return { ...fixture, validPool: [...fixture.validPool, ...answers.validPool], rows, seedMs: fixture.seedMs + answers.seedMs };
}

/** Rows of a table in the scratch database. */
async function countRows(scratch: Scratch, table: string): Promise<number> {
  const config = loadConfig({ ...GATEWAY_SETTINGS, DATA_DIR: scratch.dataDir, ...(scratch.url ? { DATABASE_URL: scratch.url } : {}) });
  const db = await openDatabase(config.database);
  try {
    const [{ n }] = (await db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number | string }>;
    return Number(n);
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------- baselines

async function startBaseline(name: 'http-server' | 'apollo-server'): Promise<Child> {
  const port = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-baseline-'));
  cleanups.add(async () => rmSync(logDir, { recursive: true, force: true }));
  const child = await startProcess({
    args: [path.join(__dirname, 'baselines', `${name}.js`)],
    env: { ...baseEnv(), NODE_ENV: 'production', PORT: String(port) },
    cwd: ROOT,
    port,
    readyPath: '/healthz',
    logFile: path.join(logDir, `${name}.log`),
  });
  cleanups.add(child.stop);
  return child;
}

interface Baseline {
  result: ScenarioResult;
  /** The baseline server's process, when it is one. */
  pid?: number;
  /** A short fresh measurement of the same baseline, taken right before a paired scenario repetition. */
  probe(): Promise<RepResult>;
  stop(): Promise<void>;
}

/** Measures a baseline server; with `keep`, leaves it running (idle) for the paired probes. */
async function measureBaseline(name: 'baseline-http' | 'baseline-apollo', keep = false): Promise<Baseline> {
  const child = await startBaseline(name === 'baseline-http' ? 'http-server' : 'apollo-server');
  const request: BenchRequest = { body: JSON.stringify({ query: '{ hello }' }), headers: { 'x-forwarded-for': '10.0.0.1' } };
  const spec: LoadSpec = {
    name,
    url: `http://127.0.0.1:${child.port}`,
    connections: CONNECTIONS.default,
    next: () => request,
    check: (status, body) => status === 200 && body.includes('"hello":"world"'),
    serverPid: child.pid,
  };
  try {
    const result = await measure(spec, timing, log);
    if (!keep) await stopChild(child);
    return { result, pid: child.pid, probe: () => runOnce(spec, PAIR_S), stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** Raw argon2id verifies (the gateway's OWASP parameters) in this process, `concurrency` at a time, for `seconds`. */
async function argon2Once(hashed: string, concurrency: number, seconds: number): Promise<RepResult> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpuMicros();
  const startedAt = performance.now();
  const endAt = startedAt + seconds * 1000;
  let ok = 0;
  let bad = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) {
        const t = performance.now();
        if (await argon2Verify(hashed, BENCH_PASSWORD)) ok++;
        else bad++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const durationS = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineCpuMicros();
  const foreign = machineAfter.busy - machineBefore.busy - (cpu.user + cpu.system);
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: ok / durationS,
    ok,
    bad,
    durationS,
    p50Ms: quantile(0.5),
    p90Ms: quantile(0.9),
    p99Ms: quantile(0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, ok + bad),
    dbCpuUsPerReq: null,
    foreignCpuPct: Math.max(0, (100 * foreign) / Math.max(1, machineAfter.total - machineBefore.total)),
    errors: 0,
    timeouts: 0,
    exhausted: false,
  };
}

async function measureArgon2(concurrency: number): Promise<Baseline> {
  const hashed = await argon2Hash(BENCH_PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const warmup = await argon2Once(hashed, concurrency, timing.warmupS);
  const reps: RepResult[] = [];
  for (let i = 0; i < timing.reps; i++) reps.push(await argon2Once(hashed, concurrency, timing.durationS));
  const result = summarize('argon2-raw', concurrency, warmup, reps, '@node-rs/argon2 verify in the bench process, m=19456 t=2 p=1');
  log(
    `  ${'argon2-raw'.padEnd(16)} ${result.median.rps.toFixed(0).padStart(7)} verifies/s  p50 ${result.median.p50Ms.toFixed(1)} ms  p99 ${result.median.p99Ms.toFixed(1)} ms  ` +
      `cpu ${result.median.cpuUsPerReq?.toFixed(0)} µs/verify  other load ${result.median.foreignCpuPct.toFixed(0)}%`,
  );
  return { result, probe: () => argon2Once(hashed, concurrency, PAIR_S), stop: async () => undefined };
}

// ---------------------------------------------------------------------------------------------- the peer

interface PeerInfo {
  name: string;
  version: string;
  /** Where it keeps its data. */
  database: string;
  users: number;
  setupMs: number;
  readyMs: number;
  replay: ReplayResult;
  idleRssAfterLoadMiB?: number;
}

interface PeerHandle {
  info: PeerInfo;
  pid: number;
  /** better-auth-verify under load, paired with baseline-apollo like verify-valid. */
  measure(pairing: Pairing): Promise<ScenarioResult>;
  stop(): Promise<void>;
}

/**
 * better-auth on a database of the same kind as the gateway's under test (its own SQLite file, or its own scratch
 * database on the same MariaDB server), users signed up and enrolled, its replay probe done; it then stays up,
 * idle, and its verify-totp is measured right before the gateway's verify-valid on that database (same load
 * generator, connections and timing), so that the two measurements are adjacent.
 */
async function startPeer(kind: DbKind): Promise<PeerHandle> {
  const scratch = await scratchDatabase(kind);
  cleanups.add(scratch.drop);
  const peer: Peer = await startBetterAuth(ROOT, scratch.dataDir, baseEnv(), PEER_USERS, scratch.url);
  cleanups.add(peer.child.stop);
  log(`  better-auth ${peer.version} on ${kind} (pid ${peer.child.pid}) ready in ${peer.child.readyMs.toFixed(0)} ms; ${PEER_USERS + 1} users signed up and enrolled in ${(peer.setupMs / 1000).toFixed(1)} s`);
  const replay = await peerReplayProbe(peer);
  log(`  better-auth replay probe: first ${replay.first.status}, the same code again ${replay.second.status} (${replay.refusedSecond ? 'refused' : 'ACCEPTED twice'})`);
  const spec: LoadSpec = {
    name: 'better-auth-verify',
    url: peer.url,
    connections: CONNECTIONS.default,
    next: peerVerifyRequests(peer),
    check: peerVerified,
    serverPid: peer.child.pid,
    dbPid: scratch.dbPid,
  };
  const database = kind === 'sqlite' ? 'its own SQLite file through better-sqlite3 in WAL mode' : `its own database on the same MariaDB server through mysql2 (Kysely's MysqlDialect, a pool of 20)`;
  const info: PeerInfo = { name: 'better-auth', version: peer.version, database, users: PEER_USERS, setupMs: peer.setupMs, readyMs: peer.child.readyMs, replay };
  return {
    info,
    pid: peer.child.pid,
    measure: (pairing) => measure(spec, timing, log, pairing),
    stop: async () => {
      await peer.child.stop();
      cleanups.delete(peer.child.stop);
      await scratch.drop();
      cleanups.delete(scratch.drop);
    },
  };
}

/**
 * The gateway's side of the replay probe: one valid code (the step of now) sent twice by the same agent, to
 * two of its open challenges. The first must pass; the second must be refused (the step is spent).
 */
async function replayProbe(url: string, agent: Fixture['validPool'][number]): Promise<ReplayResult> {
  const code = totpCode(agent.secret, Date.now());
  const send = async (session: { token: string; challengeId: string }) => {
    const request = verifyRequest(session.token, session.challengeId, code, '10.99.0.1');
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...request.headers }, body: request.body });
    return { status: response.status, body: (await response.text()).slice(0, 300) };
  };
  const first = await send(agent.sessions[0]);
  const second = await send(agent.sessions[1]);
  if (!expect.granted(first.status, first.body)) throw new Error(`replay probe: the first answer was not granted: ${first.status} ${first.body}`);
  return { code, first, second, refusedSecond: !expect.granted(second.status, second.body) };
}

// ---------------------------------------------------------------------------------------------- start-up

/** Child pids of a process (all its threads' children). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function findGatewayNode(pid: number): number | undefined {
  for (const child of childrenOf(pid)) {
    const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8');
    if (cmdline.includes('dist/src/main.js') && !cmdline.includes(' -c ') && /(^|\/)node\0/.test(cmdline)) return child;
    const deeper = findGatewayNode(child);
    if (deeper) return deeper;
  }
  return undefined;
}

interface StartupResult {
  /** `npm start --ignore-scripts` (npm start after the build) on an empty data directory: migrations + demo seed. */
  npmStartFreshMs: number;
  /** The same again on the now existing database. */
  npmStartAgainMs: number;
  /** RSS of the gateway's node process started by npm start, idle for 1 s after ready. */
  npmStartIdleRssMiB: number | null;
}

async function measureStartup(): Promise<StartupResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-start-'));
  const once = async (name: string) => {
    const port = await freePort();
    const child = await startProcess({
      command: 'npm',
      args: ['start', '--ignore-scripts', '--silent'],
      env: { ...baseEnv(), DATA_DIR: dataDir, PORT: String(port) },
      cwd: ROOT,
      port,
      readyPath: '/healthz',
      logFile: path.join(dataDir, `${name}.log`),
      group: true,
    });
    cleanups.add(child.stop);
    await sleep(1000);
    const node = findGatewayNode(child.pid);
    const rss = node ? rssMiB(node) : null;
    await stopChild(child);
    return { readyMs: child.readyMs, rss };
  };
  try {
    const fresh = await once('fresh');
    const again = await once('again');
    return { npmStartFreshMs: fresh.readyMs, npmStartAgainMs: again.readyMs, npmStartIdleRssMiB: again.rss ?? fresh.rss };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- one database

interface DatabaseResult {
  label: string;
  seed: { ms: number; rows: Record<string, number> };
  gateway: { readyMs: number; idleRssAfterStartMiB: number; idleRssAfterLoadMiB: number };
  scenarios: Record<string, ScenarioResult>;
  statements: Record<string, StatementCount>;
  gatewayLogProblems: ReturnType<typeof loggedProblems>;
  latestDeadlock: string | null;
  pools: Record<string, unknown>;
  /** One valid code sent twice (two challenges of one agent). */
  replay: ReplayResult;
  /** Rows in the challenges table while verify-valid ran. */
  challengesInTable: number;
  /** better-auth's verify-totp, measured right before verify-valid. */
  peer?: ScenarioResult;
  scale?: ScaleResult;
}

interface ScaleResult {
  seed: {
    ms: number;
    rows: Record<string, number>;
    /** The bench process (which builds the rows): RSS before, highest seen while seeding (sampled every 50 ms), after. */
    benchRssBeforeMiB: number;
    benchRssPeakMiB: number;
    benchRssAfterMiB: number;
    benchHeapPeakMiB: number;
  };
  challengesBefore: number;
  challengesAfter: number;
  gateway: { readyMs: number; rssAfterStartMiB: number; rssAfterVerifyMiB: number; rssAfterAdminMiB: number };
  scenarios: Record<string, ScenarioResult>;
  statements: Record<string, StatementCount>;
  gatewayLogProblems: ReturnType<typeof loggedProblems>;
}

async function benchDatabase(kind: DbKind, pairings: { apollo: Pairing; argon2: Pairing }, peer: PeerHandle | null): Promise<DatabaseResult> {
  const scratch = await scratchDatabase(kind);
  cleanups.add(scratch.drop);
  try {
    log(`\n== ${scratch.label} ${at()}`);
    const fixture = await seedBench(scratch);
    log(`  seeded ${JSON.stringify(fixture.rows)} in ${(fixture.seedMs / 1000).toFixed(1)} s`);

    const child = await startGateway(scratch);
    log(`  gateway (pid ${child.pid}) ready in ${child.readyMs.toFixed(0)} ms`);
    await sleep(1000);
    const idleRssAfterStartMiB = rssMiB(child.pid);
    const url = `http://127.0.0.1:${child.port}`;
    const common = { url, serverPid: child.pid, dbPid: scratch.dbPid };

    // The replay probe takes the first pool agent; the load uses the others.
    const replay = await replayProbe(url, fixture.validPool[0]);
    log(`  replay probe: a valid code granted, the same code on the agent's next challenge ${replay.refusedSecond ? `refused (${/"code":"([A-Z_]+)"/.exec(replay.second.body)?.[1] ?? replay.second.status})` : 'ACCEPTED'}`);
    const challengesInTable = await countRows(scratch, 'challenges');
    const valid = new ValidCodeDispenser(fixture.validPool.slice(1));
    const wrong = new WrongCodeDispenser(fixture.wrongPool.slice(1), 4);
    const gate = gateRequests(fixture);
    const adminPage = adminPageRequest(fixture, 100);
    const adminSearch = adminSearchRequest(fixture);
    const signIn = signInRequests(fixture, BENCH_PASSWORD);

    const specs: LoadSpec[] = [
      { ...common, name: 'verify-valid', connections: CONNECTIONS.default, next: () => valid.request(), check: expect.granted },
      { ...common, name: 'verify-wrong', connections: CONNECTIONS.default, next: () => wrong.request(), check: expect.invalidCode },
      { ...common, name: 'gate', connections: CONNECTIONS.default, next: gate, check: expect.granted },
      { ...common, name: 'admin-page', connections: CONNECTIONS.adminPage, next: () => adminPage, check: expect.adminPage },
      { ...common, name: 'admin-search', connections: CONNECTIONS.adminPage, next: () => adminSearch, check: expect.adminPage },
      { ...common, name: 'sign-in', connections: CONNECTIONS.signIn, next: signIn, check: expect.signedIn },
    ];
    const scenarios: Record<string, ScenarioResult> = {};
    // A fresh process: warm its JIT and the database's caches on read-only requests before the first scenario.
    await runOnce(specs.find((spec) => spec.name === 'gate')!, timing.warmupS);
    const pairedWith: Record<string, Pairing> = { 'verify-valid': pairings.apollo, gate: pairings.apollo, 'sign-in': pairings.argon2 };
    const peerScenario = peer ? await peer.measure(pairings.apollo) : undefined;
    for (const spec of specs) scenarios[spec.name] = await measure(spec, timing, log, pairedWith[spec.name]);
    scenarios['gate-floor'] = await measureGateFloor(scratch, gate, pairings.apollo);
    Object.assign(scenarios, await benchTokens(url, fixture, child.pid, scratch.dbPid, pairings.apollo));

    await sleep(1000);
    const idleRssAfterLoadMiB = rssMiB(child.pid);
    await stopChild(child);
    const problems = loggedProblems(child.logFile);
    for (const p of problems) log(`  gateway logged ${p.count} × level ${p.level} "${p.msg}" ${p.err ? JSON.stringify(p.err) : ''}`);
    const latestDeadlock = (await scratch.latestDeadlock?.()) ?? null;
    if (latestDeadlock) {
      const statements = latestDeadlock.split('\n').filter((l) => /^(UPDATE|INSERT|SELECT|DELETE)\b|WAITING FOR|HOLDS THE LOCK|lock_mode|RECORD LOCKS/.test(l.trim()));
      log(`  InnoDB latest deadlock:\n    ${statements.slice(0, 16).join('\n    ')}`);
    }

    const statements = await countStatements(scratch, fixture);
    const scale = SCALE ? await benchScale(scratch, pairings.apollo) : undefined;
    return {
      label: scratch.label,
      seed: { ms: fixture.seedMs, rows: fixture.rows },
      gateway: { readyMs: child.readyMs, idleRssAfterStartMiB, idleRssAfterLoadMiB },
      scenarios,
      statements,
      gatewayLogProblems: problems,
      latestDeadlock,
      pools: {
        validCodesHandedOut: valid.handedOut,
        validChallengesLeft: valid.remainingChallenges,
        wrongCodesHandedOut: wrong.handedOut,
        wrongCapacity: fixture.wrongPool.reduce((n, a) => n + a.sessions.length * 4, 0),
        deepCursorAtMember: fixture.deepCursorIndex,
      },
      replay,
      challengesInTable,
      ...(peerScenario ? { peer: peerScenario } : {}),
      ...(scale ? { scale } : {}),
    };
  } finally {
    await scratch.drop();
    cleanups.delete(scratch.drop);
  }
}

/**
 * BENCH_SCALE: a second tenant of 100,000 members seeded into the same database (time and memory of the seed
 * reported), a fresh gateway child, verify-valid with ≈ 100,000 challenges in the table, then the admin listing
 * at that size (first and deep page, with and without the filter, and the search), and the statements per page.
 */
async function benchScale(scratch: Scratch, pairing: Pairing): Promise<ScaleResult> {
  log(`  -- scale: a tenant of ${SCALE_PLAN.agents.toLocaleString('en')} members ${at()}`);
  const challengesBefore = await countRows(scratch, 'challenges');
  const mib = (bytes: number) => bytes / 2 ** 20;
  const benchRssBeforeMiB = mib(process.memoryUsage().rss);
  let benchRssPeakMiB = benchRssBeforeMiB;
  let benchHeapPeakMiB = mib(process.memoryUsage().heapUsed);
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    benchRssPeakMiB = Math.max(benchRssPeakMiB, mib(m.rss));
    benchHeapPeakMiB = Math.max(benchHeapPeakMiB, mib(m.heapUsed));
  }, 50);
  let fixture: Fixture;
  try {
    fixture = await seed(scratch, SCALE_PLAN);
  } finally {
    clearInterval(sampler);
  }
  const benchRssAfterMiB = mib(process.memoryUsage().rss);
  benchRssPeakMiB = Math.max(benchRssPeakMiB, benchRssAfterMiB);
  const challengesAfter = await countRows(scratch, 'challenges');
  log(
    `  seeded ${JSON.stringify(fixture.rows)} in ${(fixture.seedMs / 1000).toFixed(1)} s; bench process RSS ${benchRssBeforeMiB.toFixed(0)} → peak ${benchRssPeakMiB.toFixed(0)} → ${benchRssAfterMiB.toFixed(0)} MiB ` +
      `(heap peak ${benchHeapPeakMiB.toFixed(0)} MiB); challenges in the table ${challengesBefore} → ${challengesAfter}`,
  );

  const child = await startGateway(scratch, [], 'gateway-scale');
  await sleep(1000);
  const rssAfterStartMiB = rssMiB(child.pid);
  const common = { url: `http://127.0.0.1:${child.port}`, serverPid: child.pid, dbPid: scratch.dbPid };
  const scenarios: Record<string, ScenarioResult> = {};
  // Verify first: the seeded challenges expire 5 minutes after the seed.
  const valid = new ValidCodeDispenser(fixture.validPool);
  scenarios['verify-valid 100k'] = await measure({ ...common, name: 'verify-valid 100k', connections: CONNECTIONS.default, next: () => valid.request(), check: expect.granted }, timing, log, pairing);
  const rssAfterVerifyMiB = rssMiB(child.pid);
  const adminRequests = [
    ...SCALE_ADMIN_SHAPES.map((shape) => ({ name: `admin 100k ${shape.name}`, request: adminListRequest(fixture, shape) })),
    { name: 'admin 100k search', request: adminSearchRequest(fixture) },
  ];
  for (const { name, request } of adminRequests) {
    scenarios[name] = await measure({ ...common, name, connections: CONNECTIONS.adminPage, next: () => request, check: expect.adminPage }, timing, log);
  }
  await sleep(1000);
  const rssAfterAdminMiB = rssMiB(child.pid);
  await stopChild(child);
  const problems = loggedProblems(child.logFile);
  for (const p of problems) log(`  gateway logged ${p.count} × level ${p.level} "${p.msg}" ${p.err ? JSON.stringify(p.err) : ''}`);
  log(`  gateway RSS ${rssAfterStartMiB.toFixed(0)} MiB after start, ${rssAfterVerifyMiB.toFixed(0)} after verify, ${rssAfterAdminMiB.toFixed(0)} after the admin pages`);

  const env = { ...GATEWAY_SETTINGS, DATA_DIR: scratch.dataDir, ...(scratch.url ? { DATABASE_URL: scratch.url } : {}) };
  const gateway = await startCountingGateway(env as Record<string, string>);
  const statements: Record<string, StatementCount> = {};
  try {
    for (const { name, request } of adminRequests) {
      await gateway.count(request, expect.adminPage); // the first call of a shape is kept out, as above
      statements[name] = await gateway.count(request, expect.adminPage);
    }
    statements['verify-valid 100k'] = await gateway.count(await usedOnceBefore(gateway, new ValidCodeDispenser(fixture.probePool.slice(0, 1), false).request()!), expect.granted);
  } finally {
    await gateway.close();
  }
  log(`  SQL statements per request: ${Object.entries(statements).map(([name, c]) => `${name}=${c.statements}${c.ok ? '' : ' UNEXPECTED ANSWER'}`).join('  ')}`);
  return {
    seed: { ms: fixture.seedMs, rows: fixture.rows, benchRssBeforeMiB, benchRssPeakMiB, benchRssAfterMiB, benchHeapPeakMiB },
    challengesBefore,
    challengesAfter,
    gateway: { readyMs: child.readyMs, rssAfterStartMiB, rssAfterVerifyMiB, rssAfterAdminMiB },
    scenarios,
    statements,
    gatewayLogProblems: problems,
  };
}

// ---------------------------------------------------------------------------------------------- access tokens

async function startDownstream(mode: 'plain' | 'verify' | 'verify-each', gatewayUrl: string, fixture: Fixture): Promise<Child> {
  const port = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-downstream-'));
  cleanups.add(async () => rmSync(logDir, { recursive: true, force: true }));
  const child = await startProcess({
    args: [path.join(__dirname, 'baselines', 'downstream-service.js')],
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      DOWNSTREAM_MODE: mode,
      GATEWAY_URL: gatewayUrl,
      ISSUER: GATEWAY_SETTINGS.PUBLIC_URL,
      AUDIENCE: GATEWAY_SETTINGS.PUBLIC_URL, // TOKEN_AUDIENCES unset: the default audience is PUBLIC_URL
      WORKSPACE_ID: fixture.secureWorkspaceId,
    },
    cwd: ROOT,
    port,
    readyPath: '/healthz',
    logFile: path.join(logDir, `downstream-${mode}.log`),
  });
  cleanups.add(child.stop);
  return child;
}

/**
 * The access-token scenarios: mintAccessToken through the gateway (paired with baseline-apollo, like gate), then
 * the downstream service of docs/integrating.md answering GETs with the gate sessions' tokens, verifying them as
 * documented and, for comparison, checking the signature on every request; both paired with the same service
 * answering without any verification (downstream-plain).
 */
async function benchTokens(url: string, fixture: Fixture, gatewayPid: number, dbPid: number | undefined, apollo: Pairing): Promise<Record<string, ScenarioResult>> {
  const scenarios: Record<string, ScenarioResult> = {};
  const mint: LoadSpec = { name: 'token-mint', url, connections: CONNECTIONS.default, next: mintRequests(fixture), check: minted, serverPid: gatewayPid, dbPid };
  scenarios['token-mint'] = await measure(mint, timing, log, apollo);
  const tokens = await mintTokens(url, fixture); // 5 minutes of life: longer than the three measurements below
  const modes = ['plain', 'verify', 'verify-each'] as const;
  const services = await Promise.all(modes.map((mode) => startDownstream(mode, url, fixture)));
  try {
    const specs = services.map(
      (service, i): LoadSpec => ({
        name: `downstream-${modes[i]}`,
        url: `http://127.0.0.1:${service.port}`,
        connections: CONNECTIONS.default,
        next: downstreamRequests(fixture.secureWorkspaceId, tokens),
        check: notesServed,
        serverPid: service.pid,
      }),
    );
    const plain: Pairing = { name: 'downstream-plain', probe: () => runOnce(specs[0], PAIR_S) };
    scenarios['downstream-plain'] = await measure(specs[0], timing, log);
    scenarios['downstream-verify'] = await measure(specs[1], timing, log, plain);
    scenarios['downstream-verify-each'] = await measure(specs[2], timing, log, plain);
  } finally {
    for (const service of services) await stopChild(service);
  }
  return scenarios;
}

/** The access-token ratios and the downstream goal, from the scenarios of benchTokens. */
function evaluateTokens(s: Record<string, ScenarioResult>, apolloRps: number): { goals: Goal[]; ratios: Record<string, number>; line: string } {
  const overPlain = (name: string) => s[name].median.pairedRatio ?? s[name].median.rps / s['downstream-plain'].median.rps;
  const ratios = {
    token_mint_vs_apollo: s['token-mint'].median.pairedRatio ?? s['token-mint'].median.rps / apolloRps,
    downstream_verify_ratio: overPlain('downstream-verify'),
    downstream_verify_each_ratio: overPlain('downstream-verify-each'),
  };
  const rps = (name: string) => s[name].median.rps.toFixed(0);
  const goals: Goal[] = [
    {
      goal: 'downstream service verifying tokens (docs/integrating.md, JWKS cached) ≥ 0.8 × the same service without verification',
      holds: ratios.downstream_verify_ratio >= 0.8,
      measured:
        `${ratios.downstream_verify_ratio.toFixed(3)} × (paired; ${rps('downstream-verify')} vs ${rps('downstream-plain')} req/s); ` +
        `checking the signature on every request: ${ratios.downstream_verify_each_ratio.toFixed(3)} × (${rps('downstream-verify-each')} req/s)`,
    },
  ];
  const line = `token_mint_vs_apollo=${ratios.token_mint_vs_apollo.toFixed(3)} downstream_verify_ratio=${ratios.downstream_verify_ratio.toFixed(3)}`;
  return { goals, ratios, line };
}

/** --tokens: only the access-token lines, on a small tenant, against baseline-apollo measured in the same run. */
async function tokensRun(kinds: DbKind[]): Promise<void> {
  const startedAt = performance.now();
  log(`\n== baselines ${at()}`);
  const apollo = await measureBaseline('baseline-apollo', true);
  const apolloRps = apollo.result.median.rps;
  const report: string[] = [];
  const lines: string[] = [];
  for (const kind of kinds) {
    const scratch = await scratchDatabase(kind);
    cleanups.add(scratch.drop);
    try {
      log(`\n== ${scratch.label} ${at()}`);
      const fixture = await seed(scratch, TOKENS_PLAN);
      const child = await startGateway(scratch);
      const scenarios = await benchTokens(`http://127.0.0.1:${child.port}`, fixture, child.pid, scratch.dbPid, { name: 'baseline-apollo', probe: apollo.probe });
      await stopChild(child);
      const { goals, line } = evaluateTokens(scenarios, apolloRps);
      lines.push(`bench ${kind}: ${line}`);
      report.push(
        `### ${scratch.label}`,
        '',
        table([apollo.result, ...Object.values(scenarios)], apolloRps, apolloRps, false),
        '',
        '| goal | holds | measured |',
        '|---|---|---|',
        ...goals.map((g) => `| ${g.goal} | ${g.holds ? 'yes' : '**no**'} | ${g.measured} |`),
        '',
      );
    } finally {
      await scratch.drop();
      cleanups.delete(scratch.drop);
    }
  }
  await apollo.stop();
  const code = codeVersion();
  const machine = machineInfo();
  const markdown = [
    `## Access-token lines alone (\`npm run bench -- --tokens\`, ${new Date().toISOString()}, ${((performance.now() - startedAt) / 1000).toFixed(0)} s)`,
    '',
    `${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}. Gateway code: ${code.commit}${code.uncommitted.length ? ` + uncommitted changes (${code.uncommitted.join(', ')})` : ''}.`,
    '',
    ...report,
    '```',
    ...lines,
    '```',
    '',
  ].join('\n');
  writeFileSync(path.join(BENCH_DIR, 'results-tokens.md'), markdown);
  log(`\n${report.join('\n')}\nwrote bench/results-tokens.md\n`);
  for (const line of lines) log(line);
}

/**
 * `request`, after its session made one request of its own: under load each session is used many times a minute,
 * while the seed's are idle, and a session's first request of a minute also records its use (one statement more).
 * So the counts are the steady state's.
 */
async function usedOnceBefore(gateway: CountingGateway, request: BenchRequest): Promise<BenchRequest> {
  await gateway.count({ ...request, body: JSON.stringify({ query: '{ me { id } }' }) }, () => true);
  return request;
}

/** One request of each kind, alone, to an in-process gateway on the same database that counts statements. */
async function countStatements(scratch: Scratch, fixture: Fixture): Promise<Record<string, StatementCount>> {
  const env = { ...GATEWAY_SETTINGS, DATA_DIR: scratch.dataDir, ...(scratch.url ? { DATABASE_URL: scratch.url } : {}) };
  const gateway = await startCountingGateway(env as Record<string, string>);
  try {
    const counts: Record<string, StatementCount> = {};
    for (const first of [10, 50, 100]) {
      await gateway.count(adminPageRequest(fixture, first), expect.adminPage); // first call of a shape: same count, but keep it out
      counts[`admin-page first=${first}`] = await gateway.count(adminPageRequest(fixture, first), expect.adminPage);
    }
    await gateway.count(adminSearchRequest(fixture), expect.adminPage);
    counts['admin-search'] = await gateway.count(adminSearchRequest(fixture), expect.adminPage);
    counts.gate = await gateway.count(await usedOnceBefore(gateway, gateRequests(fixture)()), expect.granted);
    counts['verify-valid'] = await gateway.count(await usedOnceBefore(gateway, new ValidCodeDispenser(fixture.probePool.slice(0, 1), false).request()!), expect.granted);
    counts['verify-wrong'] = await gateway.count(await usedOnceBefore(gateway, new WrongCodeDispenser(fixture.probePool.slice(1, 2), 1).request()!), expect.invalidCode);
    counts['sign-in'] = await gateway.count(signInRequests(fixture, BENCH_PASSWORD)(), expect.signedIn);
    const line = Object.entries(counts)
      .map(([name, c]) => `${name}=${c.statements}${c.transactionControl ? `(+${c.transactionControl} tx)` : ''}${c.ok ? '' : ' UNEXPECTED ANSWER'}`)
      .join('  ');
    log(`  SQL statements per request: ${line}`);
    return counts;
  } finally {
    await gateway.close();
  }
}

// ---------------------------------------------------------------------------------------------- report

interface Goal {
  goal: string;
  holds: boolean;
  measured: string;
}

/**
 * Round trips of one request alone: on MariaDB every statement and every BEGIN/COMMIT crosses the socket; on
 * SQLite statements run in the process and group commit shares BEGIN/COMMIT, so there the statements count.
 */
function roundTrips(kind: DbKind, count: StatementCount | undefined): number {
  if (!count) return NaN;
  return kind === 'mariadb' ? count.statements + count.transactionControl : count.statements;
}

function evaluate(
  kind: DbKind,
  r: DatabaseResult,
  apolloRps: number,
  argon2Rps: number,
  startup: StartupResult,
  peerInfo: PeerInfo | null,
  apolloCpuUsPerReq: number | null,
): { goals: Goal[]; line: string; ratios: Record<string, number> } {
  const s = r.scenarios;
  /** The paired ratio where the scenario was paired with its baseline, else the ratio to the run's baseline. */
  const ratio = (name: string) => s[name].median.pairedRatio ?? s[name].median.rps / apolloRps;
  const adminSql = Math.max(...Object.entries(r.statements).filter(([k]) => k.startsWith('admin-page')).map(([, c]) => c.statements));
  const adminSqlBySize = Object.entries(r.statements)
    .filter(([k]) => k.startsWith('admin-page'))
    .map(([k, c]) => `${k.split(' ')[1]}: ${c.statements}`)
    .join(', ');
  const verifyFloor = kind === 'sqlite' ? 0.25 : 0.16;
  const gateFloor = kind === 'sqlite' ? 0.4 : 0.35;
  const peerFloor = kind === 'sqlite' ? 4 : 3;
  const perAnswer = roundTrips(kind, r.statements['verify-valid']);
  const perGate = roundTrips(kind, r.statements.gate);
  const answerCeiling = kind === 'sqlite' ? 6 : 3;
  const unit = kind === 'sqlite' ? 'SQL statements' : 'round trips (statements + BEGIN/COMMIT)';
  const wrongVsRight = s['verify-wrong'].median.rps / s['verify-valid'].median.rps;
  const signInRatio = s['sign-in'].median.pairedRatio ?? s['sign-in'].median.rps / argon2Rps;
  const ratios: Record<string, number> = {
    verify_vs_apollo: ratio('verify-valid'),
    verify_wrong_vs_apollo: ratio('verify-wrong'),
    wrong_vs_valid: wrongVsRight,
    gate_vs_apollo: ratio('gate'),
    gate_floor_vs_apollo: ratio('gate-floor'),
    admin_vs_apollo: ratio('admin-page'),
    signin_vs_argon2: signInRatio,
    roundtrips_per_answer: perAnswer,
    roundtrips_per_gate: perGate,
    ...(apolloCpuUsPerReq !== null ? { apollo_cpu_us: apolloCpuUsPerReq } : {}),
  };
  const rss = Math.max(r.gateway.idleRssAfterStartMiB, r.gateway.idleRssAfterLoadMiB);
  const how = (name: string) =>
    s[name].median.pairedRatio !== undefined
      ? ` (paired; ${s[name].median.rps.toFixed(0)} vs ${s[name].median.pairedBaselineRps!.toFixed(0)}/s)`
      : ` (${s[name].median.rps.toFixed(0)}/s over the run's baseline)`;
  const goals: Goal[] = [
    { goal: `verify (valid) ≥ ${verifyFloor} × baseline-apollo`, holds: ratios.verify_vs_apollo >= verifyFloor, measured: `${ratios.verify_vs_apollo.toFixed(3)} ×${how('verify-valid')}` },
    {
      goal: 'wrong answers no slower than right ones by more than 20%',
      holds: wrongVsRight >= 1 / 1.2,
      measured: `wrong/valid throughput ${wrongVsRight.toFixed(2)} (needs ≥ 0.83); p50 ${s['verify-wrong'].median.p50Ms.toFixed(1)} vs ${s['verify-valid'].median.p50Ms.toFixed(1)} ms`,
    },
    {
      goal: `gate ≥ ${gateFloor} × baseline-apollo`,
      holds: ratios.gate_vs_apollo >= gateFloor,
      measured:
        `${ratios.gate_vs_apollo.toFixed(3)} ×${how('gate')}; the same check with nothing else on this stack (baseline-gate-floor): ` +
        `${ratios.gate_floor_vs_apollo.toFixed(3)} ×${how('gate-floor')}, so the gateway serves ${(s.gate.median.rps / s['gate-floor'].median.rps).toFixed(2)} × the floor`,
    },
    {
      goal: `${unit}: ≤ ${answerCeiling} per valid answer, ≤ 2 per gate check`,
      holds: perAnswer <= answerCeiling && perGate <= 2,
      measured: `answer ${perAnswer}, gate ${perGate} (wrong answer ${roundTrips(kind, r.statements['verify-wrong'])})`,
    },
    { goal: 'admin-page ≤ 4 SQL statements per page, any page size', holds: adminSql <= 4, measured: `${adminSql} (${adminSqlBySize})` },
    { goal: 'admin-page p99 ≤ 50 ms (8 connections)', holds: s['admin-page'].median.p99Ms <= 50, measured: `${s['admin-page'].median.p99Ms.toFixed(1)} ms` },
    {
      goal: 'admin-search p99 ≤ 50 ms (8 connections), as many SQL statements as a page',
      holds: s['admin-search'].median.p99Ms <= 50 && r.statements['admin-search'].statements <= adminSql,
      measured: `${s['admin-search'].median.p99Ms.toFixed(1)} ms, ${r.statements['admin-search'].statements} statements`,
    },
    { goal: 'sign-in ≥ 0.85 × raw argon2 verifies/s (4 at a time)', holds: signInRatio >= 0.85, measured: `${signInRatio.toFixed(3)} ×${how('sign-in')}` },
    { goal: 'idle RSS < 150 MB (gateway child, 10k-agent tenant)', holds: rss < 150, measured: `${r.gateway.idleRssAfterStartMiB.toFixed(0)} MiB after start, ${r.gateway.idleRssAfterLoadMiB.toFixed(0)} MiB after the load` },
  ];
  if (kind === 'sqlite') {
    const slowest = Math.max(startup.npmStartFreshMs, startup.npmStartAgainMs);
    goals.push({
      goal: '`npm start` ready < 2 s after the build (SQLite)',
      holds: slowest < 2000,
      measured: `${startup.npmStartFreshMs.toFixed(0)} ms on an empty data dir (migrations + demo), ${startup.npmStartAgainMs.toFixed(0)} ms on the existing one`,
    });
    if (startup.npmStartIdleRssMiB !== null) {
      goals.push({ goal: 'idle RSS < 150 MB (npm start, demo data)', holds: startup.npmStartIdleRssMiB < 150, measured: `${startup.npmStartIdleRssMiB.toFixed(0)} MiB` });
    }
  }
  // The peer: ours ÷ better-auth in req/s, measured one right after the other; the ratio of their paired
  // ratios over baseline-apollo and their CPU per request beside it.
  const peer = r.peer && peerInfo ? { ...peerInfo, scenario: r.peer } : null;
  const peerRatio = peer ? s['verify-valid'].median.rps / peer.scenario.median.rps : null;
  if (peer && peerRatio !== null) {
    const pairedPeerRatio = ratio('verify-valid') / (peer.scenario.median.pairedRatio ?? peer.scenario.median.rps / apolloRps);
    Object.assign(ratios, { peer_betterauth_ratio: peerRatio, peer_betterauth_paired_ratio: pairedPeerRatio });
    goals.push({
      goal: `verify (valid) ≥ ${peerFloor} × better-auth ${peer.version} verify-totp (signed-in user, the same database, measured right before)`,
      holds: peerRatio >= peerFloor,
      measured:
        `${peerRatio.toFixed(2)} × (req/s ${s['verify-valid'].median.rps.toFixed(0)} vs ${peer.scenario.median.rps.toFixed(0)}); ` +
        `over baseline-apollo, paired: ${ratio('verify-valid').toFixed(3)} vs ${(peer.scenario.median.pairedRatio ?? NaN).toFixed(3)} = ${pairedPeerRatio.toFixed(2)} ×; ` +
        `server CPU per request ${s['verify-valid'].median.cpuUsPerReq?.toFixed(0) ?? '?'} vs ${peer.scenario.median.cpuUsPerReq?.toFixed(0) ?? '?'} µs`,
    });
  }
  goals.push({
    goal: 'replay: one valid code sent twice, the second refused',
    holds: r.replay.refusedSecond,
    measured:
      `ours: ${r.replay.refusedSecond ? `refused (${/"code":"([A-Z_]+)"/.exec(r.replay.second.body)?.[1] ?? r.replay.second.status})` : 'ACCEPTED twice'}` +
      (peer ? `; better-auth (not a goal for it): ${peer.replay.refusedSecond ? `refused (${peer.replay.second.status})` : `accepted twice (${peer.replay.first.status}, ${peer.replay.second.status})`}` : ''),
  });
  const sc = r.scale;
  let adminP99Scale: number | null = null;
  if (sc) {
    const adminNames = Object.keys(sc.scenarios).filter((name) => name.startsWith('admin'));
    // A shape that got no answer at all within a repetition has no latency to report: count it as the window.
    const p99Of = (name: string) => (sc.scenarios[name].median.ok > 0 ? sc.scenarios[name].median.p99Ms : timing.durationS * 1000);
    adminP99Scale = Math.max(...adminNames.map(p99Of));
    const sqlScale = Math.max(...adminNames.map((name) => sc.statements[name]?.statements ?? Infinity));
    const verifyScale = sc.scenarios['verify-valid 100k'];
    const verifyScaleRatio = verifyScale.median.pairedRatio ?? verifyScale.median.rps / apolloRps;
    // The goal is read on a host where baseline-apollo costs 100 µs of CPU per request: latencies under load move
    // with the host's speed, and this VM's speed drifts between runs (baseline-apollo 100–250 µs).
    const normalise = (ms: number) => (apolloCpuUsPerReq ? (ms * 100) / apolloCpuUsPerReq : ms);
    const adminP99ScaleNormalised = normalise(adminP99Scale);
    Object.assign(ratios, { admin_p99_100k_ms: adminP99Scale, admin_p99_100k_normalised_ms: adminP99ScaleNormalised, verify_100k_vs_apollo: verifyScaleRatio });
    goals.push(
      {
        goal: 'admin listing at 100,000 members: p99 ≤ 50 ms (8 connections), every shape, normalised to baseline-apollo at 100 µs of CPU per request',
        holds: adminP99ScaleNormalised <= 50,
        measured:
          adminNames.map((name) => `${name.replace('admin 100k ', '')} ${sc.scenarios[name].median.ok > 0 ? '' : 'no answer within '}${p99Of(name).toFixed(0)} ms (${normalise(p99Of(name)).toFixed(0)})`).join(', ') +
          (apolloCpuUsPerReq ? `; normalised in brackets (baseline-apollo took ${apolloCpuUsPerReq.toFixed(0)} µs of CPU per request)` : '; baseline-apollo\'s CPU unknown: not normalised'),
      },
      {
        goal: 'admin listing at 100,000 members: as many SQL statements as at 10,000',
        holds: sqlScale <= adminSql,
        measured: `${adminNames.map((name) => `${name.replace('admin 100k ', '')} ${sc.statements[name]?.statements ?? '?'}`).join(', ')} (10,000: ${adminSql})`,
      },
      {
        goal: 'admin listing at 100,000 members: flat RSS (gateway child, within 10 % over the admin pages)',
        holds: sc.gateway.rssAfterAdminMiB <= sc.gateway.rssAfterVerifyMiB * 1.1,
        measured: `${sc.gateway.rssAfterStartMiB.toFixed(0)} MiB after start, ${sc.gateway.rssAfterVerifyMiB.toFixed(0)} after verify, ${sc.gateway.rssAfterAdminMiB.toFixed(0)} after the admin pages`,
      },
      {
        goal: `verify (valid) ≥ ${verifyFloor} × baseline-apollo with ≈ 100,000 challenges in the table`,
        holds: verifyScaleRatio >= verifyFloor,
        measured:
          `${verifyScaleRatio.toFixed(3)} × baseline-apollo (paired; ${verifyScale.median.rps.toFixed(0)}/s, ${sc.challengesAfter.toLocaleString('en')} challenges) ` +
          `vs ${ratios.verify_vs_apollo.toFixed(3)} × (${s['verify-valid'].median.rps.toFixed(0)}/s, ${r.challengesInTable.toLocaleString('en')} challenges)`,
      },
    );
  }
  const tokens = evaluateTokens(s, apolloRps);
  goals.push(...tokens.goals);
  Object.assign(ratios, tokens.ratios);
  const line =
    `bench ${kind}: verify_vs_apollo=${ratios.verify_vs_apollo.toFixed(3)} gate_vs_apollo=${ratios.gate_vs_apollo.toFixed(3)} gate_floor_vs_apollo=${ratios.gate_floor_vs_apollo.toFixed(3)} ` +
    `admin_p99_ms=${s['admin-page'].median.p99Ms.toFixed(1)} admin_sql_per_page=${adminSql} signin_vs_argon2=${signInRatio.toFixed(3)} ` +
    `peer_betterauth_ratio=${peerRatio?.toFixed(2) ?? '–'} admin_p99_100k_ms=${adminP99Scale?.toFixed(1) ?? '–'} admin_p99_100k_normalised_ms=${ratios.admin_p99_100k_normalised_ms?.toFixed(1) ?? '–'} ${tokens.line} ` +
    `roundtrips_per_answer=${perAnswer} roundtrips_per_gate=${perGate} apollo_cpu_us=${apolloCpuUsPerReq?.toFixed(0) ?? '–'}`;
  return { goals, line, ratios };
}

/** The range of a baseline's paired probes over one database's scenarios (how much the machine drifted). */
function probeRange(r: DatabaseResult, baseline: string): string {
  const values = Object.values(r.scenarios)
    .filter((s) => s.median.pairedWith === baseline)
    .flatMap((s) => s.reps.map((rep) => rep.pairedBaselineRps ?? NaN))
    .filter((v) => Number.isFinite(v));
  return values.length ? `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}` : '–';
}

function table(rows: ScenarioResult[], apolloRps: number, argon2Rps: number, withDbCpu: boolean): string {
  const header = ['scenario', 'conns', `req/s (median of ${timing.reps})`, 'p50 ms', 'p99 ms', 'server CPU µs/req', ...(withDbCpu ? ['MariaDB CPU µs/req'] : []), '× baseline-apollo', 'other load', 'checks'];
  const lines = rows.map((r) => {
    const m = r.median;
    const paired = m.pairedRatio !== undefined ? ` ᵖ` : '';
    const pairedElsewhere = m.pairedWith && m.pairedWith !== 'baseline-apollo';
    const vs =
      r.name === 'sign-in'
        ? `${(m.rps / apolloRps).toFixed(3)} (× argon2-raw ${(m.pairedRatio ?? m.rps / argon2Rps).toFixed(3)}${paired})`
        : pairedElsewhere
          ? `${(m.rps / apolloRps).toFixed(3)} (× ${m.pairedWith} ${m.pairedRatio!.toFixed(3)}${paired})`
          : `${(m.pairedRatio ?? m.rps / apolloRps).toFixed(3)}${paired}`;
    const checks = `${m.ok} ok${m.bad ? `, ${m.bad} unexpected` : ''}${m.exhausted ? ', pool ran dry' : ''}`;
    return [
      r.name,
      String(r.connections),
      m.rps.toFixed(0),
      m.p50Ms.toFixed(1),
      m.p99Ms.toFixed(1),
      m.cpuUsPerReq === null ? '–' : m.cpuUsPerReq.toFixed(0),
      ...(withDbCpu ? [m.dbCpuUsPerReq === null ? '–' : m.dbCpuUsPerReq.toFixed(0)] : []),
      vs,
      `${m.foreignCpuPct.toFixed(0)}%`,
      checks,
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => (i === 0 || i === l.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const separator = `|${widths.map((w, i) => (i === 0 || i === widths.length - 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [fmt(header), separator, ...lines.map(fmt)].join('\n');
}

/** Which gateway code was measured: the commit, and the files under src/, migrations/ changed since (uncommitted). */
function codeVersion(): { commit: string; uncommitted: string[] } {
  const git = (...gitArgs: string[]) => spawnSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('log', '-1', '--format=%h %cI %s').slice(0, 160) || 'unknown';
  const uncommitted = git('status', '--porcelain', '--', 'src', 'migrations', 'package.json').split('\n').filter(Boolean);
  return { commit, uncommitted };
}

function machineInfo() {
  const cpuModel = (() => {
    try {
      return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
    } catch {
      return os.cpus()[0]?.model;
    }
  })();
  return { nproc: os.availableParallelism(), cpuModel, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.type()} ${os.release()}` };
}

// ---------------------------------------------------------------------------------------------- profile mode

/**
 * --profile: for each database, a gateway child under `node --cpu-prof` per scenario (verify valid and wrong,
 * gate, admin page) for a fixed time; only the samples of the measured window are summarised (start-up left out).
 */
async function profileRun(kinds: DbKind[]): Promise<void> {
  const dir = path.join(BENCH_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const seconds = numberEnv('BENCH_PROFILE_S', 10);
  const code = codeVersion();
  const sections: string[] = [`# CPU profiles (${new Date().toISOString()})`, '', `${JSON.stringify(machineInfo())}`, '', `Gateway code: ${code.commit}${code.uncommitted.length ? ` + uncommitted (${code.uncommitted.join(', ')})` : ''}`, '', `Each: a fresh gateway child, ${timing.warmupS} s warm-up, then ${seconds} s profiled (${CONNECTIONS.default} connections, admin-page ${CONNECTIONS.adminPage}); sampling interval 250 µs; only samples inside the load window counted.`, ''];
  const json: Record<string, unknown> = {};
  for (const kind of kinds) {
    const scratch = await scratchDatabase(kind);
    cleanups.add(scratch.drop);
    try {
      const fixture = await seedBench(scratch);
      const valid = new ValidCodeDispenser(fixture.validPool);
      const gate = gateRequests(fixture);
      const wrong = new WrongCodeDispenser(fixture.wrongPool, 4);
      const adminPage = adminPageRequest(fixture, 100);
      const runs: Array<Pick<LoadSpec, 'name' | 'connections' | 'next' | 'check'> & { main?: string }> = [
        { name: 'verify-valid', connections: CONNECTIONS.default, next: () => valid.request(), check: expect.granted },
        { name: 'verify-wrong', connections: CONNECTIONS.default, next: () => wrong.request(), check: expect.invalidCode },
        { name: 'gate', connections: CONNECTIONS.default, next: gate, check: expect.granted },
        // The gate's floor beside it: where the gateway spends more than the floor shows function by function.
        { name: 'gate-floor', main: GATE_FLOOR_MAIN, connections: CONNECTIONS.default, next: gate, check: expect.granted },
        { name: 'admin-page', connections: CONNECTIONS.adminPage, next: () => adminPage, check: expect.adminPage },
      ];
      for (const run of runs.filter((r) => !PROFILE_SCENARIOS || PROFILE_SCENARIOS.includes(r.name))) {
        const file = `${kind}-${run.name}.cpuprofile`;
        rmSync(path.join(dir, file), { force: true });
        const child = await startGateway(scratch, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${file}`, '--cpu-prof-interval=250'], `profile-${run.name}`, run.main);
        const spec: LoadSpec = { name: run.name, url: `http://127.0.0.1:${child.port}`, connections: run.connections, next: run.next, check: run.check, serverPid: child.pid };
        await runOnce(spec, timing.warmupS);
        const windowStart = process.hrtime.bigint() / 1000n;
        const rep = await runOnce(spec, seconds);
        const windowEnd = process.hrtime.bigint() / 1000n;
        await stopChild(child);
        const summary = summarizeProfile(path.join(dir, file), 25, rep.ok + rep.bad, { fromUs: Number(windowStart), toUs: Number(windowEnd) });
        log(`  ${kind} ${run.name}: ${rep.rps.toFixed(0)} req/s under the profiler, ${rep.cpuUsPerReq?.toFixed(0)} µs CPU/req, profile ${file}`);
        sections.push(formatProfile(`${kind} · ${run.name} (${rep.rps.toFixed(0)} req/s under the profiler, ${rep.cpuUsPerReq?.toFixed(0)} µs server CPU per request)`, summary));
        json[`${kind}/${run.name}`] = { rps: rep.rps, cpuUsPerReq: rep.cpuUsPerReq, ...summary };
      }
    } finally {
      await scratch.drop();
      cleanups.delete(scratch.drop);
    }
  }
  writeFileSync(path.join(BENCH_DIR, 'profile-summary.md'), sections.join('\n'));
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(json, null, 2));
  log(`\nwrote bench/profile-summary.md and bench/profiles/ (*.cpuprofile open in Chrome DevTools → Performance)`);
}

// ---------------------------------------------------------------------------------------------- main

/**
 * Other work on this machine skews every number. Samples the machine's CPU for 2 s and says so when it is
 * busy; with BENCH_WAIT_QUIET_S=n waits up to n seconds for it to calm down (below 15% of all CPUs).
 */
async function waitForQuiet(): Promise<void> {
  const waitS = numberEnv('BENCH_WAIT_QUIET_S', 0);
  const deadline = performance.now() + waitS * 1000;
  for (;;) {
    const before = machineCpuMicros();
    await sleep(2000);
    const after = machineCpuMicros();
    const busyPct = (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);
    if (busyPct < 15) return;
    if (performance.now() >= deadline) {
      log(`  warning: the machine is ${busyPct.toFixed(0)}% busy before the bench starts (other processes): expect noisy numbers (see the 'other load' column)`);
      return;
    }
    log(`  machine ${busyPct.toFixed(0)}% busy: waiting for it to calm down…`);
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  if (!existsSync(GATEWAY_MAIN)) throw new Error('dist/src/main.js is missing: npm run build first');
  const kinds: DbKind[] = (['sqlite', ...(process.env.BENCH_MYSQL_URL ? ['mariadb'] : [])] as DbKind[]).filter((k) => !ONLY || k === ONLY);
  const machine = machineInfo();
  const code = codeVersion();
  log(`code: ${code.commit}${code.uncommitted.length ? ` + uncommitted ${code.uncommitted.join(', ')}` : ''}`);
  log(`bench: ${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}; ${timing.warmupS} s warm-up + ${timing.reps} × ${timing.durationS} s per scenario; databases: ${kinds.join(', ')}`);
  await waitForQuiet();
  if (PROFILE) return profileRun(kinds);
  if (TOKENS_ONLY) return tokensRun(kinds);

  log(`\n== start-up (npm start --ignore-scripts: npm start after the build, development defaults, SQLite) ${at()}`);
  const startup = await measureStartup();
  log(`  ready in ${startup.npmStartFreshMs.toFixed(0)} ms on an empty data dir, ${startup.npmStartAgainMs.toFixed(0)} ms again; idle RSS ${startup.npmStartIdleRssMiB?.toFixed(0)} MiB`);

  log(`\n== baselines ${at()}`);
  const baselineHttp = (await measureBaseline('baseline-http')).result;
  const apollo = await measureBaseline('baseline-apollo', true);
  const argon2Baseline = await measureArgon2(CONNECTIONS.signIn);
  const baselineApollo = apollo.result;
  const argon2 = argon2Baseline.result;
  const apolloRps = baselineApollo.median.rps;
  const argon2Rps = argon2.median.rps;
  const pairings = { apollo: { name: 'baseline-apollo', probe: apollo.probe }, argon2: { name: 'argon2-raw', probe: argon2Baseline.probe } };

  // The peer runs on each database in turn, beside the gateway on the same one.
  const databases: Partial<Record<DbKind, DatabaseResult>> = {};
  const peerInfos: Partial<Record<DbKind, PeerInfo>> = {};
  for (const kind of kinds) {
    let peer: PeerHandle | null = null;
    if (PEER) {
      log(`\n== peer on ${kind}: better-auth, twoFactor plugin (measured right before verify-valid) ${at()}`);
      peer = await startPeer(kind);
    }
    databases[kind] = await benchDatabase(kind, pairings, peer);
    if (peer) {
      await sleep(1000);
      peer.info.idleRssAfterLoadMiB = rssMiB(peer.pid);
      peerInfos[kind] = peer.info;
      await peer.stop();
    }
  }
  // For comparison with the gateway's idle RSS after its load: the bare Apollo server after all its probes.
  await sleep(1000);
  const apolloIdleRssMiB = apollo.pid ? rssMiB(apollo.pid) : null;
  await apollo.stop();
  log(`\n  baseline-apollo idle RSS after its load: ${apolloIdleRssMiB?.toFixed(0)} MiB`);

  const report: string[] = [];
  const finalLines: string[] = [];
  const evaluations: Record<string, unknown> = {};
  for (const kind of kinds) {
    const r = databases[kind]!;
    const peerInfo = peerInfos[kind] ?? null;
    const { goals, line, ratios } = evaluate(kind, r, apolloRps, argon2Rps, startup, peerInfo, baselineApollo.median.cpuUsPerReq);
    finalLines.push(line);
    evaluations[kind] = { ratios, goals };
    const rows = [baselineHttp, baselineApollo, ...Object.values(r.scenarios), ...(r.peer ? [r.peer] : []), ...(r.scale ? Object.values(r.scale.scenarios) : []), argon2];
    const noisy = rows.filter((row) => row.median.foreignCpuPct > 15).map((row) => `${row.name} ${row.median.foreignCpuPct.toFixed(0)}%`);
    report.push(
      `### ${r.label}`,
      '',
      table(rows, apolloRps, argon2Rps, kind === 'mariadb' && r.scenarios['verify-valid'].median.dbCpuUsPerReq !== null),
      '',
      `ᵖ paired: each repetition preceded by a ${PAIR_S} s measurement of its baseline (baseline-apollo; argon2-raw for sign-in), the ratio being the median of the per-repetition ratios; the others are over the baseline row above. ` +
        `Baseline probes during this database: baseline-apollo ${probeRange(r, 'baseline-apollo')} req/s, argon2-raw ${probeRange(r, 'argon2-raw')} verifies/s.`,
      '',
      ...(noisy.length ? [`**Noisy:** other processes used a sizeable share of the machine during ${noisy.join(', ')}: those numbers (and the ratios built on them) are off; run again on a quiet machine.`, ''] : []),
      `Gateway child ready in ${r.gateway.readyMs.toFixed(0)} ms; seeded in ${(r.seed.ms / 1000).toFixed(1)} s. SQL statements per request (one request alone, transaction control apart): ` +
        Object.entries(r.statements)
          .map(([name, c]) => `${name} ${c.statements}${c.transactionControl ? ` (+${c.transactionControl} BEGIN/COMMIT)` : ''}`)
          .join(', ') +
        '.',
      '',
      ...(peerInfo && r.peer
        ? [
            `better-auth-verify: better-auth ${peerInfo.version} (\`twoFactor\` plugin, ${peerInfo.database}, its rate limiter off), \`POST /api/auth/two-factor/verify-totp\` by ${peerInfo.users} signed-in users ` +
              `(signed up and enrolled over its API in ${(peerInfo.setupMs / 1000).toFixed(1)} s) with the code of now computed by the bench; measured right before verify-valid, paired with baseline-apollo like it. ` +
              `Replay probe on it: ${peerInfo.replay.first.status} then ${peerInfo.replay.second.status} for the same code (${peerInfo.replay.refusedSecond ? 'refused the second' : 'accepted both'}). Its idle RSS after the whole run ${peerInfo.idleRssAfterLoadMiB?.toFixed(0) ?? '?'} MiB.`,
            '',
          ]
        : []),
      ...(r.scale
        ? [
            `Scale (BENCH_SCALE): a second tenant of ${r.scale.seed.rows.tenant_memberships.toLocaleString('en')} members seeded in ${(r.scale.seed.ms / 1000).toFixed(1)} s (${Object.entries(r.scale.seed.rows).map(([t, n]) => `${t} ${n}`).join(', ')}); ` +
              `bench process RSS ${r.scale.seed.benchRssBeforeMiB.toFixed(0)} → peak ${r.scale.seed.benchRssPeakMiB.toFixed(0)} → ${r.scale.seed.benchRssAfterMiB.toFixed(0)} MiB (heap peak ${r.scale.seed.benchHeapPeakMiB.toFixed(0)} MiB). ` +
              `Challenges in the table: ${r.challengesInTable.toLocaleString('en')} during verify-valid, ${r.scale.challengesAfter.toLocaleString('en')} during verify-valid 100k (a fresh gateway child). ` +
              `Admin pages at 100k: \`first: 100\`, deep = after the cursor at member ${Math.floor(SCALE_PLAN.agents * SCALE_PLAN.cursorDepth).toLocaleString('en')}, filtered = \`twoFactorEnabled: false\`, search = "AGENT 12" (1,111 matches), \`first: 50\`. ` +
              `SQL statements per request: ${Object.entries(r.scale.statements).map(([name, c]) => `${name} ${c.statements}${c.transactionControl ? ` (+${c.transactionControl} BEGIN/COMMIT)` : ''}`).join(', ')}. ` +
              `Gateway RSS ${r.scale.gateway.rssAfterStartMiB.toFixed(0)} MiB after start, ${r.scale.gateway.rssAfterVerifyMiB.toFixed(0)} after verify, ${r.scale.gateway.rssAfterAdminMiB.toFixed(0)} after the admin pages.`,
            '',
          ]
        : []),
      '| goal | holds | measured |',
      '|---|---|---|',
      ...goals.map((g) => `| ${g.goal} | ${g.holds ? 'yes' : '**no**'} | ${g.measured} |`),
      '',
      `For comparison, the bare baseline-apollo server idles at ${apolloIdleRssMiB?.toFixed(0) ?? '?'} MiB RSS after its own load.`,
      '',
    );
  }
  const totalS = (performance.now() - startedAt) / 1000;
  const markdown = [
    `## Results (${new Date().toISOString()}, ${totalS.toFixed(0)} s)`,
    '',
    `${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}. Gateway code: ${code.commit}${code.uncommitted.length ? ` + uncommitted changes (${code.uncommitted.join(', ')})` : ''}.`,
    '', ...report, '```', ...finalLines, '```', ''].join('\n');
  writeFileSync(path.join(BENCH_DIR, 'results.md'), markdown);
  writeFileSync(
    path.join(BENCH_DIR, 'results.json'),
    `${JSON.stringify({ at: new Date().toISOString(), totalSeconds: totalS, code, machine, timing, apolloIdleRssMiB, plan: PLAN, connections: CONNECTIONS, startup, baselines: { 'baseline-http': baselineHttp, 'baseline-apollo': baselineApollo, 'argon2-raw': argon2 }, peer: peerInfos, scalePlan: SCALE ? SCALE_PLAN : null, databases, evaluations, finalLines }, null, 2)}\n`,
  );
  log(`\n${report.join('\n')}`);
  log(`whole run ${totalS.toFixed(0)} s; wrote bench/results.json and bench/results.md\n`);
  for (const line of finalLines) log(line);
}

async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
  cleanups.clear();
}

process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

main()
  .then(cleanUp)
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(error);
    for (const file of childLogs) {
      try {
        console.error(`--- ${file} (tail) ---\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`);
      } catch {
        // removed with its scratch directory
      }
    }
    await cleanUp();
    process.exit(1);
  });


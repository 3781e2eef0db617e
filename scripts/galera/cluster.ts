import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createConnection as connectTcp } from 'node:net';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

/*
 * A 3-node MariaDB Galera cluster on loopback, for development and the cluster tests: every node in its own
 * folder under one root (datadir, my.cnf, socket, log), SQL on 3311-3313, group communication on 4571-4573,
 * IST on 4581-4583, rsync SST on 4591-4593, and optionally HAProxy on 3320 in front of the three. Root has an
 * empty password over TCP, like the development MariaDB on 3306. Nothing here is for production.
 */

export const NODES = [1, 2, 3] as const;
export type NodeNumber = (typeof NODES)[number];

export const HAPROXY_PORT = 3320;
export const sqlPort = (node: NodeNumber) => 3310 + node;
const gcommPort = (node: NodeNumber) => 4570 + node;
const istPort = (node: NodeNumber) => 4580 + node;
const sstPort = (node: NodeNumber) => 4590 + node;

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** What the cluster needs from Debian, and the package each comes in. */
const REQUIREMENTS = [
  { file: MARIADBD, pkg: 'mariadb-server' },
  { file: INSTALL_DB, pkg: 'mariadb-server' },
  { file: '/usr/bin/mariadb', pkg: 'mariadb-client' },
  { file: GALERA_PROVIDER, pkg: 'galera-4' },
  { file: '/usr/bin/wsrep_sst_rsync', pkg: 'mariadb-server' },
  { file: '/usr/bin/rsync', pkg: 'rsync' },
];
const HAPROXY_REQUIREMENT = { file: '/usr/sbin/haproxy', pkg: 'haproxy' };

/** The Debian packages missing for a cluster (and HAProxy), with the command that installs them; null if none. */
export function missingPackages(withHaproxy: boolean): string | null {
  const wanted = withHaproxy ? [...REQUIREMENTS, HAPROXY_REQUIREMENT] : REQUIREMENTS;
  const missing = [...new Set(wanted.filter((r) => !existsSync(r.file)).map((r) => r.pkg))];
  if (!missing.length) return null;
  return `missing Debian packages: ${missing.join(', ')}. Install them with:\n  apt-get update && apt-get install -y ${missing.join(' ')}`;
}

export interface ClusterState {
  root: string;
  /** mariadbd process ids by node number (as strings: JSON keys). */
  pids: Record<string, number>;
  haproxyPid?: number;
}

/** A cluster under `root`: start, stop, kill and restart nodes, read their status. */
export class GaleraCluster {
  constructor(readonly root: string) {}

  /** Loads the cluster a previous command started (its state file), or null when there is none. */
  static find(root: string): GaleraCluster | null {
    return existsSync(path.join(root, 'cluster.json')) ? new GaleraCluster(root) : null;
  }

  url(node: NodeNumber | 'haproxy', database = ''): string {
    const port = node === 'haproxy' ? HAPROXY_PORT : sqlPort(node);
    return `mysql://root@127.0.0.1:${port}/${database}`;
  }

  nodeDir = (node: NodeNumber) => path.join(this.root, `node${node}`);
  logFile = (node: NodeNumber) => path.join(this.nodeDir(node), 'error.log');
  /** HAProxy's log: a node it marked down or up, and why. */
  haproxyLogFile = () => path.join(this.root, 'haproxy.log');

  get state(): ClusterState {
    const file = path.join(this.root, 'cluster.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { root: this.root, pids: {} };
  }

  private saveState(change: (state: ClusterState) => void): void {
    const state = this.state;
    change(state);
    writeFileSync(path.join(this.root, 'cluster.json'), JSON.stringify(state, null, 2));
  }

  /**
   * Creates the three datadirs and starts the cluster: node 1 bootstraps it (--wsrep-new-cluster), then nodes 2
   * and 3 join one after the other (each copies node 1's data by rsync SST). Resolves once all three are Synced.
   */
  async start(options: { haproxy?: boolean; log?: (line: string) => void } = {}): Promise<void> {
    const log = options.log ?? (() => undefined);
    const missing = missingPackages(Boolean(options.haproxy));
    if (missing) throw new Error(missing);
    const busy = await busyPorts([...NODES.flatMap((n) => [sqlPort(n), gcommPort(n), istPort(n), sstPort(n)]), ...(options.haproxy ? [HAPROXY_PORT] : [])]);
    if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')} (another cluster? stop it with npm run cluster -- --stop)`);
    mkdirSync(this.root, { recursive: true });
    this.saveState(() => undefined);
    for (const node of NODES) {
      mkdirSync(this.nodeDir(node), { recursive: true });
      writeFileSync(path.join(this.nodeDir(node), 'my.cnf'), this.myCnf(node));
    }
    for (const node of NODES) mkdirSync(path.join(this.nodeDir(node), 'data'), { recursive: true });
    giveToMysqlUser(this.root);
    log('creating the system tables of node 1 (nodes 2 and 3 receive a copy of node 1 when they join)');
    installSystemTables(this.nodeDir(1));
    for (const node of NODES) {
      const started = Date.now();
      await this.startNode(node, { bootstrap: node === 1 });
      log(`node ${node} synced in ${((Date.now() - started) / 1000).toFixed(1)} s: ${this.url(node)}`);
    }
    if (options.haproxy) {
      await this.startHaproxy();
      log(`HAProxy on ${this.url('haproxy')} (node 1 active, nodes 2 and 3 standby)`);
    }
  }

  /** Starts one node's mariadbd (joining the cluster unless `bootstrap`) and waits until it is Synced. */
  async startNode(node: NodeNumber, options: { bootstrap?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const args = [`--defaults-file=${path.join(this.nodeDir(node), 'my.cnf')}`, ...userArgs()];
    if (options.bootstrap) args.push('--wsrep-new-cluster');
    else args.push(...this.recoveredPosition(node));
    const out = openSync(path.join(this.nodeDir(node), 'stdout.log'), 'a');
    const child = spawn(MARIADBD, args, { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    this.saveState((state) => (state.pids[node] = child.pid!));
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      if (!isAlive(child.pid!)) throw new Error(`node ${node} exited while starting; see ${this.logFile(node)}:\n${tail(this.logFile(node))}`);
      if ((await this.status(node).catch(() => null))?.wsrep_local_state_comment === 'Synced') return;
      if (Date.now() > deadline) throw new Error(`node ${node} was not Synced in time; see ${this.logFile(node)}:\n${tail(this.logFile(node))}`);
      await sleep(250);
    }
  }

  /**
   * After a crash the node's saved state (grastate.dat) has no position, and it would ask for a full copy
   * (SST). As Debian's galera_recovery does for systemd, read the last committed position from InnoDB first
   * (mariadbd --wsrep-recover) and start from it, so the node asks only for what it missed (IST).
   */
  private recoveredPosition(node: NodeNumber): string[] {
    const grastate = path.join(this.nodeDir(node), 'data', 'grastate.dat');
    if (!existsSync(grastate) || !/^seqno:\s+-1\s*$/m.test(readFileSync(grastate, 'utf8'))) return [];
    const recovery = spawnSync(
      MARIADBD,
      [`--defaults-file=${path.join(this.nodeDir(node), 'my.cnf')}`, ...userArgs(), '--wsrep-recover', '--disable-log-error'],
      { encoding: 'utf8' },
    );
    const position = /WSREP: Recovered position: *(\S+)/.exec(`${recovery.stdout}${recovery.stderr}`)?.[1];
    return position ? [`--wsrep-start-position=${position}`] : [];
  }

  /** Kills a node's mariadbd with SIGKILL, as a crash or a power cut would, and waits until it is gone. */
  async killNode(node: NodeNumber): Promise<void> {
    const pid = this.state.pids[node];
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }

  /** The wsrep status variables of one node (lower-cased names), read over TCP. */
  async status(node: NodeNumber): Promise<Record<string, string>> {
    const connection = await createConnection({ uri: this.url(node), connectTimeout: 1000 });
    try {
      const [rows] = await connection.query("SHOW GLOBAL STATUS LIKE 'wsrep%'");
      return Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
    } finally {
      await connection.end();
    }
  }

  /**
   * HAProxy on 3320: node 1 takes every connection while it is healthy, nodes 2 and 3 stand by (one writer at a
   * time, so certification conflicts stay rare). The health check asks each node whether wsrep_ready is ON (a
   * node that is up but not part of the primary component, or still joining, refuses queries), every 500 ms;
   * two failures mark it down and cut its sessions, two successes bring it back.
   */
  async startHaproxy(): Promise<void> {
    const check = path.join(this.root, 'wsrep-ready-check.sh');
    writeFileSync(
      check,
      [
        '#!/bin/sh',
        '# HAProxy external check: $3 is the server address, $4 its port. Healthy when the node says wsrep_ready = ON.',
        `[ "$(mariadb -h "$3" -P "$4" -u root -N -s --connect-timeout=1 -e "SHOW GLOBAL STATUS LIKE 'wsrep_ready'" 2>/dev/null | cut -f2)" = ON ]`,
        '',
      ].join('\n'),
    );
    chmodSync(check, 0o755);
    const config = path.join(this.root, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '  external-check',
        '  insecure-fork-wanted',
        '  log stderr format short local0 notice',
        'defaults',
        '  mode tcp',
        '  log global',
        '  timeout connect 1s',
        '  timeout client 1h',
        '  timeout server 1h',
        '  timeout check 2s',
        'listen galera',
        `  bind 127.0.0.1:${HAPROXY_PORT}`,
        '  option external-check',
        '  external-check path "/usr/bin:/bin"',
        `  external-check command ${check}`,
        '  default-server inter 500 rise 2 fall 2 on-marked-down shutdown-sessions',
        ...NODES.map((n) => `  server node${n} 127.0.0.1:${sqlPort(n)} check${n === 1 ? '' : ' backup'}`),
        '',
      ].join('\n'),
    );
    execFileSync('haproxy', ['-c', '-q', '-f', config], { stdio: 'pipe' });
    const out = openSync(this.haproxyLogFile(), 'a');
    const child = spawn('haproxy', ['-f', config, '-db'], { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    this.saveState((state) => (state.haproxyPid = child.pid!));
    const deadline = Date.now() + 10_000;
    while (!(await answersSql(HAPROXY_PORT))) {
      if (!isAlive(child.pid!) || Date.now() > deadline) throw new Error(`HAProxy did not come up:\n${tail(this.haproxyLogFile())}`);
      await sleep(200);
    }
  }

  /** Stops HAProxy and every node (SIGTERM, then SIGKILL after 30 s) and removes the folder (unless `keepLogs`). */
  async stop(options: { keepLogs?: boolean } = {}): Promise<void> {
    const { pids, haproxyPid } = this.state;
    const all = [haproxyPid, ...NODES.map((n) => pids[n])].filter((pid): pid is number => Boolean(pid) && isAlive(pid!));
    for (const pid of all) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (all.some(isAlive)) {
      if (Date.now() > deadline) all.filter(isAlive).forEach((pid) => process.kill(pid, 'SIGKILL'));
      await sleep(100);
    }
    if (options.keepLogs) rmSync(path.join(this.root, 'cluster.json'), { force: true });
    else rmSync(this.root, { recursive: true, force: true });
  }

  private myCnf(node: NodeNumber): string {
    const dir = this.nodeDir(node);
    const cluster = NODES.map((n) => `127.0.0.1:${gcommPort(n)}`).join(',');
    return `[mariadbd]
datadir=${dir}/data
socket=${dir}/mariadbd.sock
pid-file=${dir}/mariadbd.pid
log-error=${dir}/error.log
port=${sqlPort(node)}
bind-address=127.0.0.1
skip-name-resolve
max_connections=300
# Small and frugal: a development cluster on one machine.
innodb_buffer_pool_size=128M
innodb_log_file_size=48M
# Galera replicates rows and needs interleaved auto-increment locking.
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
# A commit is safe once certified by the cluster; each node flushes its log once a second.
innodb_flush_log_at_trx_commit=2

wsrep_on=ON
wsrep_provider=${GALERA_PROVIDER}
wsrep_cluster_name=tenant_2fa_gateway
wsrep_cluster_address=gcomm://${cluster}
wsrep_node_name=node${node}
wsrep_node_address=127.0.0.1:${gcommPort(node)}
wsrep_node_incoming_address=127.0.0.1:${sqlPort(node)}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${gcommPort(node)};ist.recv_addr=127.0.0.1:${istPort(node)};gcache.size=128M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${sstPort(node)}
wsrep_slave_threads=2
# Reads wait until the node has applied every write the cluster committed before them, so a client whose
# requests land on different nodes reads its own writes (a challenge opened on node 1, answered on node 2).
wsrep_sync_wait=1
`;
  }
}

function installSystemTables(nodeDir: string): void {
  const result = spawnSync(
    INSTALL_DB,
    ['--no-defaults', `--datadir=${nodeDir}/data`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs()],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`mariadb-install-db failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * Started by root, the nodes run as the mysql user (as Debian runs MariaDB): rsync SST's receiving daemon
 * drops to `nobody` under root and could not write a root-owned datadir. Otherwise they run as the caller.
 */
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ['--user=mysql'] : [];
}

/** Hands the cluster's folder to the mysql user when running as root (see userArgs). */
function giveToMysqlUser(dir: string): void {
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'mysql:mysql', dir]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of this process stays a zombie until reaped; count it as gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function answersSql(port: number): Promise<boolean> {
  return createConnection({ uri: `mysql://root@127.0.0.1:${port}/`, connectTimeout: 1000 }).then(
    async (c) => (await c.query('SELECT 1'), await c.end(), true),
    () => false,
  );
}

async function busyPorts(ports: number[]): Promise<number[]> {
  const inUse = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = connectTcp({ host: '127.0.0.1', port });
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, i) => inUse[i]);
}

function tail(file: string, lines = 20): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

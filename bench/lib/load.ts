import autocannon from 'autocannon';
import { cpuMicros, machineCpuMicros } from './proc';

/** One request a scenario wants sent next. */
export interface BenchRequest {
  body: string;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
}

export interface LoadSpec {
  name: string;
  /** Always http://127.0.0.1:<port>. */
  url: string;
  connections: number;
  /** The next request; null when the scenario's pool of distinct requests is used up. */
  next(): BenchRequest | null;
  /** Whether a response is the one the scenario expects (checked on every response). */
  check(status: number, body: string): boolean;
  /** Server process whose CPU time is charged to the requests. */
  serverPid?: number;
  /** A database server process (MariaDB) whose CPU time is reported beside. */
  dbPid?: number;
}

export interface RepResult {
  /** Responses that passed the check, per second of the measured window. */
  rps: number;
  ok: number;
  bad: number;
  durationS: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU (user + system, all threads) per answered request, µs. */
  cpuUsPerReq: number | null;
  dbCpuUsPerReq: number | null;
  /**
   * CPU the rest of the machine spent meanwhile (not the server, the database server or this process), as a
   * share of all CPUs: other work on the machine competing with the measurement.
   */
  foreignCpuPct: number;
  errors: number;
  timeouts: number;
  /** The request pool ran dry before the time was up (the window was cut there). */
  exhausted: boolean;
  sampleBad?: string;
  /** Paired scenarios: the baseline's req/s measured right before this repetition, and rps over it. */
  pairedBaselineRps?: number;
  pairedRatio?: number;
}

const FILLER = JSON.stringify({ query: '{ __typename }' });

/** One fixed-time autocannon run; every connection builds its own requests (see below). */
export async function runOnce(spec: LoadSpec, durationS: number): Promise<RepResult> {
  let ok = 0;
  let bad = 0;
  let exhaustedAt: number | null = null;
  let sampleBad: string | undefined;
  let instance: autocannon.Instance | undefined;

  /*
   * autocannon shares one `requests` array between all connections and builds the first request of each at
   * construction, so with a generator every connection would first send the same (last built) body. Each
   * connection gets its own request object here instead, and so its own bodies, one per request sent.
   */
  const setupClient = (client: autocannon.Client) => {
    let isFiller = false;
    const request = {
      method: 'POST' as const,
      path: '/graphql',
      setupRequest: (req: autocannon.Request) => {
        const next = exhaustedAt === null ? spec.next() : null;
        if (!next) {
          if (exhaustedAt === null) {
            exhaustedAt = performance.now();
            instance?.stop();
          }
          isFiller = true;
          return { ...req, method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: FILLER };
        }
        isFiller = false;
        return {
          ...req,
          method: (next.method ?? 'POST') as autocannon.Request['method'],
          path: next.path ?? '/graphql',
          headers: { 'content-type': 'application/json', ...next.headers },
          body: next.body,
        };
      },
      onResponse: (status: number, body: string) => {
        if (isFiller) return;
        if (spec.check(status, body)) ok++;
        else {
          bad++;
          sampleBad ??= `${status} ${body.slice(0, 400)}`;
        }
      },
    };
    (client as unknown as { setRequests(requests: unknown[]): void }).setRequests([request]);
  };

  const cpuBefore = spec.serverPid ? cpuMicros(spec.serverPid) : 0;
  const dbBefore = spec.dbPid ? cpuMicros(spec.dbPid) : 0;
  const machineBefore = machineCpuMicros();
  const selfBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: durationS,
        pipelining: 1,
        timeout: 10,
        sampleInt: 100,
        // A static placeholder: the real requests are installed per connection by setupClient.
        requests: [{ method: 'POST', path: '/graphql', body: FILLER, headers: { 'content-type': 'application/json' } }],
        setupClient,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
  });
  const endedAt = performance.now();
  const cpu = spec.serverPid ? cpuMicros(spec.serverPid) - cpuBefore : null;
  const dbCpu = spec.dbPid ? cpuMicros(spec.dbPid) - dbBefore : null;
  const machineAfter = machineCpuMicros();
  const self = process.cpuUsage(selfBefore);
  const foreign = machineAfter.busy - machineBefore.busy - (cpu ?? 0) - (dbCpu ?? 0) - (self.user + self.system);
  const foreignCpuPct = Math.max(0, (100 * foreign) / Math.max(1, machineAfter.total - machineBefore.total));
  const windowS = ((exhaustedAt ?? endedAt) - startedAt) / 1000;
  const answered = ok + bad;
  return {
    rps: windowS > 0 ? ok / windowS : 0,
    ok,
    bad,
    durationS: windowS,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    cpuUsPerReq: cpu !== null && answered ? cpu / answered : null,
    dbCpuUsPerReq: dbCpu !== null && answered ? dbCpu / answered : null,
    foreignCpuPct,
    errors: result.errors,
    timeouts: result.timeouts,
    exhausted: exhaustedAt !== null,
    ...(sampleBad ? { sampleBad } : {}),
  };
}

export interface ScenarioResult {
  name: string;
  connections: number;
  warmup: RepResult | null;
  reps: RepResult[];
  /** Median over the repetitions, metric by metric. */
  median: Pick<RepResult, 'rps' | 'p50Ms' | 'p99Ms' | 'cpuUsPerReq' | 'dbCpuUsPerReq' | 'foreignCpuPct'> & {
    ok: number;
    bad: number;
    exhausted: boolean;
    /** Paired scenarios: median of the per-repetition ratios, and of the baseline probes. */
    pairedRatio?: number;
    pairedBaselineRps?: number;
    pairedWith?: string;
  };
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianOrNull(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? median(present) : null;
}

export function summarize(name: string, connections: number, warmup: RepResult | null, reps: RepResult[], note?: string): ScenarioResult {
  // A repetition whose pool ran dry within its first second measured nothing: leave it out of the medians.
  const usable = reps.filter((r) => !r.exhausted || r.durationS >= 1);
  const counted = usable.length ? usable : reps;
  return {
    name,
    connections,
    warmup,
    reps,
    median: {
      rps: median(counted.map((r) => r.rps)),
      p50Ms: median(counted.map((r) => r.p50Ms)),
      p99Ms: median(counted.map((r) => r.p99Ms)),
      cpuUsPerReq: medianOrNull(counted.map((r) => r.cpuUsPerReq)),
      dbCpuUsPerReq: medianOrNull(counted.map((r) => r.dbCpuUsPerReq)),
      foreignCpuPct: median(counted.map((r) => r.foreignCpuPct)),
      ok: reps.reduce((n, r) => n + r.ok, 0),
      bad: reps.reduce((n, r) => n + r.bad, 0),
      exhausted: reps.some((r) => r.exhausted),
      ...(counted.every((r) => r.pairedRatio !== undefined) && counted.length
        ? { pairedRatio: median(counted.map((r) => r.pairedRatio!)), pairedBaselineRps: median(counted.map((r) => r.pairedBaselineRps!)) }
        : {}),
    },
    ...(note ? { note } : {}),
  };
}

export interface Timing {
  warmupS: number;
  durationS: number;
  reps: number;
}

export interface Pairing {
  name: string;
  /** A short measurement of the baseline, taken right before each repetition. */
  probe(): Promise<{ rps: number }>;
}

/** Warm-up, then `reps` fixed-time repetitions, one after another (each after its baseline probe when paired). */
export async function measure(spec: LoadSpec, timing: Timing, log: (line: string) => void, pairing?: Pairing): Promise<ScenarioResult> {
  const warmup = timing.warmupS > 0 ? await runOnce(spec, timing.warmupS) : null;
  if (warmup && warmup.bad > 0) log(`  ${spec.name}: ${warmup.bad} unexpected answers in the warm-up, e.g. ${warmup.sampleBad}`);
  const reps: RepResult[] = [];
  for (let i = 0; i < timing.reps; i++) {
    const baseline = pairing ? (await pairing.probe()).rps : undefined;
    const rep = await runOnce(spec, timing.durationS);
    if (baseline !== undefined) Object.assign(rep, { pairedBaselineRps: baseline, pairedRatio: rep.rps / baseline });
    reps.push(rep);
    if (rep.bad > 0) log(`  ${spec.name} rep ${i + 1}: ${rep.bad} unexpected answers, e.g. ${rep.sampleBad}`);
    if (rep.exhausted) log(`  ${spec.name} rep ${i + 1}: request pool used up after ${rep.durationS.toFixed(1)} s (window cut there)`);
  }
  const result = summarize(spec.name, spec.connections, warmup, reps);
  if (pairing && result.median.pairedRatio !== undefined) result.median.pairedWith = pairing.name;
  log(
    `  ${spec.name.padEnd(16)} ${result.median.rps.toFixed(0).padStart(7)} req/s  p50 ${result.median.p50Ms.toFixed(1)} ms  p99 ${result.median.p99Ms.toFixed(1)} ms` +
      (result.median.cpuUsPerReq !== null ? `  cpu ${result.median.cpuUsPerReq.toFixed(0)} µs/req` : '') +
      (result.median.dbCpuUsPerReq !== null ? `  db cpu ${result.median.dbCpuUsPerReq.toFixed(0)} µs/req` : '') +
      `  other load ${result.median.foreignCpuPct.toFixed(0)}%` +
      (result.median.pairedRatio !== undefined ? `  × ${pairing!.name} ${result.median.pairedRatio.toFixed(3)} (paired, probes ${result.median.pairedBaselineRps!.toFixed(0)}/s)` : ''),
  );
  return result;
}

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Row {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time the process was busy (idle excluded), ms. */
  busyMs: number;
  idleMs: number;
  /** Requests answered while profiling, when known: busy time per request. */
  requests?: number;
  /** Whether the summary covers only the measured window (else the whole process life). */
  windowed: boolean;
  selfByFunction: Row[];
  selfByModule: Row[];
  /** Time with the module anywhere on the stack (each sample counted once per module). */
  inclusiveByModule: Row[];
  /** Time with the function anywhere on the stack (each sample counted once per function). */
  inclusiveByFunction: Row[];
}

/** Where a frame comes from: an npm package, a gateway source file, Node's own code, or the VM. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/((?:src|migrations)\/.+?)\.js$/.exec(url);
  if (own) return `gateway:${own[1]}`;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.+)$/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(.+)$/.exec(url);
  if (own) return own[1];
  return url.replace(/^file:\/\//, '');
}

const IDLE = new Set(['(idle)']);

/**
 * Self and inclusive time by function and by module. `window` (µs of CLOCK_MONOTONIC, as process.hrtime and
 * V8's profiler both count) keeps only the samples taken while the load ran, leaving start-up out.
 */
export function summarizeProfile(file: string, top = 25, requests?: number, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const overlaps = window && window.fromUs < profile.endTime && window.toUs > profile.startTime;
  const inWindow = (us: number) => !overlaps || (us >= window!.fromUs && us <= window!.toUs);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const functionKey = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
  };
  const moduleKey = (n: ProfileNode) => moduleOf(n.callFrame.url, n.callFrame.functionName);

  const self = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const inclusiveModule = new Map<string, number>();
  const inclusiveFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

  // timeDeltas[i] is the time from sample i-1 to sample i; charge it to sample i-1's stack (what was running).
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf || us <= 0 || !inWindow(at)) continue;
    if (IDLE.has(leaf.callFrame.functionName)) {
      idle += us;
      continue;
    }
    busy += us;
    add(self, functionKey(leaf), us);
    add(selfModule, moduleKey(leaf), us);
    const seenModules = new Set<string>();
    const seenFunctions = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = parent.has(n.id) ? byId.get(parent.get(n.id)!) : undefined) {
      if (n.callFrame.functionName === '(root)') break;
      seenModules.add(moduleKey(n));
      seenFunctions.add(functionKey(n));
    }
    for (const m of seenModules) add(inclusiveModule, m, us);
    for (const f of seenFunctions) add(inclusiveFunction, f, us);
  }

  const rows = (map: Map<string, number>, limit: number): Row[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: busy ? (100 * us) / busy : 0 }));

  return {
    file,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    ...(requests ? { requests } : {}),
    windowed: Boolean(overlaps),
    selfByFunction: rows(self, top),
    selfByModule: rows(selfModule, 20),
    inclusiveByModule: rows(inclusiveModule, 25),
    inclusiveByFunction: rows(inclusiveFunction, top * 2),
  };
}

export function formatProfile(title: string, summary: ProfileSummary): string {
  const perReq = summary.requests ? ` · ${summary.requests} requests · ${((summary.busyMs * 1000) / summary.requests).toFixed(0)} µs busy per request` : '';
  const table = (heading: string, rows: Row[]) =>
    [`| ${heading} | ms | % of busy |`, '|---|---:|---:|', ...rows.map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.ms.toFixed(0)} | ${r.percent.toFixed(1)} |`)].join('\n');
  return [
    `### ${title}`,
    '',
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms${perReq}${summary.windowed ? ' (load window only)' : ' (whole process life: the window did not line up)'}`,
    '',
    table('self time by module', summary.selfByModule),
    '',
    table('inclusive time by module (on the stack)', summary.inclusiveByModule),
    '',
    table('self time by function', summary.selfByFunction),
    '',
    table('inclusive time by function', summary.inclusiveByFunction),
    '',
  ].join('\n');
}

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repositoryRoot } from '../test/support/child-service';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and names where the time went: by function (self
 * time), by package or module (self time), and by the service's own functions (inclusive time,
 * so a pipeline step counts what it calls). Samples can be limited to time windows (CLOCK_MONOTONIC
 * µs, the profile's own clock), so a profile of a whole run can be read for one endpoint's phases.
 *
 *   node dist/bench/cpu-profile.js <file.cpuprofile> ['<phase label>']
 *
 * The label picks the phases of that name from the `<file>.windows.json` the benchmark wrote.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TimeWindow {
  startUs: number;
  endUs: number;
}

export interface ProfileSummary {
  /** Sampled time inside the windows, idle excluded, in ms. */
  busyMs: number;
  /** Sampled time inside the windows, idle included, in ms. */
  sampledMs: number;
  bySelf: [string, number][];
  byArea: [string, number][];
  serviceInclusive: [string, number][];
}

const IDLE = new Set(['(idle)']);

/**
 * The newest `.cpuprofile` in `dir` written by the main thread of process `pid` (Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; worker threads, such as the SQLite store's
 * writer, write their own, with a thread id other than 0).
 */
export function profileOfProcess(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile') && file.split('.')[3] === String(pid) && file.split('.')[4] === '0')
    .sort()
    .at(-1);
  return name === undefined ? undefined : join(dir, name);
}

export function summariseProfile(file: string, windows: readonly TimeWindow[] = []): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const root = repositoryRoot();

  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busyUs = 0;
  let sampledUs = 0;
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (windows.length > 0 && !windows.some((window) => at >= window.startUs && at <= window.endUs)) continue;
    const node = nodes.get(profile.samples[index]);
    if (node === undefined) continue;
    sampledUs += delta;
    if (IDLE.has(node.callFrame.functionName)) continue;
    busyUs += delta;
    add(self, functionKey(node.callFrame, root), delta);
    add(area, areaOf(node.callFrame, root), delta);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = (nodes.get(id) as ProfileNode).callFrame;
      if (!isServiceCode(frame.url)) continue;
      const key = functionKey(frame, root);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, delta);
    }
  }
  const ms = (entries: Map<string, number>): [string, number][] =>
    [...entries].map(([key, us]): [string, number] => [key, us / 1000]).sort((a, b) => b[1] - a[1]);
  return { busyMs: busyUs / 1000, sampledMs: sampledUs / 1000, bySelf: ms(self), byArea: ms(area), serviceInclusive: ms(inclusive) };
}

/** The summary as text: the top `limit` of each list, with each entry's share of busy time. */
export function describeProfile(summary: ProfileSummary, limit = 20): string {
  const share = (ms: number): string => `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%`;
  const list = (title: string, entries: [string, number][]): string[] => [
    title,
    ...entries.slice(0, limit).map(([key, ms]) => `  ${share(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${key}`),
  ];
  return [
    `busy ${summary.busyMs.toFixed(0)} ms of ${summary.sampledMs.toFixed(0)} ms sampled`,
    ...list('self time by package or module:', summary.byArea),
    ...list('self time by function:', summary.bySelf),
    ...list("the service's own code, inclusive time (what it calls counts):", summary.serviceInclusive),
  ].join('\n');
}

function add(totals: Map<string, number>, key: string, us: number): void {
  totals.set(key, (totals.get(key) ?? 0) + us);
}

function isServiceCode(url: string): boolean {
  return /\/(apps|libs)\//.test(url) && !url.includes('/node_modules/');
}

function functionKey(frame: CallFrame, root: string): string {
  const where = frame.url === '' ? '' : ` ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

function shortUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (path.includes('/node_modules/')) return path.slice(path.lastIndexOf('/node_modules/') + '/node_modules/'.length);
  return path.startsWith('/') ? relative(root, path) : path;
}

/** node_modules/<package>, node:<module> for Node's own code, the folder for the service's code. */
function areaOf(frame: CallFrame, root: string): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
  const path = shortUrl(frame.url, root);
  if (frame.url.includes('/node_modules/')) {
    const parts = path.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('node:')) return path.replace(/^node:(internal\/)?/, 'node:').replace(/^(node:[^/]+)\/.*$/, '$1');
  return path.replace(/\/[^/]+$/, '/');
}

/** Where the benchmark that wrote a profile records its phases: `{ label: TimeWindow[] }`. */
export function windowsFile(profile: string): string {
  return `${profile}.windows.json`;
}

function main(): void {
  const [file, label] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: cpu-profile <file.cpuprofile> [phase label, as the benchmark printed it]');
  let windows: TimeWindow[] = [];
  if (label !== undefined) {
    const byLabel = JSON.parse(readFileSync(windowsFile(file), 'utf8')) as Record<string, TimeWindow[]>;
    if (!(label in byLabel)) throw new Error(`No phase '${label}' in ${windowsFile(file)}: ${Object.keys(byLabel).join(', ')}`);
    windows = byLabel[label];
  }
  console.log(describeProfile(summariseProfile(file, windows), 30));
}

if (require.main === module) main();

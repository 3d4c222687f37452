import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_CONFIG } from '@cases/domain';
import { SqliteEventStore } from '@cases/event-store';
import { ChildService } from '../test/support/child-service';
import { formatCount, formatMs, megabytes, median, percentile, positiveNumberFromEnv, sortedSamples, verdict } from './bench-support';
import { TIMELINESS_ORG_ID, TimelinessLogGenerator } from './case-log-generator';

/**
 * Long work against the rest of the service (docs/statistics.md, "Long work" and "Snapshots"), in
 * one run over a log of BENCH_EVENTS (default 1,000,000) events, the compiled service running as a
 * child process:
 *  - peak resident memory (VmHWM, reset before each phase through /proc/<pid>/clear_refs) during a
 *    what-if over the whole log, during a report at half the log with no snapshot before it (from
 *    position 0), and during one a little later (from the snapshot the first left);
 *  - the monthly report as XLSX over the whole log: p50 of BENCH_REPEATS (default 7) after warm-ups;
 *  - GET /health and a case command (a hotline intake) one after another, p50/p99, while idle and
 *    while what-ifs run back to back.
 *
 *   npm run bench:long-work     BENCH_EVENTS, BENCH_REPEATS, BENCH_IDLE_SECONDS (default 8),
 *                               BENCH_WHAT_IFS (default 2): what-ifs run while probing,
 *                               BENCH_NODE_FLAGS: flags for the service's node (a heap limit),
 *                               BENCH_COMPARE_ENTRY=<main.js>: first runs it all against another
 *                               build of the service (e.g. the previous commit's, built into
 *                               .tmp/), then against this one, and prints the two side by side;
 *                               BENCH_COMPARE_NODE_FLAGS: its node's flags (default BENCH_NODE_FLAGS)
 *
 * Generating the log takes minutes: it is kept in $TMPDIR/case-service-long-work-<events>/ and
 * reused by the next run (the service's data folder itself; each run adds its probe intakes and
 * starts without timeliness snapshots). Delete the folder to start over.
 */

const TARGET_EVENTS = Math.round(positiveNumberFromEnv('BENCH_EVENTS', 1_000_000));
const REPEATS = Math.max(1, Math.round(positiveNumberFromEnv('BENCH_REPEATS', 7)));
const IDLE_SECONDS = positiveNumberFromEnv('BENCH_IDLE_SECONDS', 8);
const WHAT_IFS = Math.max(1, Math.round(positiveNumberFromEnv('BENCH_WHAT_IFS', 2)));
const WARM_UPS = 2;
/** Flags for the service's node, e.g. BENCH_NODE_FLAGS=--max-old-space-size=320 to see what a heap limit does to the peaks. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const COMPARE_ENTRY = process.env.BENCH_COMPARE_ENTRY || undefined;
const COMPARE_NODE_FLAGS =
  process.env.BENCH_COMPARE_NODE_FLAGS === undefined
    ? NODE_FLAGS
    : process.env.BENCH_COMPARE_NODE_FLAGS.split(' ').filter((flag) => flag !== '');
const MEMORY_TARGET_BYTES = 400 * 1024 * 1024;
const XLSX_TARGET_MS = 300;
const PROBE_TARGET_P99_MS = 100;
/** Pause between two probes: a client clicking about, not a load test. */
const PROBE_PAUSE_MS = 10;
const RSS_SAMPLE_MS = 25;
/** USER_HZ of /proc/<pid>/stat: 100 on every Linux the service runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const REPORT_MONTH = '2025-06';
const START_TIMEOUT_MS = 5 * 60_000;
const CATCH_UP_TIMEOUT_MS = 60 * 60_000;
const REQUEST_TIMEOUT_MS = 30 * 60_000;

interface Answer {
  ms: number;
  status: number;
  body: Buffer;
}

let authorization: Record<string, string> = {};

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const headers = { ...authorization, ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = Buffer.from(await response.arrayBuffer());
  return { ms: performance.now() - started, status: response.status, body };
}

async function ok(url: string, init: RequestInit = {}, status = 200): Promise<Answer> {
  const answer = await request(url, init);
  if (answer.status !== status) {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 2000)}`);
  }
  return answer;
}

/** The data folder with the generated log, made once and reused. */
async function cachedDataDir(): Promise<string> {
  const dir = join(tmpdir(), `case-service-long-work-${TARGET_EVENTS}`);
  const marker = join(dir, 'generated.json');
  if (existsSync(marker)) {
    const log = JSON.parse(readFileSync(marker, 'utf8')) as { events: number; cases: number };
    console.log(`log: ${formatCount(log.events)} events, ${formatCount(log.cases)} cases, reused from ${dir}`);
  } else {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const store = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      const log = await new TimelinessLogGenerator(store, { appendsPerWave: 2_000 }).generate(TARGET_EVENTS);
      writeFileSync(marker, JSON.stringify({ events: log.events, cases: log.cases }));
      console.log(
        `log: ${formatCount(log.events)} events, ${formatCount(log.cases)} cases, generated in ${(log.elapsedMs / 1000).toFixed(0)} s into ${dir}`,
      );
    } finally {
      await store.close();
    }
  }
  // Each run measures reports from no snapshot: the previous run's are derived data, dropped.
  rmSync(join(dir, 'timeliness-snapshots'), { recursive: true, force: true });
  return dir;
}

/** Peak resident memory of the child over a phase: VmHWM reset at the start, and sampled VmRSS as a cross-check. */
class PeakMemory {
  private sampled = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly atStart: number;

  constructor(private readonly pid: number) {
    this.atStart = this.status('VmRSS');
    // "5" resets the peak resident set size (VmHWM) of the process (Linux ≥ 4.0, proc(5)).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    this.timer = setInterval(() => (this.sampled = Math.max(this.sampled, this.status('VmRSS'))), RSS_SAMPLE_MS);
  }

  stop(): { peak: number; sampled: number; atStart: number } {
    clearInterval(this.timer);
    return { peak: this.status('VmHWM'), sampled: Math.max(this.sampled, this.status('VmRSS')), atStart: this.atStart };
  }

  private status(field: string): number {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  }
}

/** CPU time (user + system, all threads) the process has used so far, in ms: what work costs whatever else runs on the machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5); here counted from field 3 (state) = index 0.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Every phase's peak of the run under way, for its summary. */
let phasePeaks: number[] = [];

function describePeak(memory: { peak: number; sampled: number; atStart: number }): string {
  phasePeaks.push(Math.max(memory.peak, memory.sampled));
  return `peak RSS ${megabytes(memory.peak)} (${megabytes(memory.atStart)} at the start of the phase, sampled max ${megabytes(memory.sampled)}); target < 400 MB: ${verdict(memory.peak < MEMORY_TARGET_BYTES)}`;
}

interface Probes {
  health: number[];
  command: number[];
  failures: number;
}

/** GET /health and a hotline intake, one after another, until `until` settles (or for `seconds`). */
async function probe(url: string, stop: { done: boolean }): Promise<Probes> {
  const probes: Probes = { health: [], command: [], failures: 0 };
  let ticket = 0;
  while (!stop.done) {
    const health = await request(`${url}/health`).catch(() => null);
    if (health?.status === 200) probes.health.push(health.ms);
    else probes.failures += 1;
    const body = JSON.stringify({
      platformTicketNo: `LW${Date.now()}${String(ticket++).padStart(5, '0')}`,
      title: '路灯不亮',
      description: '长安南路路灯连续三晚不亮。',
      community: '雁塔社区',
      urgency: 'normal',
      caller: { name: '张三', phone: '13800000000' },
    });
    const command = await request(`${url}/api/hotline-tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).catch(() => null);
    if (command?.status === 201) probes.command.push(command.ms);
    else {
      probes.failures += 1;
      if (probes.failures === 1 && command)
        console.log(`  probe intake answered ${command.status}: ${command.body.toString('utf8').slice(0, 300)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_PAUSE_MS));
  }
  return probes;
}

function describeLatency(label: string, samples: number[]): { p50: number; p99: number; line: string } {
  const sorted = sortedSamples(samples);
  const p50 = percentile(sorted, 0.5);
  const p99 = percentile(sorted, 0.99);
  return {
    p50,
    p99,
    line: `${label.padEnd(26)} p50 ${formatMs(p50).padStart(9)}  p99 ${formatMs(p99).padStart(9)}  max ${formatMs(sorted[sorted.length - 1]).padStart(9)}  (${samples.length} requests)`,
  };
}

/** The figures compared side by side when two builds run. */
interface Summary {
  label: string;
  healthP99: number;
  intakeP99: number;
  whatIfMs: number[];
  /** Highest peak resident memory over the phases (catch-up, XLSX, what-if, reports at past positions). */
  peakRss: number;
  loadAverage: number;
}

async function main(): Promise<void> {
  const summaries: Summary[] = [];
  if (COMPARE_ENTRY) {
    console.log(`==== [B] ${COMPARE_ENTRY} ====`);
    summaries.push(await measure('[B] compared build', COMPARE_ENTRY, COMPARE_NODE_FLAGS));
    console.log('==== this build ====');
  }
  summaries.push(await measure('this build', undefined, NODE_FLAGS));
  if (summaries.length < 2) return;
  console.log('side by side (same log, same machine, one after the other):');
  for (const summary of summaries) {
    console.log(
      `  ${summary.label.padEnd(20)} during what-if p99: /health ${formatMs(summary.healthP99).padStart(9)}, intake ${formatMs(summary.intakeP99).padStart(9)}; ` +
        `what-if ${summary.whatIfMs.map((ms) => formatMs(ms)).join(', ')}; peak RSS ${megabytes(summary.peakRss)}; load average ${summary.loadAverage.toFixed(1)}`,
    );
  }
  const [before, after] = summaries;
  console.log(
    `  this build / [B]: /health p99 ${(after.healthP99 / before.healthP99).toFixed(2)}×, intake p99 ${(after.intakeP99 / before.intakeP99).toFixed(2)}×, ` +
      `peak RSS ${(after.peakRss / before.peakRss).toFixed(2)}×`,
  );
}

async function measure(label: string, entryPoint: string | undefined, nodeFlags: string[]): Promise<Summary> {
  const dataDir = await cachedDataDir();
  phasePeaks = [];
  const child = await ChildService.start({
    dataDir,
    entryPoint,
    env: { ORG_ID: TIMELINESS_ORG_ID, SCHEDULER_INTERVAL_MS: '0', LOG_LEVEL: 'warn' },
    nodeFlags,
    startTimeoutMs: START_TIMEOUT_MS,
  });
  authorization = child.authorization;
  const url = child.url;
  try {
    const catchUp = new PeakMemory(child.pid);
    const started = performance.now();
    const health = await child.waitUntilReadModelsCaughtUp(CATCH_UP_TIMEOUT_MS);
    const head = BigInt(health.store.head ?? 0);
    console.log(
      `service caught up at position ${formatCount(Number(head))} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `${describePeak(catchUp.stop())}; node ${process.version} ${nodeFlags.join(' ')}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`,
    );

    // The live facts, loaded once (the first query reads every case's facts from the read model).
    const first = await ok(`${url}/api/stats/timeliness?from=2025-01-01&to=2026-01-01`);
    console.log(`first KPI query (loads the live facts): ${formatMs(first.ms)}`);

    // ---- XLSX monthly report over the whole log ----
    const xlsxPath = `${url}/api/reports/monthly/${REPORT_MONTH}?format=xlsx`;
    for (let i = 0; i < WARM_UPS; i++) await ok(xlsxPath);
    const xlsxMemory = new PeakMemory(child.pid);
    const xlsxMs: number[] = [];
    let xlsxBytes = 0;
    const xlsxCpuBefore = cpuMs(child.pid);
    for (let i = 0; i < REPEATS; i++) {
      const answer = await ok(xlsxPath);
      xlsxMs.push(answer.ms);
      xlsxBytes = answer.body.length;
    }
    const xlsxCpu = (cpuMs(child.pid) - xlsxCpuBefore) / REPEATS;
    const xlsxP50 = median(xlsxMs);
    console.log(
      `XLSX monthly report ${REPORT_MONTH}: p50 ${formatMs(xlsxP50)} (min ${formatMs(Math.min(...xlsxMs))}, max ${formatMs(Math.max(...xlsxMs))}; ` +
        `${REPEATS} after ${WARM_UPS} warm-ups; ${formatCount(xlsxBytes)} bytes; service CPU ${formatMs(xlsxCpu)} per report); target p50 < ${XLSX_TARGET_MS} ms: ${verdict(xlsxP50 < XLSX_TARGET_MS)}; ` +
        describePeak(xlsxMemory.stop()),
    );

    // ---- /health and a command, idle ----
    const idleStop = { done: false };
    const idleRun = probe(url, idleStop);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    idleStop.done = true;
    const idle = await idleRun;

    // ---- what-if over the whole log, probed ----
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG)) as { hotline: { normal: { resolve: { limit: unknown } } } };
    policy.hotline.normal.resolve.limit = { amount: 3, unit: 'working-days' };
    const whatIfBody = JSON.stringify({ from: '2025-01-01', to: '2026-01-01', policy });
    const busyStop = { done: false };
    const whatIfMemory = new PeakMemory(child.pid);
    const busyRun = probe(url, busyStop);
    const whatIfMs: number[] = [];
    let whatIfAnswer = '';
    const whatIfCpuBefore = cpuMs(child.pid);
    for (let i = 0; i < WHAT_IFS; i++) {
      const answer = await ok(`${url}/api/stats/timeliness/what-if`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: whatIfBody,
      });
      whatIfMs.push(answer.ms);
      whatIfAnswer = answer.body.toString('utf8');
    }
    const whatIfCpu = (cpuMs(child.pid) - whatIfCpuBefore) / WHAT_IFS;
    busyStop.done = true;
    const busy = await busyRun;
    const whatIfPeak = whatIfMemory.stop();
    const whatIfPosition = (JSON.parse(whatIfAnswer) as { position: string }).position;
    console.log(
      `what-if over the log (position ${whatIfPosition}): ${whatIfMs.map((ms) => formatMs(ms)).join(', ')} ` +
        `(service CPU ${formatMs(whatIfCpu)} per what-if, the probes' requests included); ${describePeak(whatIfPeak)}`,
    );

    // ---- reports at earlier positions ----
    const half = head / 2n;
    const later = (head * 6n) / 10n;
    const fromZeroMemory = new PeakMemory(child.pid);
    const fromZero = await ok(`${url}/api/reports/monthly/${REPORT_MONTH}?position=${half}`);
    const fromZeroPeak = fromZeroMemory.stop();
    console.log(
      `report at position ${half} (no snapshot before it: from position 0): ${formatMs(fromZero.ms)}; ${describePeak(fromZeroPeak)}`,
    );
    // The replay left a snapshot at `half` in the background: wait until it is in place.
    const snapshotDir = join(dataDir, 'timeliness-snapshots', encodeURIComponent(TIMELINESS_ORG_ID));
    for (let waited = 0; !existsSync(join(snapshotDir, `g${snapshotGeneration(snapshotDir)}-p${half}.ndjson`)); waited += 100) {
      if (waited > 60_000) throw new Error(`no snapshot at ${half} after a minute`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const fromSnapshotMemory = new PeakMemory(child.pid);
    const fromSnapshot = await ok(`${url}/api/reports/monthly/${REPORT_MONTH}?position=${later}`);
    const fromSnapshotPeak = fromSnapshotMemory.stop();
    console.log(
      `report at position ${later} (from the snapshot at ${half}, ${formatCount(Number(later - half))} events after it): ${formatMs(fromSnapshot.ms)} ` +
        `= ${(fromZero.ms / fromSnapshot.ms).toFixed(1)}× faster than from 0; ${describePeak(fromSnapshotPeak)}`,
    );

    // ---- the verdicts ----
    console.log('GET /health and a hotline intake, one after another:');
    const lines = [
      describeLatency('idle: /health', idle.health),
      describeLatency('idle: intake command', idle.command),
      describeLatency('during what-if: /health', busy.health),
      describeLatency('during what-if: intake', busy.command),
    ];
    for (const line of lines) console.log(`  ${line.line}`);
    console.log(
      `  p99 during what-if / idle: /health ${(lines[2].p99 / lines[0].p99).toFixed(2)}×, intake ${(lines[3].p99 / lines[1].p99).toFixed(2)}×; ` +
        `target p99 < ${PROBE_TARGET_P99_MS} ms while the what-if runs: ${verdict(lines[2].p99 < PROBE_TARGET_P99_MS && lines[3].p99 < PROBE_TARGET_P99_MS)}; ` +
        `failed probes: idle ${idle.failures}, busy ${busy.failures}`,
    );
    const peakRss = Math.max(...phasePeaks);
    console.log(
      `peak RSS over every phase: ${megabytes(peakRss)}; target < 400 MB: ${verdict(peakRss < MEMORY_TARGET_BYTES)}; load average ${loadavg()[0].toFixed(1)}`,
    );
    return { label, healthP99: lines[2].p99, intakeP99: lines[3].p99, whatIfMs, peakRss, loadAverage: loadavg()[0] };
  } finally {
    await child.stop().catch(() => child.kill());
  }
}

/** The generation of the snapshots in the folder (the case read model's). */
function snapshotGeneration(dir: string): string {
  if (!existsSync(dir)) return '0';
  const names = readdirSync(dir);
  return /^g(\d+)-/.exec(names.find((name) => name.endsWith('.ndjson')) ?? '')?.[1] ?? '0';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

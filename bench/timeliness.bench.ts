import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_CONFIG } from '@cases/domain';
import { SqliteEventStore } from '@cases/event-store';
import { CHILD_ADMIN_PASSWORD, ChildService, type HealthReport } from '../test/support/child-service';
import {
  formatCount,
  formatMs,
  formatRate,
  median,
  megabytes,
  percentile,
  perSecond,
  positiveNumberFromEnv,
  rawLogScan,
  sortedSamples,
  verdict,
} from './bench-support';
import { TIMELINESS_ORG_ID, TIMELINESS_UNITS, TimelinessLogGenerator, type TimelinessLog } from './case-log-generator';

/**
 * What the timeliness statistics and the monthly report (SPEC §4–5) cost on a year of data: a
 * log of realistic case traffic through 2025 is generated into a fresh data folder with the
 * domain's own deciders, the compiled service is started on it as a child process (the way it
 * runs in production) and catches up its read models, then the endpoints the users call are timed
 * over HTTP, the replay-based paths (what-if under another policy, a report reproduced at an
 * earlier position) are measured in events per second against a raw scan of the same file, and
 * the service's peak resident memory is read from /proc.
 *
 *   npm run bench:timeliness        BENCH_EVENTS (default 1,000,000) events in the log
 *                                   BENCH_REPEATS (default 20) timed requests per endpoint
 *                                   BENCH_REPLAY_REPEATS (default 3) timed replays per path
 *                                   BENCH_IN_PROCESS=1: the service runs inside this process
 *                                   (memory is then this process's, generation included)
 *                                   BENCH_CPU_PROFILE_DIR=<dir> with BENCH_IN_PROCESS=1: one
 *                                   .cpuprofile per phase (catch-up, each endpoint, each replay)
 *                                   BENCH_KEEP_DATA=1 leaves the data folder (events.db,
 *                                   read-models.db) in place for a closer look
 */

const TARGET_EVENTS = Math.round(positiveNumberFromEnv('BENCH_EVENTS', 1_000_000));
const REPEATS = Math.max(1, Math.round(positiveNumberFromEnv('BENCH_REPEATS', 20)));
const REPLAY_REPEATS = Math.max(1, Math.round(positiveNumberFromEnv('BENCH_REPLAY_REPEATS', 3)));
const IN_PROCESS = ['1', 'true'].includes((process.env.BENCH_IN_PROCESS ?? '').toLowerCase());
const CPU_PROFILE_DIR = IN_PROCESS ? process.env.BENCH_CPU_PROFILE_DIR || undefined : undefined;
const KEEP_DATA = ['1', 'true'].includes((process.env.BENCH_KEEP_DATA ?? '').toLowerCase());
/** Pause between two /health probes while a replay runs. */
const PROBE_INTERVAL_MS = 50;
/** Appends issued together while the log is written, in recorded order (sets the group-commit size). */
const APPENDS_PER_WAVE = 2_000;
/** Unmeasured requests per endpoint before the timed ones: the JIT and SQLite's page cache warm up. */
const WARM_UPS = 3;
const TARGET_P50_MS = 300;
const START_TIMEOUT_MS = 5 * 60_000;
const CATCH_UP_TIMEOUT_MS = 60 * 60_000;
const REQUEST_TIMEOUT_MS = 30 * 60_000;
const HEALTH_POLL_MS = 100;
const PERIOD = 'from=2025-01-01&to=2026-01-01';
const REPORT_MONTH = '2025-06';

/** The service under test: a child process, or the Nest app inside this process. */
interface ServiceUnderTest {
  url: string;
  /** Peak resident memory (VmHWM of the child, else this process's maxRSS), in bytes. */
  peakResidentBytes(): number;
  /** Resident memory now (VmRSS of the child, else this process's RSS), in bytes. */
  residentBytes(): number;
  describeMemory: string;
  stop(): Promise<void>;
}

interface Answer {
  ms: number;
  status: number;
  body: Buffer;
}

interface KpiValue {
  numerator: number;
  denominator: number;
  ratio: number | null;
}

interface TimelinessAnswer {
  position: string;
  groups: { group: Record<string, string>; kpis: Record<string, KpiValue> }[];
}

interface MonthlyReportAnswer {
  position: string;
  units: { unit: string; due: number; onTime: number; late: number; openOverdue: number; unsatisfied: number }[];
  overdue: unknown[];
  unsatisfied: unknown[];
}

/** The signed-in admin's Authorization header, once the service is up: every API route needs it. */
let authorization: Record<string, string> = {};

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const headers = { ...authorization, ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = Buffer.from(await response.arrayBuffer());
  return { ms: performance.now() - started, status: response.status, body };
}

async function ok(url: string, init: RequestInit = {}): Promise<Answer> {
  const answer = await request(url, init);
  if (answer.status !== 200) {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 2000)}`);
  }
  return answer;
}

/** A `kB` line of /proc/<pid>/status, in bytes. */
function statusBytes(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

function memory(service: ServiceUnderTest): string {
  return `service RSS ${megabytes(service.residentBytes())}, peak so far ${megabytes(service.peakResidentBytes())}`;
}

/** CPU profiles of the phases when BENCH_CPU_PROFILE_DIR is set (in-process only); otherwise runs the phase. */
class PhaseProfiler {
  private session: Session | undefined;

  constructor(private readonly dir: string | undefined) {}

  async run<T>(phase: string, body: () => Promise<T>): Promise<T> {
    if (this.dir === undefined) return body();
    if (this.session === undefined) {
      this.session = new Session();
      this.session.connect();
      await this.post('Profiler.enable');
      await this.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    await this.post('Profiler.start');
    try {
      return await body();
    } finally {
      const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
      writeFileSync(join(this.dir, `${phase}.cpuprofile`), JSON.stringify(profile));
    }
  }

  private post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) =>
      (this.session as Session).post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}

function ratio(value: KpiValue | undefined): string {
  if (value === undefined) return '?';
  return `${value.ratio === null ? 'null' : value.ratio.toFixed(3)} (${formatCount(value.numerator)}/${formatCount(value.denominator)})`;
}

/** Polls /health until every read model reports lag 0 at the log's head; returns the last report. */
async function waitForCatchUp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<HealthReport> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    if (!isAlive()) throw new Error('The service exited while catching up');
    try {
      const answer = await request(`${url}/health`);
      const health = JSON.parse(answer.body.toString('utf8')) as HealthReport;
      last = health;
      const models = health.readModels ?? [];
      if (answer.status === 200 && models.length > 0 && models.every((model) => Number(model.lag) === 0 && !model.rebuilding)) {
        return health;
      }
    } catch {
      // Not answering yet.
    }
    if (Date.now() >= deadline) throw new Error(`Read models not caught up within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
}

async function startChild(dataDir: string): Promise<{ service: ServiceUnderTest; isAlive: () => boolean }> {
  const child = await ChildService.start({
    dataDir,
    env: { ORG_ID: TIMELINESS_ORG_ID, SCHEDULER_INTERVAL_MS: '0' },
    startTimeoutMs: START_TIMEOUT_MS,
  });
  authorization = child.authorization;
  return {
    service: {
      url: child.url,
      peakResidentBytes: () => child.peakResidentBytes(),
      residentBytes: () => statusBytes(child.pid, 'VmRSS'),
      describeMemory: `VmHWM of the service process (pid ${child.pid})`,
      stop: async () => {
        await child.stop().catch(() => child.kill());
      },
    },
    isAlive: () => child.running,
  };
}

async function startInProcess(dataDir: string): Promise<{ service: ServiceUnderTest; isAlive: () => boolean }> {
  // Loaded only in this mode, so the child mode's own memory stays the benchmark's.
  const { createApp } = await import('../apps/case-service/src/bootstrap');
  const { loadConfig } = await import('../apps/case-service/src/config/app-config');
  const app = await createApp(
    loadConfig({ DATA_DIR: dataDir, SCHEDULER_INTERVAL_MS: '0', ORG_ID: TIMELINESS_ORG_ID, CASES_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD }),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const signIn = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: CHILD_ADMIN_PASSWORD }),
  });
  if (signIn.status !== 200) throw new Error(`Sign-in as admin answered ${signIn.status}: ${await signIn.text()}`);
  authorization = { authorization: `Bearer ${((await signIn.json()) as { accessToken: string }).accessToken}` };
  return {
    service: {
      url: `http://127.0.0.1:${port}`,
      peakResidentBytes: () => process.resourceUsage().maxRSS * 1024,
      residentBytes: () => process.memoryUsage().rss,
      describeMemory: 'maxRSS of this process (service in-process, log generation included)',
      stop: () => app.close(),
    },
    isAlive: () => true,
  };
}

/** The mix the generator chose, as shares of each step's outcomes (e.g. hotline sign: on-time, late, never). */
function describeMix(log: TimelinessLog): string[] {
  const o = (key: string): number => log.outcomes.get(key) ?? 0;
  const sum = (keys: readonly string[]): number => keys.reduce((total, key) => total + o(key), 0);
  /** "on-time 89.4%, late 7.6%, never 3.0%" for `prefix`.on-time … over their sum. */
  const shares = (prefix: string, outcomes: readonly string[]): string => {
    const keys = outcomes.map((outcome) => `${prefix}.${outcome}`);
    return keys.map((key, index) => `${outcomes[index]} ${percent(o(key), sum(keys))}`).join(', ');
  };
  const count = (key: string): string => formatCount(o(key));
  const allKinds = (key: string): string => formatCount(sum(['hotline', 'petition', 'dispute'].map((kind) => `${kind}.${key}`)));
  const timing = ['on-time', 'late', 'never'];
  const satisfactions = ['satisfied', 'basically-satisfied', 'unsatisfied'];
  const callbacks = sum(satisfactions.map((satisfaction) => `hotline.callback.${satisfaction}`));
  const accepted = sum(['petition.acceptance.on-time', 'petition.acceptance.late']);
  return [
    `  hotline ${formatCount(log.byKind.hotline)}: sign ${shares('hotline.sign', timing)}; resolve ${shares('hotline.resolve', timing)}; ` +
      `${formatCount(callbacks)} call-backs: ${shares('hotline.callback', satisfactions)}, late ${percent(o('hotline.callback.late'), callbacks)}; ` +
      `reopened ${count('hotline.reopened')}, returned ${count('hotline.returned')}, never called back ${count('hotline.callback.never')}, ` +
      `closed unreachable ${count('hotline.callback.closed-unreachable')}, never dispatched ${count('hotline.never-dispatched')}`,
    `  petition ${formatCount(log.byKind.petition)}: accepted ${formatCount(accepted)} (late ${percent(o('petition.acceptance.late'), accepted)}), ` +
      `rejected ${count('petition.rejected')}, never accepted ${count('petition.acceptance.never')}; reply ${shares('petition.reply', timing)}; ` +
      `repeat-of ${count('petition.repeat-of')}, re-examined ${count('petition.reexamination')}`,
    `  dispute ${formatCount(log.byKind.dispute)}: mediation ${shares('dispute.mediation', timing)}; ` +
      `mediated ${count('dispute.mediated')}, failed ${count('dispute.failed')}, rejected ${count('dispute.rejected')}`,
    `  all kinds: extensions approved ${allKinds('extension.approved')}, refused ${allKinds('extension.refused')}; ` +
      `supervision orders ${allKinds('supervised')}`,
  ];
}

interface LatencyCase {
  label: string;
  path: string;
  describe: (body: Buffer) => string;
}

async function measureLatency(url: string, latency: LatencyCase): Promise<boolean> {
  const first = await ok(`${url}${latency.path}`);
  for (let i = 0; i < WARM_UPS; i++) await ok(`${url}${latency.path}`);
  const samples: number[] = [];
  let last = first;
  for (let i = 0; i < REPEATS; i++) {
    last = await ok(`${url}${latency.path}`);
    samples.push(last.ms);
  }
  const sorted = sortedSamples(samples);
  const p50 = percentile(sorted, 0.5);
  const met = p50 < TARGET_P50_MS;
  console.log(
    `${latency.label.padEnd(34)} p50 ${formatMs(p50).padStart(9)}, p99 ${formatMs(percentile(sorted, 0.99)).padStart(9)} ` +
      `(min ${formatMs(sorted[0])}; ${REPEATS} runs after ${WARM_UPS} warm-ups; first call ${formatMs(first.ms)}) ` +
      `target p50 < ${TARGET_P50_MS} ms: ${verdict(met)}`,
  );
  console.log(`${''.padEnd(34)} GET ${latency.path} → ${latency.describe(last.body)}`);
  return met;
}

interface ReplayOutcome {
  rates: number[];
  last: Answer;
}

async function measureReplay(run: () => Promise<Answer>, events: number): Promise<ReplayOutcome> {
  await run(); // warm-up
  const rates: number[] = [];
  let last: Answer | undefined;
  for (let i = 0; i < REPLAY_REPEATS; i++) {
    last = await run();
    rates.push(perSecond(events, last.ms));
  }
  return { rates, last: last as Answer };
}

/**
 * Runs `work` while probing GET /health one request after another: how long the service keeps
 * other requests waiting while it replays (an embedded store reads synchronously).
 */
async function probeHealthDuring(url: string, work: () => Promise<Answer>): Promise<ProbedWork> {
  let finished = false;
  const probesMs: number[] = [];
  const failures: string[] = [];
  const prober = (async () => {
    while (!finished) {
      const started = performance.now();
      try {
        await request(`${url}/health`);
      } catch (error) {
        // A request on a kept-alive connection can be reset rather than answered: count it, keep probing.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        failures.push(cause);
      }
      probesMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();
  try {
    return { work: await work(), probesMs, failures };
  } finally {
    finished = true;
    await prober;
  }
}

interface ProbedWork {
  work: Answer;
  /** Time to the answer (or the failure) of each /health probe. */
  probesMs: number[];
  failures: string[];
}

function describeProbes(during: ProbedWork): string {
  const sorted = sortedSamples(during.probesMs);
  const failed =
    during.failures.length === 0 ? 'none failed' : `${during.failures.length} FAILED (${[...new Set(during.failures)].join(', ')})`;
  return (
    `GET /health meanwhile (one after another, ${PROBE_INTERVAL_MS} ms apart): ${during.probesMs.length} sent during a ` +
    `${formatMs(during.work.ms)} replay, ${failed}; p50 ${formatMs(percentile(sorted, 0.5))}, max ${formatMs(sorted[sorted.length - 1])}`
  );
}

function describeRates(events: number, outcome: ReplayOutcome): string {
  const medianRate = median(outcome.rates);
  return (
    `${formatCount(events)} events in ${(events / medianRate).toFixed(2)} s = ${formatRate(medianRate)} ` +
    `(median of ${outcome.rates.length} after a warm-up; best ${formatRate(Math.max(...outcome.rates))}, ` +
    `worst ${formatRate(Math.min(...outcome.rates))})`
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-timeliness-'));
  const eventsFile = join(dir, 'events.db');
  let service: ServiceUnderTest | undefined;
  try {
    // ---- 1. the log ----
    const store = SqliteEventStore.open(eventsFile);
    let generated: TimelinessLog;
    try {
      generated = await new TimelinessLogGenerator(store, { appendsPerWave: APPENDS_PER_WAVE }).generate(TARGET_EVENTS);
    } finally {
      await store.close();
    }
    console.log(
      `Timeliness benchmark: ${formatCount(generated.events)} events, ${formatCount(generated.cases)} cases ` +
        `(${(generated.events / generated.cases).toFixed(1)} events per case incl. counter and scheduler events), ` +
        `${TIMELINESS_UNITS.length} units; node ${process.version}, ${cpus().length} CPUs; data in ${dir}`,
    );
    console.log(
      `  generated in ${(generated.elapsedMs / 1000).toFixed(1)} s (${formatRate(perSecond(generated.events, generated.elapsedMs))}, ` +
        `${formatCount(store.committedTransactions)} group commits, appended in recorded order, ` +
        `up to ${formatCount(generated.peakOpenCases)} cases open at once); ` +
        `intakes ${generated.firstIntakeAt} … ${generated.lastIntakeAt}, latest business time ${generated.lastEventAt}; ` +
        `events.db ${megabytes(fileBytes(eventsFile) + fileBytes(`${eventsFile}-wal`))}`,
    );
    for (const line of describeMix(generated)) console.log(line);

    // ---- 2. the service and its read models ----
    const profiler = new PhaseProfiler(CPU_PROFILE_DIR);
    const spawned = performance.now();
    let answeringMs = 0;
    const health = await profiler.run('catch-up', async () => {
      const started = IN_PROCESS ? await startInProcess(dir) : await startChild(dir);
      service = started.service;
      answeringMs = performance.now() - spawned;
      return waitForCatchUp(started.service.url, CATCH_UP_TIMEOUT_MS, started.isAlive);
    });
    const caughtUpMs = performance.now() - spawned;
    if (service === undefined) throw new Error('The service did not start');
    const head = Number(health.store.head);
    const models = (health.readModels ?? []).map((model) => model.projection);
    console.log(
      `catch-up (${IN_PROCESS ? 'in-process' : 'child process'}): ${models.length} read models (${models.join(', ')}) at position ` +
        `${formatCount(head)} ${(caughtUpMs / 1000).toFixed(1)} s after start (/health answered after ${(answeringMs / 1000).toFixed(1)} s) = ` +
        `${formatRate(perSecond(head, caughtUpMs))} per read model, ${formatRate(perSecond(head * models.length, caughtUpMs))} applied in all; ` +
        `${memory(service)}; read-models.db ${megabytes(fileBytes(join(dir, 'read-models.db')) + fileBytes(join(dir, 'read-models.db-wal')))}`,
    );

    // ---- 3. what the users see ----
    const url = service.url;
    const running: ServiceUnderTest = service;
    const latencies: LatencyCase[] = [
      {
        label: '(a) KPIs for 2025',
        path: `/api/stats/timeliness?${PERIOD}`,
        describe: (body) => {
          const answer = JSON.parse(body.toString('utf8')) as TimelinessAnswer;
          const kpis = answer.groups[0]?.kpis ?? {};
          return (
            `position ${answer.position}; response ${ratio(kpis.response)}, onTimeResolution ${ratio(kpis.onTimeResolution)}, ` +
            `satisfaction ${ratio(kpis.satisfaction)}, solved ${ratio(kpis.solved)}, timelyAcceptance ${ratio(kpis.timelyAcceptance)}, ` +
            `onTimeReply ${ratio(kpis.onTimeReply)}, firstTimeResolution ${ratio(kpis.firstTimeResolution)}, ` +
            `disputeResolution ${ratio(kpis.disputeResolution)}`
          );
        },
      },
      {
        label: '(b) KPIs for 2025 by unit',
        path: `/api/stats/timeliness?${PERIOD}&groupBy=unit`,
        describe: (body) => {
          const answer = JSON.parse(body.toString('utf8')) as TimelinessAnswer;
          const rates = answer.groups
            .map((group) => group.kpis.onTimeResolution?.ratio)
            .filter((value): value is number => typeof value === 'number');
          return (
            `${answer.groups.length} groups, ${formatCount(body.length)} bytes; onTimeResolution by unit ` +
            `${Math.min(...rates).toFixed(3)} … ${Math.max(...rates).toFixed(3)}`
          );
        },
      },
      {
        label: `(c) monthly report ${REPORT_MONTH} JSON`,
        path: `/api/reports/monthly/${REPORT_MONTH}`,
        describe: (body) => {
          const report = JSON.parse(body.toString('utf8')) as MonthlyReportAnswer;
          const due = report.units.reduce((sum, row) => sum + row.due, 0);
          const late = report.units.reduce((sum, row) => sum + row.late, 0);
          return (
            `position ${report.position}; ${report.units.length} unit rows (${formatCount(due)} milestones due, ${formatCount(late)} late), ` +
            `${formatCount(report.overdue.length)} overdue rows, ${formatCount(report.unsatisfied.length)} unsatisfied rows; ` +
            `${formatCount(body.length)} bytes`
          );
        },
      },
      {
        label: `(d) monthly report ${REPORT_MONTH} XLSX`,
        path: `/api/reports/monthly/${REPORT_MONTH}?format=xlsx`,
        describe: (body) =>
          `${formatCount(body.length)} bytes (${body.subarray(0, 2).toString('latin1') === 'PK' ? 'a zip, as XLSX is' : 'NOT a zip'})`,
      },
    ];
    let allMet = true;
    for (const [index, latency] of latencies.entries()) {
      allMet = (await profiler.run(`latency-${'abcd'[index]}`, () => measureLatency(url, latency))) && allMet;
    }
    console.log(
      `${allMet ? `every endpoint met p50 < ${TARGET_P50_MS} ms` : `some endpoint MISSED p50 < ${TARGET_P50_MS} ms`}; ${memory(running)}`,
    );

    // ---- 4. the replay-based paths ----
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG)) as {
      hotline: { normal: { resolve: { limit: unknown } } };
    };
    policy.hotline.normal.resolve.limit = { amount: 3, unit: 'working-days' };
    const whatIfBody = JSON.stringify({ from: '2025-01-01', to: '2026-01-01', policy });
    const whatIf = await profiler.run('what-if', () =>
      measureReplay(
        () =>
          ok(`${url}/api/stats/timeliness/what-if`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: whatIfBody }),
        head,
      ),
    );
    const whatIfAnswer = JSON.parse(whatIf.last.body.toString('utf8')) as TimelinessAnswer;
    const actual = JSON.parse((await ok(`${url}/api/stats/timeliness?${PERIOD}`)).body.toString('utf8')) as TimelinessAnswer;
    const whatIfRate = median(whatIf.rates);
    console.log(`what-if (hotline resolve limit 3 working days), POST /api/stats/timeliness/what-if: ${describeRates(head, whatIf)}`);
    console.log(
      `${''.padEnd(4)}position ${whatIfAnswer.position}; onTimeResolution ${ratio(actual.groups[0]?.kpis.onTimeResolution)} under the ` +
        `default policy → ${ratio(whatIfAnswer.groups[0]?.kpis.onTimeResolution)} under the alternative; ${memory(running)}`,
    );
    const whatIfProbed = await probeHealthDuring(url, () =>
      ok(`${url}/api/stats/timeliness/what-if`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: whatIfBody }),
    );
    console.log(`${''.padEnd(4)}${describeProbes(whatIfProbed)}`);

    const half = Math.floor(head / 2);
    const positioned = await profiler.run('report-at-position', () =>
      measureReplay(() => ok(`${url}/api/reports/monthly/${REPORT_MONTH}?position=${half}`), half),
    );
    const positionedReport = JSON.parse(positioned.last.body.toString('utf8')) as MonthlyReportAnswer;
    const positionedRate = median(positioned.rates);
    console.log(`report at half the head, GET /api/reports/monthly/${REPORT_MONTH}?position=${half}: ${describeRates(half, positioned)}`);
    console.log(
      `${''.padEnd(4)}position ${positionedReport.position}; ${positionedReport.units.length} unit rows, ` +
        `${formatCount(positionedReport.overdue.length)} overdue rows, ${formatCount(positionedReport.unsatisfied.length)} unsatisfied rows; ` +
        memory(running),
    );

    const raw = rawLogScan(eventsFile);
    const rawRate = perSecond(raw.events, raw.elapsedMs);
    const rawHalf = rawLogScan(eventsFile, half);
    const rawHalfRate = perSecond(rawHalf.events, rawHalf.elapsedMs);
    console.log(
      `raw scan (better-sqlite3 iterate + JSON.parse data, metadata; in the benchmark process): ${formatCount(raw.events)} events in ` +
        `${(raw.elapsedMs / 1000).toFixed(2)} s = ${formatRate(rawRate)}; to half the head ${formatRate(rawHalfRate)}`,
    );
    console.log(
      `raw scan / replay: what-if ${(rawRate / whatIfRate).toFixed(2)}×, report at a position ${(rawHalfRate / positionedRate).toFixed(2)}×`,
    );

    // ---- 5. memory ----
    console.log(`peak resident memory: ${megabytes(running.peakResidentBytes())} (${running.describeMemory})`);
  } finally {
    await service?.stop();
    if (KEEP_DATA) console.log(`data kept in ${dir} (BENCH_KEEP_DATA)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

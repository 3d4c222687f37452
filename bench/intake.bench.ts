import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SqliteEventStore } from '@cases/event-store';
import { ChildService } from '../test/support/child-service';
import { formatCount, formatRate, megabytes, percentile, perSecond, positiveNumberFromEnv, verdict } from './bench-support';

/**
 * Intake throughput against the service's floor: the compiled service runs as a child process on
 * a fresh data folder, and autocannon drives GET /health (no I/O beyond a SELECT 1) and
 * POST /api/hotline-tickets (read the stream, allocate a number, append with an fsync'd group
 * commit) alternately in the same run, so both see the same machine. Afterwards every 201 is
 * looked up in the event log: a benchmark that loses intakes has measured nothing.
 *
 *   npm run bench:intake            BENCH_SECONDS (default 10) per endpoint
 */

const SECONDS_PER_ENDPOINT = positiveNumberFromEnv('BENCH_SECONDS', 10);
const CONNECTIONS = 50;
/** Each endpoint's time is split into this many phases, alternated with the other endpoint's, so drift hits both alike. */
const PHASES_PER_ENDPOINT = 2;
/** Unmeasured first run of each endpoint: the child's JIT and SQLite's page cache warm up. */
const WARM_UP_SECONDS = 1;
const REQUEST_TIMEOUT_SECONDS = 10;
const CATCH_UP_TIMEOUT_MS = 60_000;
const READ_ALL_PAGE = 10_000;
const TARGET_INTAKE_SHARE_OF_HEALTH = 0.4;
const TARGET_INTAKE_P99_MS = 25;
const TARGET_PEAK_MEMORY_BYTES = 400 * 1024 * 1024;

type Endpoint = 'health' | 'intake';

interface PhaseOutcome {
  endpoint: Endpoint;
  elapsedMs: number;
  /** Latency of every 2xx answer, in ms. */
  latenciesMs: number[];
  non2xx: number;
  errors: number;
}

/** The intakes the benchmark sent and the case ids the service acknowledged with 201. */
class IntakeLedger {
  sent = 0;
  answered = 0;
  readonly acknowledgedCaseIds = new Set<string>();
  /** Unique per run and per request, so every intake opens a new case. */
  private readonly runId = Date.now().toString(36);

  nextBody(): string {
    this.sent += 1;
    return JSON.stringify({
      platformTicketNo: `BENCH-${this.runId}-${this.sent}`,
      title: '路灯不亮',
      description: '小寨路口路灯损坏，夜间行人不便',
      community: '小寨社区',
      urgency: 'normal',
    });
  }

  recordAnswer(status: number, body: string): void {
    this.answered += 1;
    if (status === 201) this.acknowledgedCaseIds.add((JSON.parse(body) as { id: string }).id);
  }
}

function requestsFor(endpoint: Endpoint, ledger: IntakeLedger): autocannon.Request[] {
  if (endpoint === 'health') return [{ method: 'GET', path: '/health' }];
  return [
    {
      method: 'POST',
      path: '/api/hotline-tickets',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => ({ ...request, body: ledger.nextBody() }),
      onResponse: (status, body) => ledger.recordAnswer(status, body),
    },
  ];
}

function runPhase(service: ChildService, endpoint: Endpoint, seconds: number, ledger: IntakeLedger): Promise<PhaseOutcome> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    let non2xx = 0;
    const instance = autocannon(
      {
        url: service.url,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: requestsFor(endpoint, ledger),
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ endpoint, elapsedMs: result.duration * 1000, latenciesMs, non2xx, errors: result.errors });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
      else non2xx += 1;
    });
  });
}

interface EndpointSummary {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  answered2xx: number;
  non2xx: number;
  errors: number;
}

function summarise(phases: readonly PhaseOutcome[]): EndpointSummary {
  const latencies = Float64Array.from(phases.flatMap((phase) => phase.latenciesMs)).sort();
  const elapsedMs = phases.reduce((sum, phase) => sum + phase.elapsedMs, 0);
  return {
    requestsPerSecond: perSecond(latencies.length, elapsedMs),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    answered2xx: latencies.length,
    non2xx: phases.reduce((sum, phase) => sum + phase.non2xx, 0),
    errors: phases.reduce((sum, phase) => sum + phase.errors, 0),
  };
}

function summaryLine(label: string, summary: EndpointSummary): string {
  return (
    `${label.padEnd(22)} ${formatRate(summary.requestsPerSecond).padStart(9)}  p50 ${summary.p50Ms.toFixed(2)} ms  ` +
    `p99 ${summary.p99Ms.toFixed(2)} ms  (${formatCount(summary.answered2xx)} × 2xx, ${summary.non2xx} non-2xx, ${summary.errors} errors)`
  );
}

/** Ids of the cases opened by a hotline intake in the log, read straight from the store's file. */
async function hotlineCaseIdsInLog(file: string): Promise<Set<string>> {
  const store = SqliteEventStore.open(file);
  try {
    const caseIds = new Set<string>();
    for (let after = 0n; ; ) {
      const events = await store.readAll({ after, maxCount: READ_ALL_PAGE });
      if (events.length === 0) return caseIds;
      for (const event of events) {
        if (event.type === 'HotlineTicketReceived') caseIds.add((event.data as { caseId: string }).caseId);
      }
      after = events[events.length - 1].position;
    }
  } finally {
    await store.close();
  }
}

async function listedCaseCount(service: ChildService): Promise<number> {
  const response = await fetch(`${service.url}/api/cases?pageSize=1`);
  if (response.status !== 200) throw new Error(`GET /api/cases answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { total: number }).total;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
  const ledger = new IntakeLedger();
  const service = await ChildService.start({ dataDir });
  try {
    const phaseSeconds = SECONDS_PER_ENDPOINT / PHASES_PER_ENDPOINT;
    console.log(
      `Intake benchmark: ${CONNECTIONS} connections, ${SECONDS_PER_ENDPOINT} s per endpoint in ${PHASES_PER_ENDPOINT} ` +
        `alternating phases of ${phaseSeconds} s, after ${WARM_UP_SECONDS} s of warm-up each; service pid ${service.pid}, data in ${dataDir}`,
    );
    await runPhase(service, 'health', WARM_UP_SECONDS, ledger);
    await runPhase(service, 'intake', WARM_UP_SECONDS, ledger);

    const phases: PhaseOutcome[] = [];
    for (let round = 1; round <= PHASES_PER_ENDPOINT; round++) {
      for (const endpoint of ['health', 'intake'] as const) {
        const phase = await runPhase(service, endpoint, phaseSeconds, ledger);
        phases.push(phase);
        console.log(summaryLine(`  phase ${phases.length} ${endpoint}`, summarise([phase])));
      }
    }
    const health = summarise(phases.filter((phase) => phase.endpoint === 'health'));
    const intake = summarise(phases.filter((phase) => phase.endpoint === 'intake'));
    const share = intake.requestsPerSecond / health.requestsPerSecond;
    console.log(summaryLine('GET /health', health));
    console.log(summaryLine('POST /hotline-tickets', intake));
    console.log(
      `intake / health: ${share.toFixed(3)} (target ≥ ${TARGET_INTAKE_SHARE_OF_HEALTH}: ${verdict(share >= TARGET_INTAKE_SHARE_OF_HEALTH)}); ` +
        `intake p99 ${intake.p99Ms.toFixed(2)} ms (target < ${TARGET_INTAKE_P99_MS} ms: ${verdict(intake.p99Ms < TARGET_INTAKE_P99_MS)})`,
    );

    await service.waitUntilReadModelsCaughtUp(CATCH_UP_TIMEOUT_MS);
    const peakBytes = service.peakResidentBytes();
    console.log(
      `service peak resident memory (VmHWM): ${megabytes(peakBytes)} (target < ${megabytes(TARGET_PEAK_MEMORY_BYTES)}: ` +
        `${verdict(peakBytes < TARGET_PEAK_MEMORY_BYTES)})`,
    );
    const listed = await listedCaseCount(service);
    await service.stop();

    // Requests still in flight when a phase ended were cut off unanswered: they may or may not
    // have been stored, so they bound the surplus; an acknowledged intake missing is a loss.
    const inLog = await hotlineCaseIdsInLog(join(dataDir, 'events.db'));
    const acknowledged = ledger.acknowledgedCaseIds;
    const lost = [...acknowledged].filter((caseId) => !inLog.has(caseId)).length;
    const unanswered = ledger.sent - ledger.answered;
    const storedUnanswered = inLog.size - (acknowledged.size - lost);
    console.log(
      `intakes answered 201 (warm-up included): ${formatCount(acknowledged.size)}; cases in the list: ${formatCount(listed)}; ` +
        `cases in the log: ${formatCount(inLog.size)}; acknowledged but missing from the log: ${lost}; ` +
        `stored though cut off unanswered at a phase end: ${storedUnanswered} of ${unanswered}`,
    );
    const consistent = lost === 0 && listed === inLog.size && storedUnanswered >= 0 && storedUnanswered <= unanswered;
    console.log(consistent ? 'nothing lost: every 201 is in the log and in the list' : 'INCONSISTENT: see the counts above');
    if (!consistent) process.exitCode = 1;
  } finally {
    await service.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

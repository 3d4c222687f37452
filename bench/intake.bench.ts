import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@cases/event-store';
import { ChildService } from '../test/support/child-service';
import { formatCount, megabytes, positiveNumberFromEnv, verdict } from './bench-support';
import { HotlineIntakeLedger, hotlineCaseIdsInLog } from './hotline-intakes';
import { describeProfile, profileOfProcess, summariseProfile, windowsFile, type TimeWindow } from './cpu-profile';
import {
  ServerProcess,
  runInterleaved,
  runPhase,
  summarise,
  summariseTarget,
  summaryLine,
  type LoadSummary,
  type LoadTarget,
  type PhaseOutcome,
} from './http-load';

/**
 * Durable intake against the service's own floor and Node's: the compiled service runs as a child
 * process on a fresh data folder, signed in as admin, and autocannon drives, interleaved in the
 * same run so all see the same machine:
 *   - a bare Node `http` server (its own child process) answering a fixed JSON body: Node's floor;
 *   - GET /health (a SELECT 1 and the head position): the framework's floor on this service;
 *   - GET of an unknown /api route: every middleware, then Nest's 404 through the problem filter;
 *   - POST /api/hotline-tickets: sign-in check, validation, a case number, an fsync'd group commit.
 * Each line gives the rate, exact p50/p99 and the server's CPU time per request (from /proc): on a
 * shared machine the CPU ratios hold better than the rates. Then intakes are offered at 40% of the
 * measured /health rate (open loop), where the latency target is read. Afterwards every 201 is looked up in the event log and the case list (a benchmark that loses
 * intakes has measured nothing), and the log's hash chain is verified through the audit route.
 *
 * Build into a folder of its own (so `dist/`, which others run, is left alone) and run it there:
 *
 *   npx tsc -p tsconfig.build.json --outDir .tmp/bench-dist
 *   CASE_SERVICE_ENTRY=.tmp/bench-dist/apps/case-service/src/main.js TS_NODE_BASEURL=.tmp/bench-dist \
 *     NODE_OPTIONS='-r tsconfig-paths/register' node .tmp/bench-dist/bench/intake.bench.js
 *
 * or `npm run bench:intake` (builds `dist/` with nest build).
 *   BENCH_SECONDS (default 10)        per endpoint, in BENCH_ROUNDS interleaved phases
 *   BENCH_ROUNDS (default 2)          more phases, shorter, even out a shared machine's drift
 *   BENCH_CPU_PROFILE_DIR=<dir>       runs the service under `node --cpu-prof` and prints where
 *                                     its time went during the intake phases (slower: measure
 *                                     without it)
 *   BENCH_COMPARE_ENTRY=<main.js>     also runs another build of the service (a candidate change),
 *                                     interleaved with this one on the same machine, labelled [B]
 */

const SECONDS_PER_ENDPOINT = positiveNumberFromEnv('BENCH_SECONDS', 10);
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR ? resolve(process.env.BENCH_CPU_PROFILE_DIR) : undefined;
const COMPARE_ENTRY = process.env.BENCH_COMPARE_ENTRY || undefined;
const CONNECTIONS = 50;
/** Each endpoint's time is split into this many phases, interleaved with the others', so drift hits all alike. */
const ROUNDS = positiveNumberFromEnv('BENCH_ROUNDS', 2);
/** Unmeasured first run of each endpoint: the child's JIT and SQLite's page cache warm up. */
const WARM_UP_SECONDS = 1;
const REQUEST_TIMEOUT_SECONDS = 10;
const CATCH_UP_TIMEOUT_MS = 60_000;
const VERIFY_TIMEOUT_MS = 120_000;
const TARGET_INTAKE_SHARE_OF_HEALTH = 0.4;
const TARGET_INTAKE_P99_MS = 25;
const TARGET_PEAK_MEMORY_BYTES = 400 * 1024 * 1024;
const LABELS = {
  bare: 'bare Node http (fixed JSON)',
  health: 'GET /health',
  notFound: 'GET /api/<unknown> (404)',
  intake: 'POST /api/hotline-tickets',
};

/** One build of the service under load, on its own data folder. */
interface ServiceUnderTest {
  /** '' for the build under test; ' [B]' for the one it is compared with. */
  suffix: string;
  service: ChildService;
  dataDir: string;
  ledger: HotlineIntakeLedger;
}

function labels(suffix: string): { health: string; notFound: string; intake: string } {
  return { health: `${LABELS.health}${suffix}`, notFound: `${LABELS.notFound}${suffix}`, intake: `${LABELS.intake}${suffix}` };
}

function serviceTargets({ suffix, service, ledger }: ServiceUnderTest): LoadTarget[] {
  const label = labels(suffix);
  return [
    { label: label.health, url: service.url, serverPid: service.pid, requests: [{ method: 'GET', path: '/health' }] },
    {
      label: label.notFound,
      url: service.url,
      serverPid: service.pid,
      expectedStatus: 404,
      requests: [{ method: 'GET', path: '/api/no-such-route', headers: service.authorization }],
    },
    {
      label: label.intake,
      url: service.url,
      serverPid: service.pid,
      expectedStatus: 201,
      requests: [
        {
          method: 'POST',
          path: '/api/hotline-tickets',
          headers: { 'content-type': 'application/json', ...service.authorization },
          setupRequest: (request) => ({ ...request, body: ledger.nextBody() }),
          onResponse: (status, body) => ledger.record(status, body),
        },
      ],
    },
  ];
}

/** Ids of the cases opened by a hotline intake in the log, read straight from the store's file. */
async function hotlineCaseIdsInFile(file: string): Promise<Set<string>> {
  const store = SqliteEventStore.open(file);
  try {
    return await hotlineCaseIdsInLog(store);
  } finally {
    await store.close();
  }
}

async function getJson<T>(service: ChildService, path: string, timeoutMs: number): Promise<T> {
  const response = await fetch(`${service.url}${path}`, { headers: service.authorization, signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

function ratio(numerator: number, denominator: number): string {
  return (numerator / denominator).toFixed(3);
}

function report(phases: readonly PhaseOutcome[], bareNode: LoadSummary, suffix: string): void {
  const label = labels(suffix);
  const [health, notFound, intake] = [label.health, label.notFound, label.intake].map((name) => summariseTarget(phases, name));
  console.log(summaryLine(label.health, health));
  console.log(summaryLine(label.notFound, notFound));
  console.log(summaryLine(label.intake, intake));
  const share = intake.requestsPerSecond / health.requestsPerSecond;
  console.log(
    `health / bare ${ratio(health.requestsPerSecond, bareNode.requestsPerSecond)}, ` +
      `404 / bare ${ratio(notFound.requestsPerSecond, bareNode.requestsPerSecond)}, ` +
      `intake / bare ${ratio(intake.requestsPerSecond, bareNode.requestsPerSecond)}`,
  );
  console.log(
    `service CPU per request: intake ${ratio(intake.cpuMsPerRequest, health.cpuMsPerRequest)} × health, ` +
      `404 ${ratio(notFound.cpuMsPerRequest, health.cpuMsPerRequest)} × health, ` +
      `health ${ratio(health.cpuMsPerRequest, bareNode.cpuMsPerRequest)} × bare Node`,
  );
  console.log(
    `intake / health${suffix}: ${share.toFixed(3)} (target ≥ ${TARGET_INTAKE_SHARE_OF_HEALTH}: ${verdict(share >= TARGET_INTAKE_SHARE_OF_HEALTH)}); ` +
      `intake p99 ${intake.p99Ms.toFixed(2)} ms (target < ${TARGET_INTAKE_P99_MS} ms: ${verdict(intake.p99Ms < TARGET_INTAKE_P99_MS)})`,
  );
}

/** After the load: memory, the case list, the hash chain and the log agree with what was acknowledged; true when they do. */
async function check({ suffix, service, dataDir, ledger }: ServiceUnderTest): Promise<boolean> {
  await service.waitUntilReadModelsCaughtUp(CATCH_UP_TIMEOUT_MS);
  const peakBytes = service.peakResidentBytes();
  console.log(
    `service${suffix} peak resident memory (VmHWM), read models caught up: ${megabytes(peakBytes)} ` +
      `(target < ${megabytes(TARGET_PEAK_MEMORY_BYTES)}: ${verdict(peakBytes < TARGET_PEAK_MEMORY_BYTES)})`,
  );
  const listed = (await getJson<{ total: number }>(service, '/api/cases?pageSize=1', CATCH_UP_TIMEOUT_MS)).total;
  const chain = await getJson<{ intact: boolean; events: number; problems: string[] }>(service, '/api/audit/verify', VERIFY_TIMEOUT_MS);
  console.log(
    `hash chain${suffix} over ${formatCount(chain.events)} events: ${chain.intact ? 'intact' : `BROKEN, ${chain.problems.length} problem(s) listed`}` +
      (chain.intact ? '' : `; first: ${chain.problems.slice(0, 2).join(' | ')}`),
  );
  await service.stop();

  // Requests still in flight when a phase ended were cut off unanswered: they may or may not
  // have been stored, so they bound the surplus; an acknowledged intake missing is a loss.
  const inLog = await hotlineCaseIdsInFile(join(dataDir, 'events.db'));
  const acknowledged = ledger.acknowledgedCaseIds;
  const lost = [...acknowledged].filter((caseId) => !inLog.has(caseId)).length;
  const unanswered = ledger.sent - ledger.answered;
  const storedUnanswered = inLog.size - (acknowledged.size - lost);
  console.log(
    `intakes${suffix} answered 201 (warm-up included): ${formatCount(acknowledged.size)}; cases in the list: ${formatCount(listed)}; ` +
      `cases in the log: ${formatCount(inLog.size)}; acknowledged but missing from the log: ${lost}; ` +
      `stored though cut off unanswered at a phase end: ${storedUnanswered} of ${unanswered}`,
  );
  const consistent = lost === 0 && listed === inLog.size && storedUnanswered >= 0 && storedUnanswered <= unanswered && chain.intact;
  console.log(
    consistent
      ? `nothing lost${suffix}, chain intact: every 201 is in the log and in the list`
      : `INCONSISTENT${suffix}: see the lines above`,
  );
  return consistent;
}

async function startService(suffix: string, entryPoint: string | undefined): Promise<ServiceUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
  const service = await ChildService.start({
    dataDir,
    entryPoint,
    // A build run through tsconfig-paths resolves the path aliases inside its own folder.
    env: entryPoint !== undefined && process.env.TS_NODE_BASEURL ? { TS_NODE_BASEURL: resolve(entryPoint, '../../../..') } : {},
    nodeFlags: CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [],
  });
  return { suffix, service, dataDir, ledger: new HotlineIntakeLedger() };
}

async function main(): Promise<void> {
  if (CPU_PROFILE_DIR) mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  const services: ServiceUnderTest[] = [await startService('', undefined)];
  if (COMPARE_ENTRY) services.push(await startService(' [B]', COMPARE_ENTRY));
  const bare = await ServerProcess.bare();
  let consistent = true;
  try {
    console.log(
      `Intake benchmark: ${CONNECTIONS} connections, ${SECONDS_PER_ENDPOINT} s per endpoint in ${ROUNDS} interleaved phases, ` +
        `after ${WARM_UP_SECONDS} s of warm-up each; service pid ${services[0].service.pid}` +
        `${COMPARE_ENTRY ? `, [B] = ${COMPARE_ENTRY} pid ${services[1].service.pid}` : ''}${CPU_PROFILE_DIR ? ' (under --cpu-prof)' : ''}, ` +
        `bare server pid ${bare.pid}`,
    );
    const bareTarget: LoadTarget = { label: LABELS.bare, url: bare.url, serverPid: bare.pid, requests: [{ method: 'GET', path: '/' }] };
    const phases = await runInterleaved([bareTarget, ...services.flatMap(serviceTargets)], {
      connections: CONNECTIONS,
      secondsPerTarget: SECONDS_PER_ENDPOINT,
      rounds: ROUNDS,
      warmUpSeconds: WARM_UP_SECONDS,
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    });
    const bareNode = summariseTarget(phases, LABELS.bare);
    console.log(summaryLine(LABELS.bare, bareNode));
    for (const { suffix } of services) report(phases, bareNode, suffix);
    // At 50 connections answered as fast as they come, mean latency is 50 / throughput (Little's
    // law): p99 < 25 ms would need 2,000 intakes/s. So the latency target is read at the rate the
    // throughput target asks for: intakes offered at 40% of the measured /health rate.
    for (const service of services) {
      const offered = Math.round(TARGET_INTAKE_SHARE_OF_HEALTH * summariseTarget(phases, labels(service.suffix).health).requestsPerSecond);
      const [intakeTarget] = serviceTargets(service).filter((target) => target.label === labels(service.suffix).intake);
      const label = `${intakeTarget.label} offered ${offered}/s`;
      const paced = summarise([
        await runPhase(
          { ...intakeTarget, label },
          {
            connections: CONNECTIONS,
            seconds: SECONDS_PER_ENDPOINT / ROUNDS,
            timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
            overallRate: offered,
          },
        ),
      ]);
      console.log(summaryLine(label, paced));
      console.log(
        `intake${service.suffix} at ${TARGET_INTAKE_SHARE_OF_HEALTH * 100}% of the /health rate: answered ${ratio(paced.requestsPerSecond, offered)} of the offered rate, ` +
          `p99 ${paced.p99Ms.toFixed(2)} ms (target < ${TARGET_INTAKE_P99_MS} ms: ${verdict(paced.p99Ms < TARGET_INTAKE_P99_MS && paced.requestsPerSecond >= 0.95 * offered)})`,
      );
    }
    if (COMPARE_ENTRY) {
      const [a, b] = services.map(({ suffix }) => summariseTarget(phases, labels(suffix).intake));
      console.log(
        `intake [B] / intake: throughput ${ratio(b.requestsPerSecond, a.requestsPerSecond)}, CPU per request ${ratio(b.cpuMsPerRequest, a.cpuMsPerRequest)}`,
      );
    }
    for (const service of services) consistent = (await check(service)) && consistent;

    if (CPU_PROFILE_DIR) {
      for (const { suffix, service } of services) {
        const profile = profileOfProcess(CPU_PROFILE_DIR, service.pid);
        if (profile === undefined) throw new Error(`The service${suffix} wrote no CPU profile into ${CPU_PROFILE_DIR}`);
        const byLabel: Record<string, TimeWindow[]> = {};
        for (const { label, startedUs, endedUs } of phases) (byLabel[label] ??= []).push({ startUs: startedUs, endUs: endedUs });
        writeFileSync(windowsFile(profile), JSON.stringify(byLabel));
        const windows = byLabel[labels(suffix).intake];
        console.log(`\nCPU profile${suffix} ${profile}, intake phases only (every phase's windows in ${windowsFile(profile)}):`);
        console.log(describeProfile(summariseProfile(profile, windows), 25));
      }
    }
  } finally {
    for (const { service, dataDir } of services) {
      await service.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
    await bare.stop();
  }
  if (!consistent) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { evolve, INITIAL_CASE_STATE, type CaseState } from '@cases/domain';
import { SqliteEventStore } from '@cases/event-store';
import { CASE_HISTORY_PROJECTION, CASE_PROJECTION, LogBatch, ProjectionRunner, caseProjections } from '@cases/read-models';
import { formatCount, formatRate, megabytes, perSecond, positiveNumberFromEnv, rawLogScan, verdict } from './bench-support';
import { CaseLogGenerator } from './case-log-generator';

/**
 * How fast the case read model is rebuilt from zero, against the floor of simply reading the
 * log, in one run: a log of realistic case streams is generated into a fresh SQLite event store
 * (or BENCH_LOG names one already written), then
 *  - scanned raw: better-sqlite3 iterating the events table, JSON.parse of data and metadata;
 *  - read through the store's port (`readAll`, no decoding), what every projection pays;
 *  - read, decoded and folded with the domain's `evolve` in memory, writing nothing: the part of
 *    a rebuild that does not depend on the read model's tables;
 *  - rebuilt into the `case` projection by `ProjectionRunner.rebuild` (tables built beside the
 *    live ones, then swapped in); then scanned raw again, and rebuilt into `case-history`,
 * in the same process on the same file. Each phase shows its wall time and the process's CPU
 * time: on a machine shared with other work the wall times swing with its load, CPU times much
 * less. Ratios are to the mean of the two raw scans.
 *
 *   npm run bench:rebuild           BENCH_EVENTS (default 1,000,000) events in the log
 *                                   BENCH_LOG=<events.db> reuses a log instead of generating one
 *                                   BENCH_POSTGRES=postgres://user@host:5432/postgres also rebuilds both
 *                                   read models on PostgreSQL (in a database it creates and drops)
 */

const TARGET_EVENTS = Math.round(positiveNumberFromEnv('BENCH_EVENTS', 1_000_000));
/** Cases advancing together while the log is written: sets both the group-commit size and how far apart one case's events lie. */
const CASES_IN_FLIGHT = 2_000;
const TARGET_REBUILD_RATE = 100_000;
const TARGET_SLOWDOWN_VS_RAW_SCAN = 3;
const TARGET_PEAK_MEMORY_BYTES = 400 * 1024 * 1024;
const PORT_SCAN_BATCH = 2_000;
/** Folded cases kept in memory by the fold-only pass, as many as the case projection's rebuild keeps by default. */
const FOLD_ONLY_CASES = 4_000;

/** Peak resident memory of this process so far (`maxRSS` is in kilobytes). */
function peakResidentBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Reads the whole log through the store's port in rebuild-sized batches, decoding nothing. */
async function portScan(store: SqliteEventStore): Promise<number> {
  let events = 0;
  let after = 0n;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: PORT_SCAN_BATCH });
    if (batch.length === 0) break;
    events += batch.length;
    after = batch[batch.length - 1].position;
  }
  return events;
}

/**
 * Reads, decodes and folds the whole log as the case projection's rebuild does, keeping two
 * generations of recently touched cases in memory like it, but writes nothing.
 */
async function foldOnly(store: SqliteEventStore): Promise<number> {
  let young = new Map<string, CaseState>();
  let old = new Map<string, CaseState>();
  let events = 0;
  let after = 0n;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: PORT_SCAN_BATCH });
    if (batch.length === 0) break;
    for (const recorded of LogBatch.decode(batch).caseEvents) {
      const state = young.get(recorded.caseId) ?? old.get(recorded.caseId) ?? INITIAL_CASE_STATE;
      young.set(recorded.caseId, evolve(state, recorded.event));
    }
    if (young.size >= FOLD_ONLY_CASES / 2) [old, young] = [young, new Map()];
    events += batch.length;
    after = batch[batch.length - 1].position;
  }
  return events;
}

/** A database of its own on the PostgreSQL server at `serverUrl`, for the read models of one run. */
async function createBenchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_read_models_${process.pid}`;
  const onServer = async (statement: string): Promise<void> => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await onServer(`DROP DATABASE IF EXISTS ${name}`);
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

interface Phase {
  label: string;
  events: number;
  elapsedMs: number;
  /** CPU time of the process over the phase, user and system. */
  cpuMs: number;
  /** Peak resident memory of the process once the phase was over. */
  peakRssBytes: number;
}

/** Runs one phase, which answers how many events it went through, and records its wall and CPU time. */
async function measure(phases: Phase[], label: string, run: () => Promise<number>): Promise<Phase> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const events = await run();
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const phase = { label, events, elapsedMs, cpuMs: (used.user + used.system) / 1000, peakRssBytes: peakResidentBytes() };
  phases.push(phase);
  return phase;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
  const eventsFile = process.env.BENCH_LOG || join(dir, 'events.db');
  const readModelsFile = join(dir, 'read-models.db');
  const store = SqliteEventStore.open(eventsFile);
  let runner: ProjectionRunner | undefined;
  try {
    if (process.env.BENCH_LOG) {
      console.log(`Rebuild benchmark on the log in ${eventsFile}: ${formatCount(Number(await store.headPosition()))} events`);
    } else {
      const generated = await new CaseLogGenerator(store, CASES_IN_FLIGHT).generate(TARGET_EVENTS);
      console.log(
        `Rebuild benchmark: ${formatCount(generated.events)} events, ${formatCount(generated.cases)} cases ` +
          `(${(generated.events / generated.cases).toFixed(1)} events per case, counter events included), data in ${dir}`,
      );
      console.log(
        `  generated in ${(generated.elapsedMs / 1000).toFixed(1)} s (${formatRate(perSecond(generated.events, generated.elapsedMs))} appended, ` +
          `${formatCount(store.committedTransactions)} group commits, ${CASES_IN_FLIGHT} cases in flight); ` +
          `events.db ${megabytes(fileBytes(eventsFile) + fileBytes(`${eventsFile}-wal`))}; peak RSS so far ${megabytes(peakResidentBytes())}`,
      );
    }

    const phases: Phase[] = [];
    const rawBefore = await measure(phases, 'raw scan (SQLite)', async () => rawLogScan(eventsFile).events);
    await measure(phases, 'store readAll (port)', () => portScan(store));
    await measure(phases, 'read + decode + fold', () => foldOnly(store));
    runner = await ProjectionRunner.open({ store, database: { sqlite: readModelsFile }, projections: caseProjections() });
    const caseRunner = runner;
    const rebuilt = await measure(phases, 'rebuild case', async () => (await caseRunner.rebuild(CASE_PROJECTION)).processed);
    // Scanned again right after, so a change in the machine's load during the rebuild weighs on both sides.
    const rawAfter = await measure(phases, 'raw scan again', async () => rawLogScan(eventsFile).events);
    await measure(phases, 'rebuild case-history', async () => (await caseRunner.rebuild(CASE_HISTORY_PROJECTION)).processed);
    const postgresServer = process.env.BENCH_POSTGRES;
    if (postgresServer) {
      // The same rebuilds into read models on PostgreSQL, in a database made for the run and dropped after it.
      const postgres = await createBenchDatabase(postgresServer);
      const postgresRunner = await ProjectionRunner.open({ store, database: { postgres: postgres.url }, projections: caseProjections() });
      try {
        await measure(phases, 'rebuild case (PG)', async () => (await postgresRunner.rebuild(CASE_PROJECTION)).processed);
        await measure(phases, 'rebuild history (PG)', async () => (await postgresRunner.rebuild(CASE_HISTORY_PROJECTION)).processed);
      } finally {
        await postgresRunner.stop();
        await postgres.drop();
      }
    }

    const raw = { elapsedMs: (rawBefore.elapsedMs + rawAfter.elapsedMs) / 2, cpuMs: (rawBefore.cpuMs + rawAfter.cpuMs) / 2 };
    console.log('');
    console.log(
      `${'phase'.padEnd(22)} ${'events'.padStart(9)} ${'wall'.padStart(9)} ${'rate'.padStart(11)} ${'× raw'.padStart(7)}` +
        ` ${'CPU'.padStart(9)} ${'rate/CPU s'.padStart(11)} ${'× raw'.padStart(7)} ${'peak RSS'.padStart(9)}`,
    );
    for (const phase of phases) {
      console.log(
        `${phase.label.padEnd(22)} ${formatCount(phase.events).padStart(9)} ${seconds(phase.elapsedMs).padStart(9)} ` +
          `${formatRate(perSecond(phase.events, phase.elapsedMs)).padStart(11)} ${`${(phase.elapsedMs / raw.elapsedMs).toFixed(2)}×`.padStart(7)} ` +
          `${seconds(phase.cpuMs).padStart(9)} ${formatRate(perSecond(phase.events, phase.cpuMs)).padStart(11)} ` +
          `${`${(phase.cpuMs / raw.cpuMs).toFixed(2)}×`.padStart(7)} ${megabytes(phase.peakRssBytes).padStart(9)}`,
      );
    }
    const rate = perSecond(rebuilt.events, rebuilt.elapsedMs);
    const slowdown = rebuilt.elapsedMs / raw.elapsedMs;
    const met = rate >= TARGET_REBUILD_RATE && slowdown <= TARGET_SLOWDOWN_VS_RAW_SCAN;
    console.log('');
    console.log(
      `× raw: against the mean of the two raw scans (wall ${seconds(raw.elapsedMs)}, CPU ${seconds(raw.cpuMs)}); ` +
        `CPU counts every thread of the process (the garbage collector's helpers included); load average at the end ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs`,
    );
    console.log(
      `rebuild of the case read model: ${formatRate(rate)} (target ≥ ${formatRate(TARGET_REBUILD_RATE)}), ` +
        `${slowdown.toFixed(2)}× the raw scan (target ≤ ${TARGET_SLOWDOWN_VS_RAW_SCAN}×): ${verdict(met)}`,
    );
    const peakBytes = peakResidentBytes();
    console.log(
      `peak resident memory of the process (maxRSS${process.env.BENCH_LOG ? '' : ', generation included'}): ${megabytes(peakBytes)} ` +
        `(target < ${megabytes(TARGET_PEAK_MEMORY_BYTES)}: ${verdict(peakBytes < TARGET_PEAK_MEMORY_BYTES)}); ` +
        `read-models.db ${megabytes(fileBytes(readModelsFile) + fileBytes(`${readModelsFile}-wal`))}`,
    );
  } finally {
    await runner?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@cases/event-store';
import { CASE_LIST_PROJECTION, ProjectionRunner, caseProjections } from '@cases/read-models';
import { formatCount, formatRate, megabytes, perSecond, positiveNumberFromEnv, verdict } from './bench-support';
import { CaseLogGenerator } from './case-log-generator';

/**
 * How fast a read model is rebuilt from zero, against the floor of simply reading the log: a log
 * of realistic case streams is generated into a fresh SQLite event store, then scanned raw
 * (better-sqlite3, JSON.parse of data and metadata) and replayed into each projection by
 * `ProjectionRunner.rebuild`, in the same process on the same file.
 *
 *   npm run bench:rebuild           BENCH_EVENTS (default 1,000,000) events in the log
 */

const TARGET_EVENTS = Math.round(positiveNumberFromEnv('BENCH_EVENTS', 1_000_000));
/** Cases advancing together while the log is written: sets both the group-commit size and how far apart one case's events lie. */
const CASES_IN_FLIGHT = 2_000;
const TARGET_REBUILD_RATE = 100_000;
const TARGET_SLOWDOWN_VS_RAW_SCAN = 3;
const TARGET_PEAK_MEMORY_BYTES = 400 * 1024 * 1024;

const RAW_SCAN_SQL = 'SELECT position, stream_id, type, data, metadata FROM events ORDER BY position';

interface RawScanRow {
  position: number;
  stream_id: string;
  type: string;
  data: string;
  metadata: string;
}

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

/** Reads the whole log in order and parses each event's JSON: what any replay costs at the least. */
function rawScan(file: string): { events: number; caseEvents: number; elapsedMs: number } {
  const db = new Database(file, { readonly: true });
  try {
    const started = performance.now();
    let events = 0;
    let caseEvents = 0;
    for (const row of db.prepare<[], RawScanRow>(RAW_SCAN_SQL).iterate()) {
      JSON.parse(row.data);
      // Using a parsed field keeps the parse from being optimised away and mirrors the projections' filter.
      if (typeof (JSON.parse(row.metadata) as { caseId?: unknown }).caseId === 'string') caseEvents += 1;
      events += 1;
    }
    return { events, caseEvents, elapsedMs: performance.now() - started };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
  const eventsFile = join(dir, 'events.db');
  const store = SqliteEventStore.open(eventsFile);
  let runner: ProjectionRunner | undefined;
  try {
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

    const raw = rawScan(eventsFile);
    const rawRate = perSecond(raw.events, raw.elapsedMs);
    console.log(
      `raw scan (iterate + JSON.parse data, metadata): ${formatCount(raw.events)} events in ${(raw.elapsedMs / 1000).toFixed(2)} s = ` +
        `${formatRate(rawRate)}; peak RSS so far ${megabytes(peakResidentBytes())}`,
    );

    runner = new ProjectionRunner({ store, databaseFile: join(dir, 'read-models.db'), projections: caseProjections() });
    let allMet = true;
    // case-list first, the figure the targets are about, then every other read model the service feeds.
    const others = caseProjections()
      .map((projection) => projection.name)
      .filter((name) => name !== CASE_LIST_PROJECTION);
    for (const projection of [CASE_LIST_PROJECTION, ...others]) {
      const result = await runner.rebuild(projection);
      const rate = perSecond(result.processed, result.elapsedMs);
      const slowdown = rawRate / rate;
      const met = rate >= TARGET_REBUILD_RATE && slowdown <= TARGET_SLOWDOWN_VS_RAW_SCAN;
      allMet &&= met;
      console.log(
        `rebuild ${projection.padEnd(12)}: ${formatCount(result.processed)} events in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
          `${formatRate(rate)} (target ≥ ${formatRate(TARGET_REBUILD_RATE)}); raw scan / rebuild = ${slowdown.toFixed(2)}× ` +
          `(target ≤ ${TARGET_SLOWDOWN_VS_RAW_SCAN}×): ${verdict(met)}; peak RSS so far ${megabytes(peakResidentBytes())}`,
      );
    }
    const peakBytes = peakResidentBytes();
    console.log(
      `peak resident memory of the process (maxRSS, generation included): ${megabytes(peakBytes)} ` +
        `(target < ${megabytes(TARGET_PEAK_MEMORY_BYTES)}: ${verdict(peakBytes < TARGET_PEAK_MEMORY_BYTES)}); ` +
        `read-models.db ${megabytes(fileBytes(join(dir, 'read-models.db')) + fileBytes(join(dir, 'read-models.db-wal')))}`,
    );
    console.log(allMet ? 'every rebuild met its throughput targets' : 'some rebuild MISSED its throughput targets');
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

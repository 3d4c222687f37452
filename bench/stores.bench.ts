import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, SqliteEventStore, type EventData, type EventStore } from '@cases/event-store';
import { createPostgresTestDatabase, postgresServerUrl, type PostgresTestDatabase } from '../test/support/postgres-test-database';
import { formatCount, formatMs, formatRate, percentile, perSecond, positiveNumberFromEnv, sortedSamples } from './bench-support';

/**
 * The embedded store (SQLite, one file, every commit fsynced) beside PostgreSQL, in one run on
 * the same machine, through the same port the service uses:
 *   - single appends: one writer, each append awaited before the next (the latency of one commit);
 *   - concurrent appends: BENCH_WRITERS writers appending at once, which group commit turns into
 *     far fewer transactions (appends per commit is printed);
 *   - a full readAll scan of a log of BENCH_SCAN_EVENTS events in rebuild-sized pages.
 * PostgreSQL runs on a database created for the run and dropped after it (TEST_DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/postgres). Each line gives the wall rate and the benchmark
 * process's CPU time per operation; PostgreSQL's own server CPU is not in it. Ratios are
 * PostgreSQL to SQLite.
 *
 *   npm run bench:stores
 *   BENCH_SINGLE_APPENDS (default 300)  BENCH_CONCURRENT_APPENDS (default 5,000)
 *   BENCH_WRITERS (default 50)          BENCH_SCAN_EVENTS (default 100,000)
 */

const SINGLE_APPENDS = Math.round(positiveNumberFromEnv('BENCH_SINGLE_APPENDS', 300));
const CONCURRENT_APPENDS = Math.round(positiveNumberFromEnv('BENCH_CONCURRENT_APPENDS', 5_000));
const WRITERS = Math.round(positiveNumberFromEnv('BENCH_WRITERS', 50));
const SCAN_EVENTS = Math.round(positiveNumberFromEnv('BENCH_SCAN_EVENTS', 100_000));
/** Events per append while the scan's log is filled: filling is not what is measured. */
const FILL_EVENTS_PER_APPEND = 20;
const SCAN_PAGE = 2_000;

/** A case event as the service stores it, by size and shape (no personal data: a bench writes none). */
function caseLikeEvent(): EventData {
  const caseId = randomUUID();
  return {
    id: randomUUID(),
    type: 'HotlineTicketReceived',
    data: {
      caseId,
      orgId: 'xiaozhai',
      number: 'RX2026-0001',
      kind: 'hotline',
      title: '路灯不亮',
      description: '小寨路口路灯损坏，夜间行人不便',
      community: '小寨社区',
      urgency: 'normal',
      platformTicketNo: `BENCH-${caseId.slice(0, 8)}`,
    },
    personal: null,
    metadata: {
      schemaVersion: 1,
      orgId: 'xiaozhai',
      caseId,
      command: 'intake',
      actor: { userId: randomUUID(), role: 'desk' },
      occurredAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
      requestHash: 'f'.repeat(64),
    },
  };
}

interface Measured {
  operations: number;
  elapsedMs: number;
  cpuMs: number;
  latenciesMs: number[];
  /** Transactions the store committed during the phase (group commits), when it counts them. */
  commits: number;
}

interface CountsCommits {
  readonly committedTransactions: number;
}

async function measure(store: EventStore & CountsCommits, run: (latenciesMs: number[]) => Promise<number>): Promise<Measured> {
  const latenciesMs: number[] = [];
  const commitsBefore = store.committedTransactions;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const operations = await run(latenciesMs);
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    operations,
    elapsedMs,
    cpuMs: (used.user + used.system) / 1000,
    latenciesMs,
    commits: store.committedTransactions - commitsBefore,
  };
}

async function timedAppend(store: EventStore, latenciesMs: number[]): Promise<void> {
  const started = performance.now();
  await store.append(`case-${randomUUID()}`, [caseLikeEvent()], 'no_stream');
  latenciesMs.push(performance.now() - started);
}

function singleAppends(store: EventStore & CountsCommits): Promise<Measured> {
  return measure(store, async (latenciesMs) => {
    for (let index = 0; index < SINGLE_APPENDS; index++) await timedAppend(store, latenciesMs);
    return SINGLE_APPENDS;
  });
}

function concurrentAppends(store: EventStore & CountsCommits): Promise<Measured> {
  return measure(store, async (latenciesMs) => {
    let remaining = CONCURRENT_APPENDS;
    const writer = async (): Promise<void> => {
      while (remaining > 0) {
        remaining -= 1;
        await timedAppend(store, latenciesMs);
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    return CONCURRENT_APPENDS;
  });
}

/** Tops the log up to SCAN_EVENTS events, many per append and many appends at once. */
async function fill(store: EventStore): Promise<void> {
  let missing = SCAN_EVENTS - Number(await store.headPosition());
  const writer = async (): Promise<void> => {
    while (missing > 0) {
      const count = Math.min(missing, FILL_EVENTS_PER_APPEND);
      missing -= count;
      await store.append(`case-${randomUUID()}`, Array.from({ length: count }, caseLikeEvent), 'no_stream');
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

function scan(store: EventStore & CountsCommits): Promise<Measured> {
  return measure(store, async () => {
    let events = 0;
    for (let after = 0n; ;) {
      const page = await store.readAll({ after, maxCount: SCAN_PAGE });
      if (page.length === 0) return events;
      events += page.length;
      after = page[page.length - 1].position;
    }
  });
}

function line(label: string, measured: Measured): string {
  const latencies = sortedSamples(measured.latenciesMs);
  const latency =
    latencies.length === 0 ? '' : `  p50 ${formatMs(percentile(latencies, 0.5))}  p99 ${formatMs(percentile(latencies, 0.99))}`;
  const perCommit = measured.commits > 0 ? `  ${(measured.operations / measured.commits).toFixed(1)} appends/commit` : '';
  return (
    `${label.padEnd(40)} ${formatRate(perSecond(measured.operations, measured.elapsedMs)).padStart(11)}  ` +
    `CPU ${((1000 * measured.cpuMs) / measured.operations).toFixed(1).padStart(6)} µs/op${latency}${perCommit}`
  );
}

function ratio(postgres: Measured, sqlite: Measured): string {
  const rate = (measured: Measured): number => perSecond(measured.operations, measured.elapsedMs);
  return `${(rate(postgres) / rate(sqlite)).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stores-'));
  let database: PostgresTestDatabase | undefined;
  let sqlite: SqliteEventStore | undefined;
  let postgres: PostgresEventStore | undefined;
  try {
    sqlite = SqliteEventStore.open(join(dir, 'events.db'));
    database = await createPostgresTestDatabase();
    postgres = await PostgresEventStore.open(database.url);
    const stores: [string, EventStore & CountsCommits][] = [
      ['SQLite', sqlite],
      ['PostgreSQL', postgres],
    ];
    console.log(
      `Event stores: SQLite in ${dir} (WAL, synchronous FULL) beside PostgreSQL database ${database.name} on ` +
        `${new URL(postgresServerUrl()).host}; ${formatCount(SINGLE_APPENDS)} single appends, ${formatCount(CONCURRENT_APPENDS)} ` +
        `appends from ${WRITERS} concurrent writers, a readAll scan of ${formatCount(SCAN_EVENTS)} events in pages of ${formatCount(SCAN_PAGE)}`,
    );
    // Each phase runs on both stores back to back, so a change in the machine's load hits both.
    const results: Record<string, Measured[]> = { single: [], concurrent: [], scan: [] };
    for (const [, store] of stores) results.single.push(await singleAppends(store));
    for (const [, store] of stores) results.concurrent.push(await concurrentAppends(store));
    for (const [, store] of stores) await fill(store);
    for (const [, store] of stores) results.scan.push(await scan(store));

    const names = stores.map(([name]) => name);
    for (const [phase, label] of [
      ['single', 'single appends (one writer)'],
      ['concurrent', `concurrent appends (${WRITERS} writers)`],
      ['scan', 'readAll scan (events)'],
    ] as const) {
      results[phase].forEach((measured, index) => console.log(line(`${label}, ${names[index]}`, measured)));
    }
    console.log('');
    const [sqliteSingle, postgresSingle] = results.single;
    const [sqliteConcurrent, postgresConcurrent] = results.concurrent;
    const [sqliteScan, postgresScan] = results.scan;
    console.log(
      `PostgreSQL / SQLite: single appends ${ratio(postgresSingle, sqliteSingle)}, concurrent appends ` +
        `${ratio(postgresConcurrent, sqliteConcurrent)}, readAll scan ${ratio(postgresScan, sqliteScan)}`,
    );
    console.log(
      `group commit, concurrent / single appends: SQLite ${ratio(sqliteConcurrent, sqliteSingle)}, ` +
        `PostgreSQL ${ratio(postgresConcurrent, postgresSingle)}; load average at the end ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs`,
    );
  } finally {
    await sqlite?.close();
    await postgres?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { SqliteEventStore } from '@cases/event-store';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { CASE_HISTORY_PROJECTION, caseHistoryProjection } from '../case-history/case-history.projection';
import { CASE_PROJECTION, caseProjection } from '../case/case.projection';
import { openReadModelDatabase, type ReadModelDialect, type ReadModelLocation } from '../database/read-model-database';
import type { IntegerColumn, ReadModelTables } from '../database/read-model-tables';
import { ReadModels } from '../read-models';
import { appendGeneratedCases } from '../testing/generated-cases';
import { PositionBeyondLogError, ProjectionTimeoutError } from './position-waiters';
import type { Projection } from './projection';
import { ProjectionRunner, UnknownProjectionError, type ProjectionRunnerOptions } from './projection-runner';
import type { RebuildProgress } from './rebuilder';

const WAIT_MS = 4_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const READ_MODEL_TABLES = {
  case_view: ['case_key'],
  case_list: ['case_key'],
  case_deadlines: ['case_key', 'milestone'],
  case_units: ['unit', 'case_key'],
  case_history_cases: ['case_key'],
  case_history: ['position'],
} as const;

/** The read-model tables and the test's own counter table. */
type TestTables = ReadModelTables & { event_counts: { stream_id: string; applied: IntegerColumn } };
const withCounts = (db: Kysely<ReadModelTables>) => db as unknown as Kysely<TestTables>;

/** Collects what the runner reports and lets a test wait for its next error instead of sleeping. */
class RecordingLogger {
  readonly errors: string[] = [];
  readonly messages: string[] = [];
  private onError: (() => void) | null = null;

  log(message: string): void {
    this.messages.push(message);
  }

  error(message: string): void {
    this.errors.push(message);
    this.onError?.();
  }

  nextError(): Promise<void> {
    return new Promise((resolve) => (this.onError = resolve));
  }
}

/**
 * Counts every event it is handed, per stream, with deliberately no revision guard: if the runner
 * ever applied an event twice or skipped one, the counts would show it. It can be armed to throw
 * when it reaches a given position, half-way through a batch, or at every batch. It throws what
 * the database throws (a disk failing), which fails the batch whole: an error of the projection's
 * own would park the one event instead (parked-events.int.spec.ts).
 */
function eventCounter(crash: { atPosition: bigint | null; always?: boolean }): Projection {
  return {
    name: 'event-counter',
    version: 1,
    tables: ['event_counts'],
    async createTables({ db }) {
      await withCounts(db)
        .schema.createTable('event_counts')
        .ifNotExists()
        .addColumn('stream_id', 'text', (column) => column.primaryKey())
        .addColumn('applied', 'integer', (column) => column.notNull())
        .execute();
    },
    async createIndexes() {
      // The primary key is all it needs.
    },
    writer() {
      return {
        async apply(db, batch) {
          if (crash.always) throw new Database.SqliteError('this projection always fails', 'SQLITE_IOERR');
          for (const entry of batch.entries) {
            if (entry.position === crash.atPosition) {
              crash.atPosition = null;
              throw new Database.SqliteError(`simulated crash at position ${entry.position}`, 'SQLITE_IOERR');
            }
            await withCounts(db)
              .insertInto('event_counts')
              .values({ stream_id: entry.streamId, applied: 1 })
              .onConflict((conflict) => conflict.column('stream_id').doUpdateSet((eb) => ({ applied: eb('event_counts.applied', '+', 1) })))
              .execute();
          }
        },
      };
    },
  };
}

/** Where a test's read models live: a fresh SQLite file, or a fresh PostgreSQL database dropped afterwards. */
interface ReadModelPlace {
  location: ReadModelLocation;
  drop(): Promise<void>;
}

async function freshPlace(dialect: ReadModelDialect, dir: string, name: string): Promise<ReadModelPlace> {
  if (dialect === 'sqlite') return { location: { sqlite: join(dir, `${name}.db`) }, drop: () => Promise.resolve() };
  const database: PostgresTestDatabase = await createPostgresTestDatabase();
  return { location: { postgres: database.url }, drop: () => database.drop() };
}

describe.each(['sqlite', 'postgres'] as const)('ProjectionRunner with read models on %s', (dialect) => {
  let dir: string;
  let place: ReadModelPlace;
  const places: ReadModelPlace[] = [];
  let store: SqliteEventStore;
  let logger: RecordingLogger;
  const runners: ProjectionRunner[] = [];

  const openRunner = async (options: Partial<ProjectionRunnerOptions> = {}): Promise<ProjectionRunner> => {
    const runner = await ProjectionRunner.open({
      store,
      database: place.location,
      projections: [caseProjection(), caseHistoryProjection()],
      logger,
      restartBackoff: { initialMs: 1, maxMs: 10 },
      ...options,
    });
    runners.push(runner);
    return runner;
  };
  const readModelsOf = (runner: ProjectionRunner) => new ReadModels(runner, store, { timeoutMs: WAIT_MS });
  const newPlace = async (name: string): Promise<ReadModelPlace> => {
    const created = await freshPlace(dialect, dir, name);
    places.push(created);
    return created;
  };

  /** A second connection to the read-model database, as an operator's tool would open it. */
  async function inspect<T>(look: (db: Kysely<TestTables>) => Promise<T>, location = place.location): Promise<T> {
    const database = openReadModelDatabase(location);
    try {
      return await look(withCounts(database.db));
    } finally {
      await database.close();
    }
  }
  const dump = async (db: Kysely<TestTables>, table: keyof typeof READ_MODEL_TABLES): Promise<unknown[]> => {
    // One table at a time; typed as any of them, since they are only compared whole.
    let query = db.selectFrom(table as 'case_view').selectAll();
    for (const column of READ_MODEL_TABLES[table]) query = query.orderBy(column as 'case_key');
    return query.execute();
  };
  const dumpReadModels = (location = place.location): Promise<Record<string, unknown[]>> =>
    inspect(async (db) => {
      const tables: Record<string, unknown[]> = {};
      for (const table of Object.keys(READ_MODEL_TABLES) as (keyof typeof READ_MODEL_TABLES)[]) tables[table] = await dump(db, table);
      return tables;
    }, location);
  const appliedCount = (): Promise<number> =>
    inspect(async (db) => {
      const row = await db
        .selectFrom('event_counts')
        .select((eb) => eb.fn.sum<bigint>('applied').as('applied'))
        .executeTakeFirstOrThrow();
      return Number(row.applied);
    });
  const checkpointRow = (projection: string) =>
    inspect((db) => db.selectFrom('projection_checkpoints').selectAll().where('projection', '=', projection).executeTakeFirstOrThrow());
  const leftoverRebuildTables = () =>
    inspect(async (db) => (await db.introspection.getTables()).map((table) => table.name).filter((name) => name.includes('rebuild')));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    logger = new RecordingLogger();
    place = await newPlace('read-models');
  });

  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    for (const used of places.splice(0)) await used.drop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the whole log to every read model, skipping non-case streams, and reports its lag', async () => {
    const caseIds = await appendGeneratedCases(store, 12, 1);
    const head = await store.headPosition();
    const runner = await openRunner();
    const readModels = readModelsOf(runner);
    expect(await runner.lag()).toBe(head);

    runner.start();
    await runner.waitForPosition(head, WAIT_MS);

    expect(await runner.lag()).toBe(0n);
    expect(runner.status(head)).toEqual(
      [CASE_PROJECTION, CASE_HISTORY_PROJECTION].map((projection) => ({ projection, position: head, lag: 0n, rebuilding: false })),
    );
    expect((await readModels.cases.list({ pageSize: 100 }, NOW)).total).toBe(12);
    for (const caseId of caseIds) {
      const stream = await store.readStream(`case-${caseId}`);
      expect(await readModels.cases.view(caseId)).toMatchObject({
        revision: stream[stream.length - 1].revision,
        position: stream[stream.length - 1].position,
        state: { id: caseId, eventCount: stream.length },
      });
      expect((await readModels.history.history(caseId)).map((entry) => entry.position)).toEqual(stream.map((event) => event.position));
    }
  });

  it('waitForPosition resolves once a later append has been applied', async () => {
    const runner = await openRunner();
    runner.start();
    await expect(runner.waitForPosition(0n, WAIT_MS)).resolves.toBeUndefined();

    // The case's number is allocated at position 1, its intake recorded at 2.
    const applied = runner.waitForPosition(2n, WAIT_MS, CASE_PROJECTION);
    await appendGeneratedCases(store, 1, 2);
    await applied;

    expect((await readModelsOf(runner).cases.list({}, NOW, { minPosition: 0n })).total).toBe(1);
  });

  it('waitForPosition rejects with a timeout error when the position is not reached in time', async () => {
    const runner = await openRunner();
    runner.start();

    const waiting = runner.waitForPosition(5n, 20);

    await expect(waiting).rejects.toThrow(ProjectionTimeoutError);
    await expect(waiting).rejects.toThrow('Read models did not reach position 5 within 20 ms (they are at 0)');
  });

  it('answers a query once its read model reaches the minPosition asked for, waiting for no other', async () => {
    const [caseId] = await appendGeneratedCases(store, 1, 10);
    const head = await store.headPosition();
    const runner = await openRunner({ projections: [caseProjection(), eventCounter({ atPosition: null, always: true })] });
    const readModels = new ReadModels(runner, store, { timeoutMs: 2_000 });
    runner.start();

    // The counter never gets anywhere, yet the case read model answers at the head and beyond.
    await expect(readModels.cases.view(caseId)).resolves.toMatchObject({ position: expect.any(BigInt) });
    await expect(runner.waitForPosition(head, 50)).rejects.toThrow(ProjectionTimeoutError);

    const [nextCase] = await appendGeneratedCases(store, 1, 11);
    const page = await readModels.cases.list({ pageSize: 100 }, NOW, { minPosition: await store.headPosition() });
    expect(page.items.map((item) => item.id)).toContain(nextCase);
  });

  it('refuses at once a minPosition past the log head, which no command answered and no wait would reach', async () => {
    const [caseId] = await appendGeneratedCases(store, 1, 12);
    const head = await store.headPosition();
    const runner = await openRunner({ projections: [caseProjection(), caseHistoryProjection()] });
    const readModels = new ReadModels(runner, store, { timeoutMs: 60_000 });
    runner.start();

    const refused = readModels.cases.view(caseId, { minPosition: head + 1n });
    await expect(refused).rejects.toThrow(PositionBeyondLogError);
    await expect(refused).rejects.toMatchObject({ status: 422, code: 'REQUEST.POSITION_BEYOND_LOG', details: { head: String(head) } });
    await expect(readModels.history.history(caseId, { minPosition: head + 1_000n })).rejects.toThrow(PositionBeyondLogError);
    await expect(readModels.cases.view(caseId, { minPosition: head })).resolves.toMatchObject({ position: expect.any(BigInt) });
    await expect(readModels.history.history(caseId, { minPosition: head })).resolves.not.toHaveLength(0);
  });

  it('a wait that runs out is a 503 READ_MODEL.BEHIND that says when to come back', async () => {
    await appendGeneratedCases(store, 1, 13);
    const runner = await openRunner({ projections: [eventCounter({ atPosition: null, always: true })] });
    runner.start();

    const waiting = runner.waitForPosition(await store.headPosition(), 20);
    await expect(waiting).rejects.toMatchObject({ status: 503, code: 'READ_MODEL.BEHIND', details: { retryAfterSeconds: 2 } });
  });

  it('commits a batch with its checkpoint: a crash mid-batch moves neither; a restart resumes with no gap, no double', async () => {
    await appendGeneratedCases(store, 30, 3);
    const head = await store.headPosition();
    const crash = { atPosition: 60n as bigint | null };
    // A restart far in the future: the test restarts the process itself, like a crashed service would be.
    const runner = await openRunner({
      projections: [eventCounter(crash)],
      liveBatchSize: 25,
      restartBackoff: { initialMs: 3_600_000, maxMs: 3_600_000 },
    });
    const failed = logger.nextError();

    runner.start();
    await failed;

    // Batches 1–25 and 26–50 committed; 51–75 threw at 60 after counting 51–59, and was rolled back.
    expect(runner.checkpoint('event-counter')).toBe(50n);
    expect((await checkpointRow('event-counter')).position).toBe(50n);
    expect(await appliedCount()).toBe(50);
    await runner.stop();

    const restarted = await openRunner({ projections: [eventCounter(crash)], liveBatchSize: 25 });
    restarted.start();
    await restarted.waitForPosition(head, WAIT_MS);

    const perStream = new Map<string, number>();
    for (const event of await store.readAll({ maxCount: 100_000 })) {
      perStream.set(event.streamId, (perStream.get(event.streamId) ?? 0) + 1);
    }
    expect(await appliedCount()).toBe(Number(head));
    const counted = await inspect((db) => db.selectFrom('event_counts').select(['stream_id', 'applied']).execute());
    expect(new Map(counted.map((row) => [row.stream_id, Number(row.applied)]))).toEqual(perStream);
  });

  it('restarts a failed projection from its durable checkpoint, after logging the failure', async () => {
    await appendGeneratedCases(store, 10, 4);
    const head = await store.headPosition();
    const crash = { atPosition: 7n as bigint | null };
    const runner = await openRunner({ projections: [eventCounter(crash), caseProjection()], liveBatchSize: 5 });

    runner.start();
    await runner.waitForPosition(head, WAIT_MS);

    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toBe(
      "Projection 'event-counter' stopped at position 5 (simulated crash at position 7); " +
        'restarting from its checkpoint in 1 ms (failure 1 in a row)',
    );
    expect(await appliedCount()).toBe(Number(head));
  });

  it('ignores events delivered again after they were applied', async () => {
    await appendGeneratedCases(store, 15, 5);
    const head = await store.headPosition();
    const runner = await openRunner();
    runner.start();
    await runner.waitForPosition(head, WAIT_MS);
    await runner.stop();
    const applied = await dumpReadModels();

    // As if the store redelivered the whole log: every projection starts again from position 0.
    await inspect((db) => db.updateTable('projection_checkpoints').set({ position: 0 }).execute());
    const redelivered = await openRunner();
    redelivered.start();
    await redelivered.waitForPosition(head, WAIT_MS);

    expect(await dumpReadModels()).toEqual(applied);
  });

  it('rebuilds each projection beside the live one into exactly the rows built live, then follows the log again', async () => {
    // A tiny cache, so the rebuild also writes cases out early and reads them back.
    const runner = await openRunner({
      rebuildBatchSize: 40,
      projections: [caseProjection({ bulkCachedCases: 3 }), caseHistoryProjection()],
    });
    runner.start();
    // Appended while the runner follows, so the live model is built from many small batches.
    await appendGeneratedCases(store, 60, 6);
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(300n);
    await runner.waitForPosition(head, WAIT_MS);
    const live = await dumpReadModels();

    for (const projection of [CASE_PROJECTION, CASE_HISTORY_PROJECTION]) {
      const progress: RebuildProgress[] = [];
      const result = await runner.rebuild(projection, (step) => progress.push(step));

      expect(result).toMatchObject({ projection, processed: Number(head), position: head });
      expect(progress.length).toBe(Math.ceil(Number(head) / 40));
      expect(progress[progress.length - 1]).toEqual({ projection, processed: Number(head), position: head, head });
    }
    expect(await dumpReadModels()).toEqual(live);
    await expect(runner.rebuild('no-such-projection')).rejects.toThrow(UnknownProjectionError);

    const [latest] = await appendGeneratedCases(store, 1, 7);
    await runner.waitForPosition(await store.headPosition(), WAIT_MS);
    expect(await readModelsOf(runner).cases.view(latest)).not.toBeNull();
  });

  it('keeps answering from the live tables and following the log during a rebuild, then swaps with nothing lost', async () => {
    const caseIds = await appendGeneratedCases(store, 40, 12);
    const runner = await openRunner({ rebuildBatchSize: 20 });
    const readModels = readModelsOf(runner);
    runner.start();
    await runner.waitForPosition(await store.headPosition(), WAIT_MS);
    const total = (await readModels.cases.list({ pageSize: 100 }, NOW)).total;

    const seenDuringRebuild: Promise<number>[] = [];
    const appendedDuringRebuild: Promise<string[]>[] = [];
    const rebuilt = runner.rebuild(CASE_PROJECTION, (step) => {
      // Counted from another connection while the rebuild goes on: what a query would read then.
      seenDuringRebuild.push(
        inspect(async (db) => {
          const row = await db
            .selectFrom('case_view')
            .select((eb) => eb.fn.countAll<bigint>().as('cases'))
            .executeTakeFirstOrThrow();
          return Number(row.cases);
        }),
      );
      if (step.processed === 40) appendedDuringRebuild.push(appendGeneratedCases(store, 3, 13));
    });
    expect(runner.status(0n).find((status) => status.projection === CASE_PROJECTION)?.rebuilding).toBe(true);
    await rebuilt;
    const lateCases = await appendedDuringRebuild[0];

    expect(seenDuringRebuild.length).toBeGreaterThan(5);
    // Never a half-built model: every count is the live tables' (the 3 cases appended meanwhile may be in it already).
    const seen = await Promise.all(seenDuringRebuild);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(total);
    expect(Math.max(...seen)).toBeLessThanOrEqual(total + 3);
    const head = await store.headPosition();
    const page = await readModels.cases.list({ pageSize: 100 }, NOW, { minPosition: head });
    expect(page.total).toBe(total + 3);
    expect(page.items.map((item) => item.id)).toEqual(expect.arrayContaining([...caseIds, ...lateCases]));
    expect((await checkpointRow('case')).generation).toBe(2n);
    expect(await leftoverRebuildTables()).toEqual([]);
  });

  it('drops what a rebuild left half-built when the process stopped', async () => {
    await appendGeneratedCases(store, 5, 14);
    const first = await openRunner();
    first.start();
    await first.waitForPosition(await store.headPosition(), WAIT_MS);
    await first.stop();
    await inspect((db) =>
      db.schema
        .createTable('case_view__rebuild')
        .addColumn('case_key', 'integer', (column) => column.primaryKey())
        .execute(),
    );
    expect(await leftoverRebuildTables()).toEqual(['case_view__rebuild']);

    await openRunner();

    expect(await leftoverRebuildTables()).toEqual([]);
  });

  it('rebuilds every projection in one pass over the log into exactly the rows built live', async () => {
    const live = await openRunner();
    live.start();
    await appendGeneratedCases(store, 40, 9);
    const head = await store.headPosition();
    await live.waitForPosition(head, WAIT_MS);
    await live.stop();
    const built = await dumpReadModels();

    const offlinePlace = await newPlace('offline');
    const offline = await openRunner({ database: offlinePlace.location, rebuildBatchSize: 50 });
    const progress: RebuildProgress[] = [];
    const result = await offline.rebuildAll(undefined, (step) => progress.push(step));

    expect(result).toMatchObject({ processed: Number(head), position: head });
    expect(progress).toHaveLength(Math.ceil(Number(head) / 50));
    expect(await dumpReadModels(offlinePlace.location)).toEqual(built);
    expect(offline.checkpoint(CASE_PROJECTION)).toBe(head);
    expect(offline.checkpoint(CASE_HISTORY_PROJECTION)).toBe(head);
  });

  it('shares one database between two runners (two instances): each event is applied once, into the rows one runner builds', async () => {
    const projections = () => [caseProjection(), caseHistoryProjection(), eventCounter({ atPosition: null })];
    const first = await openRunner({ projections: projections(), liveBatchSize: 7 });
    const second = await openRunner({ projections: projections(), liveBatchSize: 11 });
    first.start();
    second.start();
    await appendGeneratedCases(store, 30, 21);
    const head = await store.headPosition();
    await Promise.all([first.waitForPosition(head, WAIT_MS), second.waitForPosition(head, WAIT_MS)]);

    // The counter has no revision guard: an event applied by both runners would count twice.
    expect(await appliedCount()).toBe(Number(head));
    const shared = await dumpReadModels();
    const alonePlace = await newPlace('alone');
    const alone = await openRunner({ database: alonePlace.location });
    alone.start();
    await alone.waitForPosition(head, WAIT_MS);
    expect(await dumpReadModels(alonePlace.location)).toEqual(shared);
    expect((await readModelsOf(second).cases.list({ pageSize: 100 }, NOW)).total).toBe(30);
  });

  // Instances share a PostgreSQL database; SQLite read models belong to one process (docs/architecture.md, "Several instances").
  if (dialect === 'postgres') {
    it('opens one new database from two runners starting at once (two instances starting together)', async () => {
      await appendGeneratedCases(store, 5, 22);
      const head = await store.headPosition();
      const [first, second] = await Promise.all([openRunner(), openRunner()]);
      first.start();
      second.start();
      await Promise.all([first.waitForPosition(head, WAIT_MS), second.waitForPosition(head, WAIT_MS)]);

      expect((await readModelsOf(first).cases.list({ pageSize: 100 }, NOW)).total).toBe(5);
      expect((await checkpointRow(CASE_PROJECTION)).generation).toBe(1n);
    });
  }

  it('replays the log into new tables when a projection changes version', async () => {
    await appendGeneratedCases(store, 8, 8);
    const head = await store.headPosition();
    const first = await openRunner({ projections: [caseHistoryProjection()] });
    first.start();
    await first.waitForPosition(head, WAIT_MS);
    await first.stop();
    const built = await inspect((db) => dump(db, 'case_history'));
    expect(built).not.toHaveLength(0);

    const current = caseHistoryProjection();
    const upgraded = await openRunner({ projections: [{ ...current, version: current.version + 1 }] });
    expect(upgraded.checkpoint(CASE_HISTORY_PROJECTION)).toBe(0n);
    upgraded.start();
    await upgraded.waitForPosition(head, WAIT_MS);

    expect(await inspect((db) => dump(db, 'case_history'))).toEqual(built);
    expect(logger.messages.filter((message) => !message.startsWith('Lease '))).toEqual([
      `Projection 'case-history' changed from version ${current.version} to ${current.version + 1}: ` + 'replaying the log into new tables',
    ]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@cases/event-store';
import { CASE_HISTORY_PROJECTION, caseHistoryProjection } from '../case-history/case-history.projection';
import { CASE_PROJECTION, caseProjection } from '../case/case.projection';
import { ReadModels } from '../read-models';
import { appendGeneratedCases } from '../testing/generated-cases';
import { ProjectionTimeoutError } from './position-waiters';
import type { Projection } from './projection';
import { ProjectionRunner, UnknownProjectionError, type ProjectionRunnerOptions } from './projection-runner';
import type { RebuildProgress } from './rebuilder';

const WAIT_MS = 4_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const READ_MODEL_TABLES = {
  case_view: 'case_key',
  case_list: 'case_key',
  case_deadlines: 'case_key, milestone',
  case_history_cases: 'case_key',
  case_history: 'position',
};

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
    createTables(db, names) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${names.table('event_counts')} (stream_id TEXT PRIMARY KEY, applied INTEGER NOT NULL)`);
    },
    createIndexes() {
      // The primary key is all it needs.
    },
    writer(db, names) {
      const increment = db.prepare(
        `INSERT INTO ${names.table('event_counts')} (stream_id, applied) VALUES (?, 1)
         ON CONFLICT (stream_id) DO UPDATE SET applied = applied + 1`,
      );
      return {
        apply(batch) {
          if (crash.always) throw new Database.SqliteError('this projection always fails', 'SQLITE_IOERR');
          for (const entry of batch.entries) {
            if (entry.position === crash.atPosition) {
              crash.atPosition = null;
              throw new Database.SqliteError(`simulated crash at position ${entry.position}`, 'SQLITE_IOERR');
            }
            increment.run(entry.streamId);
          }
        },
      };
    },
  };
}

describe('ProjectionRunner', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let logger: RecordingLogger;
  const runners: ProjectionRunner[] = [];

  const openRunner = (options: Partial<ProjectionRunnerOptions> = {}): ProjectionRunner => {
    const runner = new ProjectionRunner({
      store,
      databaseFile: file,
      projections: [caseProjection(), caseHistoryProjection()],
      logger,
      restartBackoff: { initialMs: 1, maxMs: 10 },
      ...options,
    });
    runners.push(runner);
    return runner;
  };
  const readModelsOf = (runner: ProjectionRunner) => new ReadModels(runner, store, { timeoutMs: WAIT_MS });

  /** A second connection to the read-model file, as an operator's tool would open it. */
  function inspect<T>(look: (db: Database.Database) => T, databaseFile = file): T {
    const db = new Database(databaseFile);
    try {
      return look(db);
    } finally {
      db.close();
    }
  }
  const dump = (db: Database.Database, table: string, orderBy: string): unknown[] =>
    db.prepare(`SELECT * FROM ${table} ORDER BY ${orderBy}`).all();
  const dumpReadModels = (databaseFile = file): Record<string, unknown[]> =>
    inspect(
      (db) => Object.fromEntries(Object.entries(READ_MODEL_TABLES).map(([table, key]) => [table, dump(db, table, key)])),
      databaseFile,
    );
  const appliedCount = (): number => inspect((db) => db.prepare('SELECT SUM(applied) FROM event_counts').pluck().get() as number);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    file = join(dir, 'read-models.db');
    store = SqliteEventStore.open(join(dir, 'events.db'));
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the whole log to every read model, skipping non-case streams, and reports its lag', async () => {
    const caseIds = await appendGeneratedCases(store, 12, 1);
    const head = await store.headPosition();
    const runner = openRunner();
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
    const runner = openRunner();
    runner.start();
    await expect(runner.waitForPosition(0n, WAIT_MS)).resolves.toBeUndefined();

    const applied = runner.waitForPosition(1n, WAIT_MS, CASE_PROJECTION);
    await appendGeneratedCases(store, 1, 2);
    await applied;

    expect((await readModelsOf(runner).cases.list({}, NOW, { minPosition: 0n })).total).toBe(1);
  });

  it('waitForPosition rejects with a timeout error when the position is not reached in time', async () => {
    const runner = openRunner();
    runner.start();

    const waiting = runner.waitForPosition(5n, 20);

    await expect(waiting).rejects.toThrow(ProjectionTimeoutError);
    await expect(waiting).rejects.toThrow('Read models did not reach position 5 within 20 ms (they are at 0)');
  });

  it('answers a query once its read model reaches the minPosition asked for, waiting for no other', async () => {
    const [caseId] = await appendGeneratedCases(store, 1, 10);
    const head = await store.headPosition();
    const runner = openRunner({ projections: [caseProjection(), eventCounter({ atPosition: null, always: true })] });
    const readModels = new ReadModels(runner, store, { timeoutMs: 200 });
    runner.start();

    // The counter never gets anywhere, yet the case read model answers at the head and beyond.
    await expect(readModels.cases.view(caseId)).resolves.toMatchObject({ position: expect.any(BigInt) });
    await expect(runner.waitForPosition(head, 50)).rejects.toThrow(ProjectionTimeoutError);

    // The next case's number is allocated at head + 1, its intake recorded at head + 2.
    const later = readModels.cases.list({ pageSize: 100 }, NOW, { minPosition: head + 2n });
    const [nextCase] = await appendGeneratedCases(store, 1, 11);
    const page = await later;
    expect(page.items.map((item) => item.id)).toContain(nextCase);

    await expect(readModels.cases.view(caseId, { minPosition: head + 1_000n })).rejects.toThrow(
      `Read models did not reach position ${head + 1_000n} within 200 ms`,
    );
  });

  it('commits a batch with its checkpoint: a crash mid-batch moves neither; a restart resumes with no gap, no double', async () => {
    await appendGeneratedCases(store, 30, 3);
    const head = await store.headPosition();
    const crash = { atPosition: 60n as bigint | null };
    // A restart far in the future: the test restarts the process itself, like a crashed service would be.
    const runner = openRunner({
      projections: [eventCounter(crash)],
      liveBatchSize: 25,
      restartBackoff: { initialMs: 3_600_000, maxMs: 3_600_000 },
    });
    const failed = logger.nextError();

    runner.start();
    await failed;

    // Batches 1–25 and 26–50 committed; 51–75 threw at 60 after counting 51–59, and was rolled back.
    expect(runner.checkpoint('event-counter')).toBe(50n);
    const durable = inspect((db) =>
      db.prepare("SELECT position FROM projection_checkpoints WHERE projection = 'event-counter'").pluck().get(),
    );
    expect(durable).toBe(50);
    expect(appliedCount()).toBe(50);
    await runner.stop();

    const restarted = openRunner({ projections: [eventCounter(crash)], liveBatchSize: 25 });
    restarted.start();
    await restarted.waitForPosition(head, WAIT_MS);

    const perStream = new Map<string, number>();
    for (const event of await store.readAll({ maxCount: 100_000 })) {
      perStream.set(event.streamId, (perStream.get(event.streamId) ?? 0) + 1);
    }
    expect(appliedCount()).toBe(Number(head));
    const counted = inspect((db) => db.prepare('SELECT stream_id, applied FROM event_counts').raw().all() as [string, number][]);
    expect(new Map(counted)).toEqual(perStream);
  });

  it('restarts a failed projection from its durable checkpoint, after logging the failure', async () => {
    await appendGeneratedCases(store, 10, 4);
    const head = await store.headPosition();
    const crash = { atPosition: 7n as bigint | null };
    const runner = openRunner({ projections: [eventCounter(crash), caseProjection()], liveBatchSize: 5 });

    runner.start();
    await runner.waitForPosition(head, WAIT_MS);

    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toBe(
      "Projection 'event-counter' stopped at position 5 (simulated crash at position 7); " +
        'restarting from its checkpoint in 1 ms (failure 1 in a row)',
    );
    expect(appliedCount()).toBe(Number(head));
  });

  it('ignores events delivered again after they were applied', async () => {
    await appendGeneratedCases(store, 15, 5);
    const head = await store.headPosition();
    const runner = openRunner();
    runner.start();
    await runner.waitForPosition(head, WAIT_MS);
    await runner.stop();
    const applied = dumpReadModels();

    // As if the store redelivered the whole log: every projection starts again from position 0.
    inspect((db) => db.prepare('UPDATE projection_checkpoints SET position = 0').run());
    const redelivered = openRunner();
    redelivered.start();
    await redelivered.waitForPosition(head, WAIT_MS);

    expect(dumpReadModels()).toEqual(applied);
  });

  it('rebuilds each projection beside the live one into exactly the rows built live, then follows the log again', async () => {
    // A tiny cache, so the rebuild also writes cases out early and reads them back.
    const runner = openRunner({ rebuildBatchSize: 40, projections: [caseProjection({ bulkCachedCases: 3 }), caseHistoryProjection()] });
    runner.start();
    // Appended while the runner follows, so the live model is built from many small batches.
    await appendGeneratedCases(store, 60, 6);
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(300n);
    await runner.waitForPosition(head, WAIT_MS);
    const live = dumpReadModels();

    for (const projection of [CASE_PROJECTION, CASE_HISTORY_PROJECTION]) {
      const progress: RebuildProgress[] = [];
      const result = await runner.rebuild(projection, (step) => progress.push(step));

      expect(result).toMatchObject({ projection, processed: Number(head), position: head });
      expect(progress.length).toBe(Math.ceil(Number(head) / 40));
      expect(progress[progress.length - 1]).toEqual({ projection, processed: Number(head), position: head, head });
    }
    expect(dumpReadModels()).toEqual(live);
    await expect(runner.rebuild('no-such-projection')).rejects.toThrow(UnknownProjectionError);

    const [latest] = await appendGeneratedCases(store, 1, 7);
    await runner.waitForPosition(await store.headPosition(), WAIT_MS);
    expect(await readModelsOf(runner).cases.view(latest)).not.toBeNull();
  });

  it('keeps answering from the live tables and following the log during a rebuild, then swaps with nothing lost', async () => {
    const caseIds = await appendGeneratedCases(store, 40, 12);
    const runner = openRunner({ rebuildBatchSize: 20 });
    const readModels = readModelsOf(runner);
    runner.start();
    await runner.waitForPosition(await store.headPosition(), WAIT_MS);
    const total = (await readModels.cases.list({ pageSize: 100 }, NOW)).total;

    const seenDuringRebuild: number[] = [];
    const appendedDuringRebuild: Promise<string[]>[] = [];
    const rebuilt = runner.rebuild(CASE_PROJECTION, (step) => {
      // Synchronously inside the rebuild: what a query would read at this very moment.
      seenDuringRebuild.push(inspect((db) => db.prepare('SELECT COUNT(*) FROM case_view').pluck().get() as number));
      if (step.processed === 40) appendedDuringRebuild.push(appendGeneratedCases(store, 3, 13));
    });
    expect(runner.status(0n).find((status) => status.projection === CASE_PROJECTION)?.rebuilding).toBe(true);
    await rebuilt;
    const lateCases = await appendedDuringRebuild[0];

    expect(seenDuringRebuild.length).toBeGreaterThan(5);
    expect(Math.min(...seenDuringRebuild)).toBe(total);
    const head = await store.headPosition();
    const page = await readModels.cases.list({ pageSize: 100 }, NOW, { minPosition: head });
    expect(page.total).toBe(total + 3);
    expect(page.items.map((item) => item.id)).toEqual(expect.arrayContaining([...caseIds, ...lateCases]));
    expect(inspect((db) => db.prepare("SELECT generation FROM projection_checkpoints WHERE projection = 'case'").pluck().get())).toBe(2);
    const leftovers = inspect((db) => db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%rebuild%'").pluck().all());
    expect(leftovers).toEqual([]);
  });

  it('drops what a rebuild left half-built when the process stopped', async () => {
    await appendGeneratedCases(store, 5, 14);
    const first = openRunner();
    first.start();
    await first.waitForPosition(await store.headPosition(), WAIT_MS);
    await first.stop();
    inspect((db) => db.exec('CREATE TABLE case_view__rebuild (case_key INTEGER PRIMARY KEY)'));

    openRunner();

    const leftovers = inspect((db) => db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%rebuild%'").pluck().all());
    expect(leftovers).toEqual([]);
  });

  it('rebuilds every projection in one pass over the log into exactly the rows built live', async () => {
    const live = openRunner();
    live.start();
    await appendGeneratedCases(store, 40, 9);
    const head = await store.headPosition();
    await live.waitForPosition(head, WAIT_MS);
    await live.stop();
    const built = dumpReadModels();

    const offlineFile = join(dir, 'offline.db');
    const offline = openRunner({ databaseFile: offlineFile, rebuildBatchSize: 50 });
    const progress: RebuildProgress[] = [];
    const result = await offline.rebuildAll(undefined, (step) => progress.push(step));

    expect(result).toMatchObject({ processed: Number(head), position: head });
    expect(progress).toHaveLength(Math.ceil(Number(head) / 50));
    expect(dumpReadModels(offlineFile)).toEqual(built);
    expect(offline.checkpoint(CASE_PROJECTION)).toBe(head);
    expect(offline.checkpoint(CASE_HISTORY_PROJECTION)).toBe(head);
  });

  it('replays the log into new tables when a projection changes version', async () => {
    await appendGeneratedCases(store, 8, 8);
    const head = await store.headPosition();
    const first = openRunner({ projections: [caseHistoryProjection()] });
    first.start();
    await first.waitForPosition(head, WAIT_MS);
    await first.stop();
    const built = inspect((db) => dump(db, 'case_history', READ_MODEL_TABLES.case_history));
    expect(built).not.toHaveLength(0);

    const current = caseHistoryProjection();
    const upgraded = openRunner({ projections: [{ ...current, version: current.version + 1 }] });
    expect(upgraded.checkpoint(CASE_HISTORY_PROJECTION)).toBe(0n);
    upgraded.start();
    await upgraded.waitForPosition(head, WAIT_MS);

    expect(inspect((db) => dump(db, 'case_history', READ_MODEL_TABLES.case_history))).toEqual(built);
    expect(logger.messages).toEqual([
      `Projection 'case-history' changed from version ${current.version} to ${current.version + 1}: ` + 'replaying the log into new tables',
    ]);
  });
});

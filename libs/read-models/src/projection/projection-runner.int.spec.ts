import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { SqliteEventStore } from '@cases/event-store';
import { CASE_HISTORY_PROJECTION, caseHistoryProjection, getCaseHistory } from '../case-history';
import { CASE_LIST_PROJECTION, caseListProjection, listCases } from '../case-list';
import { CASE_VIEW_PROJECTION, caseViewProjection, getCaseView } from '../case-view';
import { appendGeneratedCases } from '../testing/generated-cases';
import type { Projection } from './projection';
import {
  ProjectionRunner,
  ProjectionTimeoutError,
  UnknownProjectionError,
  type ProjectionRunnerOptions,
  type RebuildProgress,
} from './projection-runner';

const WAIT_MS = 4_000;
const READ_MODEL_TABLES = {
  case_list: 'case_key',
  case_deadlines: 'case_key, milestone',
  case_view: 'case_id',
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
 * when it reaches a given position, half-way through a batch.
 */
function eventCounter(crash: { atPosition: bigint | null }): Projection {
  return {
    name: 'event-counter',
    version: 1,
    createSchema(db) {
      db.exec('CREATE TABLE IF NOT EXISTS event_counts (stream_id TEXT PRIMARY KEY, applied INTEGER NOT NULL)');
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS event_counts');
    },
    applyBatch(db, events) {
      const increment = db.prepare(
        `INSERT INTO event_counts (stream_id, applied) VALUES (?, 1)
         ON CONFLICT (stream_id) DO UPDATE SET applied = applied + 1`,
      );
      for (const event of events) {
        if (event.position === crash.atPosition) {
          crash.atPosition = null;
          throw new Error(`simulated crash at position ${event.position}`);
        }
        increment.run(event.streamId);
      }
    },
  };
}

function dump(db: Database, table: string, orderBy: string): unknown[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY ${orderBy}`).all();
}

function dumpReadModels(db: Database): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(READ_MODEL_TABLES).map(([table, key]) => [table, dump(db, table, key)]));
}

describe('ProjectionRunner', () => {
  let dir: string;
  let store: SqliteEventStore;
  let logger: RecordingLogger;
  const runners: ProjectionRunner[] = [];

  const openRunner = (options: Partial<ProjectionRunnerOptions> = {}): ProjectionRunner => {
    const runner = new ProjectionRunner({
      store,
      databaseFile: join(dir, 'read-models.db'),
      projections: [caseListProjection(), caseViewProjection(), caseHistoryProjection()],
      logger,
      restartBackoff: { initialMs: 1, maxMs: 10 },
      ...options,
    });
    runners.push(runner);
    return runner;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-'));
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
    expect(await runner.lag()).toBe(head);

    runner.start();
    await runner.waitForPosition(head, WAIT_MS);

    expect(await runner.lag()).toBe(0n);
    expect(runner.status(head)).toEqual(
      [CASE_LIST_PROJECTION, CASE_VIEW_PROJECTION, CASE_HISTORY_PROJECTION].map((projection) => ({
        projection,
        position: head,
        lag: 0n,
        rebuilding: false,
      })),
    );
    expect(listCases(runner.db, { pageSize: 100 }, new Date('2026-06-01T00:00:00Z')).total).toBe(12);
    for (const caseId of caseIds) {
      const stream = await store.readStream(`case-${caseId}`);
      expect(getCaseView(runner.db, caseId)).toMatchObject({
        revision: stream[stream.length - 1].revision,
        position: stream[stream.length - 1].position,
        state: { id: caseId, eventCount: stream.length },
      });
      expect(getCaseHistory(runner.db, caseId).map((entry) => entry.position)).toEqual(
        stream.map((event) => event.position),
      );
    }
  });

  it('waitForPosition resolves once a later append has been applied', async () => {
    const runner = openRunner();
    runner.start();
    await expect(runner.waitForPosition(0n, WAIT_MS)).resolves.toBeUndefined();

    const applied = runner.waitForPosition(1n, WAIT_MS, CASE_LIST_PROJECTION);
    await appendGeneratedCases(store, 1, 2);
    await applied;

    expect(listCases(runner.db, {}, new Date('2026-06-01T00:00:00Z')).total).toBe(1);
  });

  it('waitForPosition rejects with a timeout error when the position is not reached in time', async () => {
    const runner = openRunner();
    runner.start();

    const waiting = runner.waitForPosition(5n, 20);

    await expect(waiting).rejects.toThrow(ProjectionTimeoutError);
    await expect(waiting).rejects.toThrow('Read models did not reach position 5 within 20 ms (they are at 0)');
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
    const durable = runner.db.prepare("SELECT position FROM projection_checkpoints WHERE projection = 'event-counter'");
    expect(durable.pluck().get()).toBe(50);
    expect(runner.db.prepare('SELECT SUM(applied) FROM event_counts').pluck().get()).toBe(50);
    await runner.stop();

    const restarted = openRunner({ projections: [eventCounter(crash)], liveBatchSize: 25 });
    restarted.start();
    await restarted.waitForPosition(head, WAIT_MS);

    const perStream = new Map<string, number>();
    for (const event of await store.readAll({ maxCount: 100_000 })) {
      perStream.set(event.streamId, (perStream.get(event.streamId) ?? 0) + 1);
    }
    expect(restarted.db.prepare('SELECT SUM(applied) FROM event_counts').pluck().get()).toBe(Number(head));
    const counted = restarted.db.prepare('SELECT stream_id, applied FROM event_counts').raw().all() as [string, number][];
    expect(new Map(counted)).toEqual(perStream);
  });

  it('restarts a failed subscription from its durable checkpoint, after logging the failure', async () => {
    await appendGeneratedCases(store, 10, 4);
    const head = await store.headPosition();
    const crash = { atPosition: 7n as bigint | null };
    const runner = openRunner({ projections: [eventCounter(crash), caseListProjection()], liveBatchSize: 5 });

    runner.start();
    await runner.waitForPosition(head, WAIT_MS);

    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toBe(
      "Projection 'event-counter' stopped at position 5 (simulated crash at position 7); " +
        'restarting from its checkpoint in 1 ms (failure 1 in a row)',
    );
    expect(runner.db.prepare('SELECT SUM(applied) FROM event_counts').pluck().get()).toBe(Number(head));
  });

  it('ignores events delivered again after they were applied', async () => {
    await appendGeneratedCases(store, 15, 5);
    const head = await store.headPosition();
    const runner = openRunner();
    runner.start();
    await runner.waitForPosition(head, WAIT_MS);
    const applied = dumpReadModels(runner.db);

    // As if the store redelivered the whole log: every projection starts again from position 0.
    runner.db.prepare('UPDATE projection_checkpoints SET position = 0').run();
    await runner.stop();
    const redelivered = openRunner();
    redelivered.start();
    await redelivered.waitForPosition(head, WAIT_MS);

    expect(dumpReadModels(redelivered.db)).toEqual(applied);
  });

  it('rebuilds each projection from zero into exactly the rows built live, then follows the log again', async () => {
    const runner = openRunner({ rebuildBatchSize: 40 });
    runner.start();
    // Appended while the runner follows, so the live model is built from many small batches.
    await appendGeneratedCases(store, 60, 6);
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(300n);
    await runner.waitForPosition(head, WAIT_MS);
    const live = dumpReadModels(runner.db);

    for (const projection of [CASE_LIST_PROJECTION, CASE_VIEW_PROJECTION, CASE_HISTORY_PROJECTION]) {
      const progress: RebuildProgress[] = [];
      const result = await runner.rebuild(projection, (step) => progress.push(step));

      expect(result).toMatchObject({ projection, processed: Number(head), position: head });
      expect(progress.length).toBe(Math.ceil(Number(head) / 40));
      expect(progress[progress.length - 1]).toEqual({ projection, processed: Number(head), position: head, head });
    }
    expect(dumpReadModels(runner.db)).toEqual(live);
    await expect(runner.rebuild('no-such-projection')).rejects.toThrow(UnknownProjectionError);

    const [latest] = await appendGeneratedCases(store, 1, 7);
    await runner.waitForPosition(await store.headPosition(), WAIT_MS);
    expect(getCaseView(runner.db, latest)).not.toBeNull();
  });

  it('rebuilds every projection in one pass over the log into exactly the rows built live', async () => {
    const live = openRunner();
    live.start();
    await appendGeneratedCases(store, 40, 9);
    const head = await store.headPosition();
    await live.waitForPosition(head, WAIT_MS);
    const built = dumpReadModels(live.db);
    await live.stop();

    const offline = openRunner({ databaseFile: join(dir, 'offline.db'), rebuildBatchSize: 50 });
    const progress: RebuildProgress[] = [];
    const result = await offline.rebuildAll(undefined, (step) => progress.push(step));

    expect(result).toMatchObject({ processed: Number(head), position: head });
    expect(progress).toHaveLength(Math.ceil(Number(head) / 50));
    expect(dumpReadModels(offline.db)).toEqual(built);
    offline.start();
    await expect(offline.rebuildAll()).rejects.toThrow('Stop following the log');
  });

  it('replays the log into new tables when a projection changes version', async () => {
    await appendGeneratedCases(store, 8, 8);
    const head = await store.headPosition();
    const first = openRunner({ projections: [caseHistoryProjection()] });
    first.start();
    await first.waitForPosition(head, WAIT_MS);
    const built = dump(first.db, 'case_history', READ_MODEL_TABLES.case_history);
    expect(built).not.toHaveLength(0);
    await first.stop();

    const current = caseHistoryProjection();
    const upgraded = openRunner({ projections: [{ ...current, version: current.version + 1 }] });
    expect(upgraded.checkpoint(CASE_HISTORY_PROJECTION)).toBe(0n);
    upgraded.start();
    await upgraded.waitForPosition(head, WAIT_MS);

    expect(dump(upgraded.db, 'case_history', READ_MODEL_TABLES.case_history)).toEqual(built);
    expect(logger.messages).toEqual([
      `Projection 'case-history' changed from version ${current.version} to ${current.version + 1}: ` +
        'replaying the log into new tables',
    ]);
  });
});

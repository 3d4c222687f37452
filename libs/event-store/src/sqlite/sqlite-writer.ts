import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { AppendResult, ExpectedRevision, WrongExpectedVersionError } from '../event-store.port';

/** An event serialised before it is queued, so an unserialisable payload fails its own append only. */
export interface SerialisedEvent {
  id: string;
  type: string;
  data: string;
  personal: string | null;
  metadata: string;
}

export interface SerialisedStreamAppend {
  streamId: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** An error as it crosses the thread boundary: rebuilt on this side with its class and fields. */
type WireError =
  | { kind: 'wrong-expected-version'; streamId: string; expected: ExpectedRevision; actual: bigint | 'no_stream' }
  | { kind: 'sqlite'; message: string; code: string }
  | { kind: 'error'; message: string };

type WireOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: WireError };

interface CommitRequest {
  /** One caller's append each: one stream, or several that land together or not at all. */
  appends: SerialisedStreamAppend[][];
  created: string;
}

type WriterReply =
  /** `committed` is false when every append failed and the transaction was rolled back. */
  | { type: 'done'; outcomes: WireOutcome[]; committed: boolean }
  /** Nothing of the batch is durable (BEGIN or COMMIT failed, or SQLite aborted the transaction). */
  | { type: 'failed'; error: WireError };

export type AppendOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: unknown };

export interface WriterOptions {
  busyTimeoutMs: number;
}

/**
 * The store's one writing connection, on a thread of its own. better-sqlite3 is synchronous and
 * `synchronous = FULL` fsyncs the WAL at every COMMIT: on the main thread each group commit would
 * stop the event loop for the whole fsync (milliseconds on a virtual disk), so no request could be
 * parsed, validated or answered meanwhile. Here the fsync waits on this thread while the event
 * loop goes on and queues the next batch, which is committed as soon as this one returns.
 * A commit is visible to readers (the main thread's connection) only once COMMIT, fsync included,
 * has returned, so nothing not durable is ever read.
 */
export class SqliteWriter {
  private readonly worker: Worker;
  private pending: { resolve(outcomes: WriterReply): void; reject(error: unknown): void } | undefined;
  private broken: unknown;
  private readonly exited: Promise<void>;

  constructor(file: string, options: WriterOptions) {
    this.worker = new Worker(`(${writerThread.toString()})()`, {
      eval: true,
      workerData: { file, busyTimeoutMs: options.busyTimeoutMs, betterSqlite3: require.resolve('better-sqlite3') },
    });
    // Only a commit in flight keeps the process alive, as the callback it replaces did.
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => this.settle((pending) => pending.resolve(reply)));
    this.worker.on('error', (error) => {
      this.broken = error;
      this.settle((pending) => pending.reject(error));
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.broken ??= new Error(`The SQLite writer thread exited (${code})`);
        this.settle((pending) => pending.reject(this.broken));
        resolve();
      }),
    );
  }

  /**
   * Writes the appends in ONE transaction: each in its own savepoint, checked against the state
   * including the earlier appends of the batch, failing alone. One batch at a time.
   */
  async commit(appends: SerialisedStreamAppend[][], created: string): Promise<{ outcomes: AppendOutcome[]; committed: boolean }> {
    if (this.broken !== undefined) throw this.broken;
    if (this.pending) throw new Error('SqliteWriter: a batch is already in flight');
    const reply = await new Promise<WriterReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage({ appends, created } satisfies CommitRequest);
    });
    if (reply.type === 'failed') throw fromWire(reply.error);
    return {
      committed: reply.committed,
      outcomes: reply.outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: fromWire(outcome.error) })),
    };
  }

  /** Closes the writing connection (after the batch in flight, which the caller awaits first). */
  async close(): Promise<void> {
    this.worker.postMessage('close');
    this.worker.ref();
    await this.exited;
  }

  private settle(action: (pending: NonNullable<SqliteWriter['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    this.worker.unref();
    if (pending) action(pending);
  }
}

function fromWire(error: WireError): Error {
  switch (error.kind) {
    case 'wrong-expected-version':
      return new WrongExpectedVersionError(error.streamId, error.expected, error.actual);
    case 'sqlite':
      return new Database.SqliteError(error.message, error.code);
    default:
      return new Error(error.message);
  }
}

/**
 * The writer thread's whole program. It runs from its source text (`eval`), so the same code
 * serves the compiled service and ts-jest: it must not use anything from this module's scope,
 * only `require` and `workerData`.
 */
function writerThread(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- runs as its own program (see above) */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { file, busyTimeoutMs, betterSqlite3 } = workerData as { file: string; busyTimeoutMs: number; betterSqlite3: string };
  const SqliteDatabase = require(betterSqlite3) as typeof Database;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = parentPort as NonNullable<typeof parentPort>;

  const db = new SqliteDatabase(file, { timeout: busyTimeoutMs });
  // Per connection: FULL fsyncs the WAL at every commit (see SqliteEventStore.open).
  db.pragma('synchronous = FULL');
  db.defaultSafeIntegers(true);
  const sql = {
    // IMMEDIATE takes the write lock up front, so a batch never fails half-way on a lock upgrade.
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT append'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO append'),
    releaseSavepoint: db.prepare('RELEASE append'),
    storedEvent: db.prepare<[string], { streamId: string; revision: bigint; position: bigint }>(
      'SELECT stream_id AS streamId, revision, position FROM events WHERE event_id = ?',
    ),
    streamRevision: db.prepare<[string], bigint | null>('SELECT MAX(revision) FROM events WHERE stream_id = ?').pluck(),
    insert: db
      .prepare<[string, bigint, string, string, string, string | null, string, string], bigint>(
        `INSERT INTO events (stream_id, revision, event_id, type, data, personal, metadata, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`,
      )
      .pluck(),
  };

  class ExpectedVersionMismatch extends Error {
    constructor(readonly wire: WireError) {
      super('wrong expected version');
    }
  }

  const toWire = (error: unknown): WireError => {
    if (error instanceof ExpectedVersionMismatch) return error.wire;
    if (error instanceof SqliteDatabase.SqliteError) return { kind: 'sqlite', message: error.message, code: error.code };
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  };

  const matchesExpected = (current: bigint | undefined, expected: ExpectedRevision): boolean => {
    switch (expected) {
      case 'any':
        return true;
      case 'no_stream':
        return current === undefined;
      case 'stream_exists':
        return current !== undefined;
      default:
        return current === expected;
    }
  };

  /**
   * An append whose event ids are all already stored, in order and consecutively, in the same
   * stream is a retry: its original result, whatever it expected. Any other reuse of a stored id
   * (another stream, part of the append) is a caller error, never silently half-applied.
   */
  const originalResultOfRetry = (append: SerialisedStreamAppend): AppendResult | undefined => {
    const stored = append.events.map((event) => sql.storedEvent.get(event.id));
    if (stored.every((ref) => ref === undefined)) return undefined;
    const first = stored[0];
    const isRetry =
      first !== undefined &&
      stored.every(
        (ref, index) => ref !== undefined && ref.streamId === append.streamId && ref.revision === first.revision + BigInt(index),
      );
    if (!isRetry) {
      const reused = append.events
        .map((event, index) => ({ id: event.id, ref: stored[index] }))
        .filter(({ ref }) => ref !== undefined)
        .map(({ id, ref }) => `${id} (stream '${ref?.streamId}' revision ${ref?.revision})`);
      throw new Error(
        `Append to stream '${append.streamId}' reuses stored event ids but is not a retry of one append: ${reused.join(', ')}`,
      );
    }
    const last = stored[stored.length - 1] as { revision: bigint; position: bigint };
    return { nextExpectedRevision: last.revision, position: last.position };
  };

  const appendInTransaction = (append: SerialisedStreamAppend, created: string): AppendResult => {
    const { streamId, events, expectedRevision } = append;
    const retried = originalResultOfRetry(append);
    if (retried) return retried;
    const current = sql.streamRevision.get(streamId) ?? undefined;
    if (!matchesExpected(current, expectedRevision)) {
      throw new ExpectedVersionMismatch({
        kind: 'wrong-expected-version',
        streamId,
        expected: expectedRevision,
        actual: current ?? 'no_stream',
      });
    }
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      position = sql.insert.get(streamId, revision, event.id, event.type, event.data, event.personal, event.metadata, created) as bigint;
    }
    return { nextExpectedRevision: revision, position };
  };

  /** One caller's append (all its streams); its failure is undone to its savepoint, whole, and spares the others. */
  const appendInSavepoint = (parts: SerialisedStreamAppend[], created: string): WireOutcome => {
    sql.savepoint.run();
    try {
      const results = parts.map((part) => appendInTransaction(part, created));
      sql.releaseSavepoint.run();
      return { ok: true, results };
    } catch (error) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the batch fails.
      if (!db.inTransaction) throw error;
      sql.rollbackToSavepoint.run();
      sql.releaseSavepoint.run();
      return { ok: false, error: toWire(error) };
    }
  };

  port.on('message', (message: CommitRequest | 'close') => {
    if (message === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      sql.begin.run();
      const outcomes = message.appends.map((parts) => appendInSavepoint(parts, message.created));
      const committed = outcomes.some((outcome) => outcome.ok);
      // A batch whose appends all failed has nothing to make durable.
      (committed ? sql.commit : sql.rollback).run();
      reply = { type: 'done', outcomes, committed };
    } catch (error) {
      if (db.inTransaction) sql.rollback.run();
      reply = { type: 'failed', error: toWire(error) };
    }
    port.postMessage(reply);
  });
}

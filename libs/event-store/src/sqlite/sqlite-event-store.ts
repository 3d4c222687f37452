import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
  WrongExpectedVersionError,
} from '../event-store.port';
import { CommittedLog, PollingSubscription } from './polling-subscription';

export interface SqliteEventStoreOptions {
  /**
   * How long a write waits for another connection's write lock before failing, in ms (default
   * 5000). better-sqlite3 is synchronous, so the wait blocks this process's event loop.
   */
  busyTimeoutMs?: number;
  /** How often an idle subscription reads the file for events committed by other processes, in ms (default 250). */
  pollIntervalMs?: number;
  /** Most appends committed together in one transaction (default 500). */
  maxAppendsPerCommit?: number;
}

/** The connection settings that decide durability, as SQLite reports them. */
export interface SqlitePragmas {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  busyTimeoutMs: number;
}

/** Largest SQLite INTEGER: "no upper bound" for a position. */
const MAX_POSITION = 9223372036854775807n;
const DEFAULT_READ_ALL_COUNT = 1000;
/** LIMIT -1 is SQLite's "no limit". */
const NO_LIMIT = -1;

// `position` is AUTOINCREMENT, not a bare rowid alias, so a position is never handed out twice
// even if the highest row were ever removed. The JSON columns hold JSON text; `personal` is the
// only column that may identify a person (SPEC §7), kept apart so it can be shredded on its own.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    event_id  TEXT    NOT NULL UNIQUE,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    personal  TEXT,
    metadata  TEXT    NOT NULL,
    created   TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  ) STRICT;
`;

const SELECT_EVENT = `
  SELECT position, stream_id AS streamId, revision, event_id AS id, type, data, personal, metadata, created
  FROM events`;

interface EventRow {
  position: bigint;
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  data: string;
  personal: string | null;
  metadata: string;
  created: string;
}

interface StoredEventRef {
  streamId: string;
  revision: bigint;
  position: bigint;
}

/** An event serialised before it is queued, so an unserialisable payload fails its own append only. */
interface SerialisedEvent {
  id: string;
  type: string;
  data: string;
  personal: string | null;
  metadata: string;
}

interface SerialisedStreamAppend {
  streamId: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** One caller's append: one stream, or several that land together or not at all. */
interface QueuedAppend {
  parts: SerialisedStreamAppend[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

type AppendOutcome = { ok: true; results: AppendResult[] } | { ok: false; error: unknown };

/**
 * The embedded event store: one SQLite file, WAL mode, every commit fsynced.
 *
 * Appends are group-committed: `append()` queues, and everything queued by the next turn of the
 * event loop is written in ONE transaction, so one fsync covers many appends. Each append still
 * gets its own expected-revision check (against the state including earlier appends of the same
 * batch) and fails alone, and no promise resolves before COMMIT has returned.
 *
 * Payloads (`data`, `personal`, `metadata`) are stored as JSON text: Dates come back as strings
 * and `bigint` values are rejected by `JSON.stringify` (serialise them as strings first).
 * Revisions and positions are INTEGER columns read back as `bigint`.
 */
export class SqliteEventStore implements EventStore {
  private readonly queue: QueuedAppend[] = [];
  private scheduledFlush: NodeJS.Immediate | undefined;
  private readonly subscriptions = new Set<PollingSubscription>();
  private closing: Promise<void> | undefined;
  private commits = 0;
  private readonly committedLog: CommittedLog = {
    readAfter: (position, maxCount) => this.readRange(position, MAX_POSITION, maxCount),
    attach: (subscription) => {
      this.subscriptions.add(subscription);
      return () => this.subscriptions.delete(subscription);
    },
  };

  private readonly sql: {
    begin: Database.Statement;
    commit: Database.Statement;
    rollback: Database.Statement;
    savepoint: Database.Statement;
    rollbackToSavepoint: Database.Statement;
    releaseSavepoint: Database.Statement;
    storedEvent: Database.Statement<[string], StoredEventRef>;
    streamRevision: Database.Statement<[string], bigint | null>;
    insert: Database.Statement<[string, bigint, string, string, string, string | null, string, string], bigint>;
    readStream: Database.Statement<[string, bigint, number], EventRow>;
    readAll: Database.Statement<[bigint, bigint, number], EventRow>;
    headPosition: Database.Statement<[], bigint | null>;
    ping: Database.Statement<[], bigint>;
  };

  private constructor(
    private readonly db: Database.Database,
    private readonly pollIntervalMs: number,
    private readonly maxAppendsPerCommit: number,
  ) {
    db.defaultSafeIntegers(true);
    this.sql = {
      // IMMEDIATE takes the write lock up front, so a batch never fails half-way on a lock upgrade.
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT append'),
      rollbackToSavepoint: db.prepare('ROLLBACK TO append'),
      releaseSavepoint: db.prepare('RELEASE append'),
      storedEvent: db.prepare('SELECT stream_id AS streamId, revision, position FROM events WHERE event_id = ?'),
      streamRevision: db.prepare<[string], bigint | null>('SELECT MAX(revision) FROM events WHERE stream_id = ?').pluck(),
      insert: db
        .prepare<[string, bigint, string, string, string, string | null, string, string], bigint>(
          `INSERT INTO events (stream_id, revision, event_id, type, data, personal, metadata, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`,
        )
        .pluck(),
      readStream: db.prepare(`${SELECT_EVENT} WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`),
      readAll: db.prepare(`${SELECT_EVENT} WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`),
      headPosition: db.prepare<[], bigint | null>('SELECT MAX(position) FROM events').pluck(),
      ping: db.prepare<[], bigint>('SELECT 1').pluck(),
    };
  }

  /** Opens (creating the folder, file and schema when missing) the store at `file`. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode better-sqlite3's default, NORMAL, fsyncs only at checkpoints: a transaction
      // whose COMMIT returned can still be lost on power failure. FULL fsyncs the WAL at every
      // commit; a registered petition must survive. Group commit is what pays for it.
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      return new SqliteEventStore(db, options.pollIntervalMs ?? 250, options.maxAppendsPerCommit ?? 500);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Write transactions committed by this instance (one per group commit); for observability. */
  get committedTransactions(): number {
    return this.commits;
  }

  pragmas(): SqlitePragmas {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  async append(streamId: string, events: EventData[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const [result] = await this.appendMultiple([{ streamId, events, expectedRevision }]);
    return result;
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (this.closing) throw new Error('The event store is closed');
    if (appends.length === 0) throw new Error('A multi-stream append needs at least one stream');
    const parts = appends.map(({ streamId, events, expectedRevision = 'any' }) => {
      if (events.length === 0) throw new Error(`Append to stream '${streamId}' has no events`);
      return { streamId, events: events.map(serialise), expectedRevision };
    });
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, resolve, reject });
      this.scheduledFlush ??= setImmediate(() => this.commitQueued());
    });
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    return this.sql.readStream.all(streamId, options.fromRevision ?? 0n, options.maxCount ?? NO_LIMIT).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readRange(options.after ?? 0n, options.upTo ?? MAX_POSITION, options.maxCount ?? DEFAULT_READ_ALL_COUNT);
  }

  async headPosition(): Promise<bigint> {
    return this.sql.headPosition.get() ?? 0n;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return new PollingSubscription(this.committedLog, options, this.pollIntervalMs);
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

  /** Commits the appends still queued, stops the subscriptions, then closes the file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.queue.length > 0) this.commitQueued();
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      this.db.close();
    })();
    return this.closing;
  }

  private readRange(after: bigint, upTo: bigint, maxCount: number): RecordedEvent[] {
    return this.sql.readAll.all(after, upTo, maxCount).map(toRecordedEvent);
  }

  /** Writes one batch of queued appends in one transaction and settles their promises. */
  private commitQueued(): void {
    if (this.scheduledFlush) clearImmediate(this.scheduledFlush);
    this.scheduledFlush = undefined;
    const batch = this.queue.splice(0, this.maxAppendsPerCommit);
    if (this.queue.length > 0) this.scheduledFlush = setImmediate(() => this.commitQueued());
    if (batch.length === 0) return;

    const created = new Date().toISOString();
    let outcomes: AppendOutcome[];
    let anyStored: boolean;
    try {
      this.sql.begin.run();
      outcomes = batch.map((append) => this.appendInSavepoint(append, created));
      anyStored = outcomes.some((outcome) => outcome.ok);
      // A batch whose appends all failed has nothing to make durable.
      (anyStored ? this.sql.commit : this.sql.rollback).run();
    } catch (error) {
      // Nothing of the batch is durable (BEGIN or COMMIT failed, or SQLite aborted the transaction).
      if (this.db.inTransaction) this.sql.rollback.run();
      for (const append of batch) append.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.results) : batch[index].reject(outcome.error)));
    if (anyStored) {
      this.commits += 1;
      for (const subscription of this.subscriptions) subscription.wake();
    }
  }

  /**
   * Runs one caller's append (all its streams) inside the batch transaction; its failure is undone
   * to its savepoint, whole, and spares the others.
   */
  private appendInSavepoint(append: QueuedAppend, created: string): AppendOutcome {
    this.sql.savepoint.run();
    try {
      const results = append.parts.map((part) => this.appendInTransaction(part, created));
      this.sql.releaseSavepoint.run();
      return { ok: true, results };
    } catch (error) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the batch fails.
      if (!this.db.inTransaction) throw error;
      this.sql.rollbackToSavepoint.run();
      this.sql.releaseSavepoint.run();
      return { ok: false, error };
    }
  }

  private appendInTransaction(append: SerialisedStreamAppend, created: string): AppendResult {
    const { streamId, events, expectedRevision } = append;
    const retried = this.originalResultOfRetry(append);
    if (retried) return retried;

    const current = this.sql.streamRevision.get(streamId) ?? undefined;
    if (!matchesExpected(current, expectedRevision)) {
      throw new WrongExpectedVersionError(streamId, expectedRevision, current ?? 'no_stream');
    }
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      position = this.sql.insert.get(
        streamId,
        revision,
        event.id,
        event.type,
        event.data,
        event.personal,
        event.metadata,
        created,
      ) as bigint;
    }
    return { nextExpectedRevision: revision, position };
  }

  /**
   * An append whose event ids are all already stored, in order and consecutively, in the same
   * stream is a retry: its original result, whatever it expected. Any other reuse of a stored id
   * (another stream, part of the append) is a caller error, never silently half-applied.
   */
  private originalResultOfRetry(append: SerialisedStreamAppend): AppendResult | undefined {
    const stored = append.events.map((event) => this.sql.storedEvent.get(event.id));
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
    const last = stored[stored.length - 1] as StoredEventRef;
    return { nextExpectedRevision: last.revision, position: last.position };
  }
}

function matchesExpected(current: bigint | undefined, expected: ExpectedRevision): boolean {
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
}

function serialise(event: EventData): SerialisedEvent {
  return {
    id: event.id,
    type: event.type,
    data: toJson(event.data, 'data', event.id),
    personal: event.personal === null || event.personal === undefined ? null : toJson(event.personal, 'personal', event.id),
    metadata: toJson(event.metadata, 'metadata', event.id),
  };
}

function toJson(value: unknown, field: string, eventId: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`Event ${eventId}: ${field} has no JSON representation`);
  return json;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data),
    personal: row.personal === null ? null : JSON.parse(row.personal),
    metadata: JSON.parse(row.metadata),
    streamId: row.streamId,
    revision: row.revision,
    position: row.position,
    created: new Date(row.created),
  };
}

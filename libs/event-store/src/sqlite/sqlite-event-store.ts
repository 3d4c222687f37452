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
} from '../event-store.port';
import { CommittedLog, PollingSubscription } from './polling-subscription';
import { SerialisedEvent, SerialisedStreamAppend, SqliteWriter } from './sqlite-writer';

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

// Read in raw mode (one array per row, in this column order): cheaper than an object per row
// before the row becomes a RecordedEvent anyway (bench/rebuild.bench.ts, "store readAll").
const SELECT_EVENT = `
  SELECT position, stream_id, revision, event_id, type, data, personal, metadata, created
  FROM events`;

type EventRow = [
  position: bigint,
  streamId: string,
  revision: bigint,
  id: string,
  type: string,
  data: string,
  personal: string | null,
  metadata: string,
  created: string,
];

/** One caller's append: one stream, or several that land together or not at all. */
interface QueuedAppend {
  parts: SerialisedStreamAppend[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

/**
 * The embedded event store: one SQLite file, WAL mode, every commit fsynced.
 *
 * Appends are group-committed: `append()` queues, and everything queued by the next turn of the
 * event loop (or while the previous batch was being written) is written in ONE transaction, so
 * one fsync covers many appends. Each append still gets its own expected-revision check (against
 * the state including earlier appends of the same batch) and fails alone, and no promise resolves
 * before COMMIT has returned. The writes run on a thread of their own (`SqliteWriter`), so the
 * fsync never stops the event loop; reads run here, on a second connection, and see a commit
 * once it is durable.
 *
 * Payloads (`data`, `personal`, `metadata`) are stored as JSON text: Dates come back as strings
 * and `bigint` values are rejected by `JSON.stringify` (serialise them as strings first).
 * Revisions and positions are INTEGER columns read back as `bigint`.
 */
export class SqliteEventStore implements EventStore {
  private readonly queue: QueuedAppend[] = [];
  private scheduledFlush: NodeJS.Immediate | undefined;
  /** The batch the writer thread is committing: one at a time, the next gathers meanwhile. */
  private inFlight: Promise<void> | undefined;
  private readonly subscriptions = new Set<PollingSubscription>();
  private closing: Promise<void> | undefined;
  private commits = 0;
  private lastCreated = { text: '', ms: Number.NaN };
  private readonly committedLog: CommittedLog = {
    readAfter: (position, maxCount) => this.readRange(position, MAX_POSITION, maxCount),
    attach: (subscription) => {
      this.subscriptions.add(subscription);
      return () => this.subscriptions.delete(subscription);
    },
  };

  private readonly sql: {
    readStream: Database.Statement<[string, bigint, number], EventRow>;
    readAll: Database.Statement<[bigint, bigint, number], EventRow>;
    headPosition: Database.Statement<[], bigint | null>;
    ping: Database.Statement<[], bigint>;
  };

  private constructor(
    private readonly db: Database.Database,
    /** Null on a read-only connection (`openReadOnly`). */
    private readonly writer: SqliteWriter | null,
    private readonly pollIntervalMs: number,
    private readonly maxAppendsPerCommit: number,
  ) {
    db.defaultSafeIntegers(true);
    this.sql = {
      readStream: db
        .prepare<[string, bigint, number], EventRow>(`${SELECT_EVENT} WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`)
        .raw(),
      readAll: db
        .prepare<[bigint, bigint, number], EventRow>(`${SELECT_EVENT} WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`)
        .raw(),
      headPosition: db.prepare<[], bigint | null>('SELECT MAX(position) FROM events').pluck(),
      ping: db.prepare<[], bigint>('SELECT 1').pluck(),
    };
  }

  /** Opens (creating the folder, file and schema when missing) the store at `file`. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    // The writer thread opens the file with a connection of its own, which an in-memory database cannot share.
    if (file === ':memory:' || file === '') throw new Error('The SQLite event store needs a file: it commits from a writer thread');
    mkdirSync(dirname(file), { recursive: true });
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const db = new Database(file, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode better-sqlite3's default, NORMAL, fsyncs only at checkpoints: a transaction
      // whose COMMIT returned can still be lost on power failure. FULL fsyncs the WAL at every
      // commit; a registered petition must survive. Group commit is what pays for it.
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      // The writer opens its connection once the file, WAL mode and schema exist.
      const writer = new SqliteWriter(file, { busyTimeoutMs });
      return new SqliteEventStore(db, writer, options.pollIntervalMs ?? 250, options.maxAppendsPerCommit ?? 500);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * A read-only connection to the store at `file`, which must exist: reads and subscriptions, no
   * appends and no writer thread. For work on another thread beside the service's own connection
   * (long work, docs/statistics.md): WAL lets it read while the service writes.
   */
  static openReadOnly(file: string, options: Pick<SqliteEventStoreOptions, 'busyTimeoutMs' | 'pollIntervalMs'> = {}): SqliteEventStore {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
    return new SqliteEventStore(db, null, options.pollIntervalMs ?? 250, 0);
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
    if (this.writer === null) throw new Error('This connection to the event store is read-only');
    if (appends.length === 0) throw new Error('A multi-stream append needs at least one stream');
    const parts = appends.map(({ streamId, events, expectedRevision = 'any' }) => {
      if (events.length === 0) throw new Error(`Append to stream '${streamId}' has no events`);
      return { streamId, events: events.map(serialise), expectedRevision };
    });
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    return this.toRecordedEvents(this.sql.readStream.all(streamId, options.fromRevision ?? 0n, options.maxCount ?? NO_LIMIT));
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
      while (this.queue.length > 0 || this.inFlight) {
        if (!this.inFlight) this.flush();
        await this.inFlight;
      }
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      await this.writer?.close();
      this.db.close();
    })();
    return this.closing;
  }

  private readRange(after: bigint, upTo: bigint, maxCount: number): RecordedEvent[] {
    return this.toRecordedEvents(this.sql.readAll.all(after, upTo, maxCount));
  }

  /**
   * Rows to events. Every event of one group commit carries the same `created` text, so the last
   * one parsed is remembered: a scan of the log parses a timestamp per commit, not per event.
   */
  private toRecordedEvents(rows: EventRow[]): RecordedEvent[] {
    const events = new Array<RecordedEvent>(rows.length);
    for (let index = 0; index < rows.length; index++) {
      // Indexed rather than destructured: array destructuring goes through the iterator protocol.
      const row = rows[index];
      const created = row[8];
      if (created !== this.lastCreated.text) this.lastCreated = { text: created, ms: Date.parse(created) };
      events[index] = {
        id: row[3],
        type: row[4],
        data: JSON.parse(row[5]),
        personal: row[6] === null ? null : JSON.parse(row[6]),
        metadata: JSON.parse(row[7]),
        streamId: row[1],
        revision: row[2],
        position: row[0],
        created: new Date(this.lastCreated.ms),
      };
    }
    return events;
  }

  /** A flush on the next turn of the event loop, unless a batch is in flight (its end flushes). */
  private scheduleFlush(): void {
    if (this.inFlight === undefined) this.scheduledFlush ??= setImmediate(() => this.flush());
  }

  /**
   * Sends the queued appends (at most maxAppendsPerCommit) to the writer as one transaction. When
   * it has committed, the appends queued meanwhile go to the writer at once, before this batch's
   * callers are answered: the writer commits (and fsyncs) the next batch on its thread while this
   * one carries on here, instead of waiting for all of its answers, and the read models it
   * wakes, to be done with first.
   */
  private flush(): void {
    if (this.scheduledFlush) clearImmediate(this.scheduledFlush);
    this.scheduledFlush = undefined;
    if (this.inFlight !== undefined) return;
    const batch = this.queue.splice(0, this.maxAppendsPerCommit);
    if (batch.length === 0) return;
    // appendMultiple refuses on a read-only connection: nothing is ever queued without a writer.
    this.inFlight = (this.writer as SqliteWriter)
      .commit(
        batch.map((append) => append.parts),
        new Date().toISOString(),
      )
      .then(
        (written) => {
          this.inFlight = undefined;
          this.flush();
          this.settle(batch, written);
        },
        (error: unknown) => {
          this.inFlight = undefined;
          this.flush();
          // Nothing of the batch is durable (BEGIN or COMMIT failed, or SQLite aborted the transaction).
          for (const append of batch) append.reject(error);
        },
      );
  }

  /** Answers the callers of a batch the writer has written (each append on its own) and wakes the subscriptions. */
  private settle(batch: QueuedAppend[], written: Awaited<ReturnType<SqliteWriter['commit']>>): void {
    written.outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.results) : batch[index].reject(outcome.error)));
    if (written.committed) {
      this.commits += 1;
      for (const subscription of this.subscriptions) subscription.wake();
    }
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

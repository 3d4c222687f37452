import { Client, Pool, type PoolClient, type PoolConfig } from 'pg';
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
import { EVENT_STORE_CHANNEL, EVENT_STORE_LOCK_SPACE, EVENT_STORE_SCHEMA, migratePostgresEventStore } from './postgres-schema';
import { FinalLog, PostgresSubscription } from './postgres-subscription';

export interface PostgresEventStoreOptions {
  /** How often an idle subscription reads the log when no wake-up arrives, in ms (default 250). */
  pollIntervalMs?: number;
  /** Most appends committed together in one transaction (default 500). */
  maxAppendsPerCommit?: number;
  /** Transactions this instance runs at once, each committing a batch of appends (default 2). */
  concurrentCommits?: number;
  /**
   * How long a committed append waits for the transactions before it to finish, so that its
   * events are readable when it resolves, in ms (default 5000). Past it the append resolves anyway:
   * it is durable, only not yet visible to readers.
   */
  visibilityTimeoutMs?: number;
  /** Further node-postgres pool settings (size, timeouts, TLS). */
  pool?: Omit<PoolConfig, 'connectionString'>;
}

const DEFAULT_READ_ALL_COUNT = 1000;
/** Largest int8: "no upper bound" for a position. */
const MAX_POSITION = 9223372036854775807n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** First wait before re-reading the snapshot horizon for appends committed behind a transaction in flight. */
const FIRST_VISIBILITY_DELAY_MS = 1;
const MAX_VISIBILITY_DELAY_MS = 50;
const LISTENER_RETRY_MS = 1000;
/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

const TABLE = `${EVENT_STORE_SCHEMA}.events`;
const SEQUENCE = `${EVENT_STORE_SCHEMA}.events_position_seq`;
/** Evaluated once per statement (an InitPlan), against the statement's own snapshot. */
const HORIZON = '(SELECT pg_snapshot_xmin(pg_current_snapshot()))';
const SELECT_EVENT = `
  SELECT position::text AS position_text, stream_id, revision::text AS revision_text, event_id::text AS event_id_text,
         type, data, personal, metadata, created
  FROM ${TABLE}`;

const SQL = {
  // One statement: keys sorted so two transactions never take each other's stream locks in opposite orders.
  lockStreams: `
    SELECT count(pg_advisory_xact_lock(${EVENT_STORE_LOCK_SPACE.stream}, key))
    FROM (SELECT DISTINCT hashtext(stream_id) AS key FROM unnest($1::text[]) AS s(stream_id) ORDER BY key) AS keys`,
  // Rows without an event id carry a stream's current revision (NULL: no stream); the others, stored events reused by this batch.
  readState: `
    SELECT s.stream_id, NULL::text AS event_id,
           (SELECT max(e.revision) FROM ${TABLE} e WHERE e.stream_id = s.stream_id)::text AS revision, NULL::text AS position
    FROM unnest($1::text[]) AS s(stream_id)
    UNION ALL
    SELECT stream_id, event_id::text, revision::text, position::text FROM ${TABLE} WHERE event_id = ANY($2::uuid[])`,
  // The ordering invariant, in one statement: under the allocation lock the transaction gets its
  // id and a block of consecutive positions, inserts its rows, and releases the lock (the unlock
  // needs the count of inserted rows, so it runs last). `earlier_xid` proves no earlier statement
  // of the transaction had already taken a transaction id outside the lock.
  insert: `
    WITH allocation_lock AS MATERIALIZED (
      SELECT pg_advisory_lock(${EVENT_STORE_LOCK_SPACE.allocation}, 0) AS locked, pg_current_xact_id_if_assigned() AS earlier_xid
    ),
    block AS MATERIALIZED (
      SELECT setval('${SEQUENCE}', nextval('${SEQUENCE}') + $1::bigint - 1) - $1::bigint + 1 AS first_position,
             pg_current_xact_id() AS xid
      FROM allocation_lock
    ),
    inserted AS (
      INSERT INTO ${TABLE} (position, transaction_id, stream_id, revision, event_id, type, data, personal, metadata)
      SELECT block.first_position + e.ordinal - 1, block.xid, e.stream_id, e.revision, e.event_id, e.type,
             e.data::json, e.personal::json, e.metadata::json
      FROM block,
           unnest($2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])
             WITH ORDINALITY AS e(stream_id, revision, event_id, type, data, personal, metadata, ordinal)
      RETURNING 1
    )
    SELECT block.first_position::text, block.xid::text, allocation_lock.earlier_xid::text,
           pg_advisory_unlock(${EVENT_STORE_LOCK_SPACE.allocation}, 0) AS unlocked
    FROM allocation_lock, block, (SELECT count(*) FROM inserted) AS done`,
  // After COMMIT, outside any transaction: where readers' horizon stands, and a wake-up for other instances.
  announce: `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon, pg_notify('${EVENT_STORE_CHANNEL}', '')`,
  horizon: `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`,
  readStream: `${SELECT_EVENT} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
  readFinal: `${SELECT_EVENT} WHERE position > $1 AND position <= $2 AND transaction_id < ${HORIZON} ORDER BY position LIMIT $3`,
  hasPending: `SELECT EXISTS (SELECT 1 FROM ${TABLE} WHERE position > $1) AS pending`,
  headPosition: `SELECT max(position)::text AS head FROM ${TABLE} WHERE transaction_id < ${HORIZON}`,
};

/** int8 and uuid columns come back as text under their own names, so ORDER BY still sorts the columns themselves. */
interface EventRow {
  position_text: string;
  stream_id: string;
  revision_text: string;
  event_id_text: string;
  type: string;
  data: unknown;
  personal: unknown;
  metadata: Record<string, unknown>;
  created: Date;
}

interface StateRow {
  stream_id: string;
  event_id: string | null;
  revision: string | null;
  position: string | null;
}

interface InsertRow {
  first_position: string;
  xid: string;
  earlier_xid: string | null;
}

/** An event validated and serialised before it is queued, so a bad one fails its own append only. */
interface PreparedEvent {
  /** Lower case, as PostgreSQL's uuid type gives it back. */
  id: string;
  type: string;
  data: string;
  personal: string | null;
  metadata: string;
}

interface PreparedStreamAppend {
  streamId: string;
  events: PreparedEvent[];
  expectedRevision: ExpectedRevision;
}

/** One caller's append: one stream, or several that land together or not at all. */
interface QueuedAppend {
  parts: PreparedStreamAppend[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

/** Where an event of the batch's results sits: already stored, or the n-th row this batch inserts. */
type PositionRef = { stored: bigint } | { row: number };

interface EventRef {
  streamId: string;
  revision: bigint;
  position: PositionRef;
}

interface PlannedResult {
  nextExpectedRevision: bigint;
  position: PositionRef;
}

interface NewRow {
  streamId: string;
  revision: bigint;
  event: PreparedEvent;
}

type Planned = { ok: true; results: PlannedResult[] } | { ok: false; error: unknown };

/** A committed batch waiting until readers' horizon has passed its transaction. */
interface VisibilityWaiter {
  xid: bigint;
  deadline: number;
  settle(): void;
}

/**
 * The event store on PostgreSQL, for several service instances sharing one database.
 *
 * The global log never lets a reader skip an event. A sequence hands out positions before
 * commit, so a later transaction can become visible before an earlier one. Each append's
 * transaction therefore takes its transaction id (xid8) and its block of positions together,
 * under a short advisory lock released before COMMIT, so positions rise with transaction ids.
 * A reader only reads events whose transaction id is below its snapshot's xmin (as emmett and
 * Marten do): every transaction below xmin has ended, so every position up to the last one read
 * is final, and positions come out strictly increasing. Positions left by a rolled-back
 * transaction stay empty.
 *
 * The price is that any open transaction that has written something (and so holds a transaction
 * id), in any database of the server, holds the readers' horizon back until it ends: keep transactions short (and set
 * `idle_in_transaction_session_timeout`). An append resolves only once its events are readable,
 * so a caller that appended can read its own write through `readAll`, `headPosition` and
 * subscriptions, as on the embedded store.
 *
 * Appends are group-committed: appends queued in the same turn of the event loop, or while this
 * instance's earlier transactions commit, are written in one transaction (at most
 * `concurrentCommits` transactions at once). Each append is still checked
 * on its own, against the state including the earlier appends of its batch, and fails alone.
 * Expected revisions are checked under a per-stream advisory lock held to the end of the
 * transaction, so concurrent appends to one stream, from any instance, are serialised.
 *
 * Payloads are stored as JSON text (`json` columns): Dates come back as strings and `bigint`
 * values are rejected by `JSON.stringify` (serialise them as strings first). Event ids must be
 * UUIDs and come back in lower case. Revisions and positions are int8 columns converted to `bigint`.
 */
export class PostgresEventStore implements EventStore {
  private readonly queue: QueuedAppend[] = [];
  private scheduledFlush: NodeJS.Immediate | undefined;
  private readonly batchesInFlight = new Set<Promise<void>>();
  /** Streams written by the transactions committing now, with how many of them write each. */
  private readonly streamsInFlight = new Map<string, number>();
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly visibilityWaiters = new Set<VisibilityWaiter>();
  private visibilityWatch: Promise<void> | undefined;
  private wakeVisibilityWatch: (() => void) | undefined;
  private listener: Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private commits = 0;
  private readonly finalLog: FinalLog = {
    readFinalAfter: (position, maxCount) => this.readFinal(position, MAX_POSITION, maxCount),
    hasPendingAfter: async (position) => {
      const { rows } = await this.pool.query<{ pending: boolean }>({
        name: 'es_has_pending',
        text: SQL.hasPending,
        values: [position.toString()],
      });
      return rows[0].pending;
    },
    attach: (subscription) => {
      this.subscriptions.add(subscription);
      return () => this.subscriptions.delete(subscription);
    },
  };

  private constructor(
    private readonly pool: Pool,
    private readonly listenerConfig: PoolConfig,
    private readonly pollIntervalMs: number,
    private readonly maxAppendsPerCommit: number,
    private readonly concurrentCommits: number,
    private readonly visibilityTimeoutMs: number,
  ) {}

  /** Connects, creates the schema when missing, and starts listening for other instances' appends. */
  static async open(connectionString: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const config: PoolConfig = { connectionTimeoutMillis: 10_000, ...options.pool, connectionString };
    const pool = new Pool(config);
    // An idle connection that breaks (server restart) is dropped by the pool; the next query
    // reports the outage. Without a listener the 'error' event would end the process.
    pool.on('error', () => undefined);
    const store = new PostgresEventStore(
      pool,
      config,
      options.pollIntervalMs ?? 250,
      options.maxAppendsPerCommit ?? 500,
      options.concurrentCommits ?? 2,
      options.visibilityTimeoutMs ?? 5000,
    );
    try {
      await store.withClient((client) => migratePostgresEventStore(client));
      await store.listen();
      return store;
    } catch (error) {
      await store.listener?.end().catch(() => undefined);
      await pool.end();
      throw error;
    }
  }

  /** Write transactions committed by this instance (one per group commit); for observability. */
  get committedTransactions(): number {
    return this.commits;
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
      return { streamId, events: events.map(prepare), expectedRevision };
    });
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, resolve, reject });
      this.scheduledFlush ??= setImmediate(() => this.flush());
    });
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: 'es_read_stream',
      text: SQL.readStream,
      values: [streamId, (options.fromRevision ?? 0n).toString(), options.maxCount ?? null],
    });
    return rows.map(toRecordedEvent);
  }

  /** Only final positions: an event committed behind a transaction still in flight is returned once that one has ended. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readFinal(options.after ?? 0n, options.upTo ?? MAX_POSITION, options.maxCount ?? DEFAULT_READ_ALL_COUNT);
  }

  /** The last final position: everything up to it can be read, and nothing can still appear below it. */
  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query<{ head: string | null }>({ name: 'es_head', text: SQL.headPosition });
    return rows[0].head === null ? 0n : BigInt(rows[0].head);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return new PostgresSubscription(this.finalLog, options, this.pollIntervalMs);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Commits the appends still queued, stops the subscriptions, then closes the connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.scheduledFlush) clearImmediate(this.scheduledFlush);
      this.scheduledFlush = undefined;
      while (this.queue.length > 0 || this.batchesInFlight.size > 0) {
        this.startBatches();
        await Promise.all(this.batchesInFlight);
      }
      // Committed appends resolve now, visible or not: their events are durable.
      for (const waiter of this.visibilityWaiters) waiter.settle();
      this.visibilityWaiters.clear();
      this.wakeVisibilityWatch?.();
      await this.visibilityWatch;
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      clearTimeout(this.listenerRetry);
      await this.listener?.end().catch(() => undefined);
      await this.pool.end();
    })();
    return this.closing;
  }

  private async readFinal(after: bigint, upTo: bigint, maxCount: number): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: 'es_read_final',
      text: SQL.readFinal,
      values: [after.toString(), upTo.toString(), maxCount],
    });
    return rows.map(toRecordedEvent);
  }

  private flush(): void {
    this.scheduledFlush = undefined;
    this.startBatches();
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.batchesInFlight.size < this.concurrentCommits) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const streams = batch.flatMap((append) => append.parts.map((part) => part.streamId));
      for (const streamId of streams) this.streamsInFlight.set(streamId, (this.streamsInFlight.get(streamId) ?? 0) + 1);
      const running: Promise<void> = this.commitBatch(batch).finally(() => {
        this.batchesInFlight.delete(running);
        for (const streamId of streams) {
          const left = (this.streamsInFlight.get(streamId) ?? 1) - 1;
          if (left === 0) this.streamsInFlight.delete(streamId);
          else this.streamsInFlight.set(streamId, left);
        }
        // Appends queued while this batch was committing form the next one.
        if (!this.closing) this.startBatches();
      });
      this.batchesInFlight.add(running);
    }
  }

  /**
   * The next batch: queued appends in order, leaving for a later batch every append that touches
   * a stream a committing transaction writes, and every later append to the streams so left. So
   * this instance's appends to one stream are checked and committed in the order they were made,
   * as on the embedded store: an append made with the revision an earlier one will produce (the
   * case-number sequence reserves ahead) never meets a transaction that overtook that one.
   */
  private takeBatch(): QueuedAppend[] {
    const blocked = new Set(this.streamsInFlight.keys());
    const batch: QueuedAppend[] = [];
    const left: QueuedAppend[] = [];
    for (const append of this.queue) {
      const streamIds = append.parts.map((part) => part.streamId);
      if (batch.length >= this.maxAppendsPerCommit || streamIds.some((streamId) => blocked.has(streamId))) {
        for (const streamId of streamIds) blocked.add(streamId);
        left.push(append);
      } else {
        batch.push(append);
      }
    }
    this.queue.splice(0, this.queue.length, ...left);
    return batch;
  }

  /** Writes one batch of appends in one transaction and settles their promises; never rejects. */
  private async commitBatch(batch: QueuedAppend[]): Promise<void> {
    let committed: { planned: Planned[]; firstPosition: bigint; xid: bigint; horizon: bigint | undefined };
    try {
      const outcome = await this.withClient((client) => this.writeBatch(client, batch));
      if (!('firstPosition' in outcome)) {
        settle(batch, outcome.planned, 0n);
        return;
      }
      committed = outcome;
    } catch (error) {
      // A stored id reused by an append in another instance's concurrent transaction fails the
      // whole insert: give the other appends of the batch their own transactions.
      if (batch.length > 1 && isUniqueViolation(error)) {
        for (const append of batch) await this.commitBatch([append]);
        return;
      }
      for (const append of batch) append.reject(error);
      return;
    }
    this.commits += 1;
    const { planned, firstPosition, xid, horizon } = committed;
    const deliver = () => {
      settle(batch, planned, firstPosition);
      for (const subscription of this.subscriptions) subscription.wake();
    };
    if (horizon !== undefined && horizon > xid) deliver();
    else this.awaitVisibility(xid, deliver);
  }

  private async writeBatch(
    client: PoolClient,
    batch: QueuedAppend[],
  ): Promise<{ planned: Planned[] } | { planned: Planned[]; firstPosition: bigint; xid: bigint; horizon: bigint | undefined }> {
    const streamIds = [...new Set(batch.flatMap((append) => append.parts.map((part) => part.streamId)))];
    const eventIds = [...new Set(batch.flatMap((append) => append.parts.flatMap((part) => part.events.map((event) => event.id))))];
    await client.query('BEGIN');
    try {
      await client.query({ name: 'es_lock_streams', text: SQL.lockStreams, values: [streamIds] });
      const { rows } = await client.query<StateRow>({ name: 'es_read_state', text: SQL.readState, values: [streamIds, eventIds] });
      const { planned, newRows } = planBatch(batch, rows);
      if (newRows.length === 0) {
        await client.query('ROLLBACK');
        return { planned };
      }
      const inserted = await client.query<InsertRow>({
        name: 'es_insert',
        text: SQL.insert,
        values: [
          newRows.length,
          newRows.map((row) => row.streamId),
          newRows.map((row) => row.revision.toString()),
          newRows.map((row) => row.event.id),
          newRows.map((row) => row.event.type),
          newRows.map((row) => row.event.data),
          newRows.map((row) => row.event.personal),
          newRows.map((row) => row.event.metadata),
        ],
      });
      const { first_position, xid, earlier_xid } = inserted.rows[0];
      if (earlier_xid !== null) {
        throw new Error('Internal error: the append transaction had a transaction id before taking its positions');
      }
      await client.query('COMMIT');
      // The events are durable from here on: a failed announcement must not fail the appends.
      const horizon = await client
        .query<{ horizon: string }>({ name: 'es_announce', text: SQL.announce })
        .then(({ rows: [row] }) => BigInt(row.horizon))
        .catch(() => undefined);
      return { planned, firstPosition: BigInt(first_position), xid: BigInt(xid), horizon };
    } catch (error) {
      // The allocation lock belongs to the session, not the transaction: a statement that failed
      // while holding it left it held. Neither statement runs if the connection is gone.
      await client.query('ROLLBACK; SELECT pg_advisory_unlock_all()').catch(() => undefined);
      throw error;
    }
  }

  /** Settles `deliver` once readers' horizon passes `xid` (every earlier transaction has ended), or at the timeout. */
  private awaitVisibility(xid: bigint, deliver: () => void): void {
    let settled = false;
    const waiter: VisibilityWaiter = {
      xid,
      deadline: Date.now() + this.visibilityTimeoutMs,
      settle: () => {
        if (settled) return;
        settled = true;
        this.visibilityWaiters.delete(waiter);
        deliver();
      },
    };
    this.visibilityWaiters.add(waiter);
    this.visibilityWatch ??= this.watchVisibility().finally(() => (this.visibilityWatch = undefined));
  }

  /** One loop for every waiting batch: one horizon query per round, however many batches wait. */
  private async watchVisibility(): Promise<void> {
    let delayMs = FIRST_VISIBILITY_DELAY_MS;
    while (this.visibilityWaiters.size > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakeVisibilityWatch = undefined;
          resolve();
        };
        const timer = setTimeout(wake, delayMs);
        this.wakeVisibilityWatch = wake;
      });
      delayMs = Math.min(delayMs * 2, MAX_VISIBILITY_DELAY_MS);
      if (this.visibilityWaiters.size === 0) return;
      const horizon = await this.pool
        .query<{ horizon: string }>({ name: 'es_horizon', text: SQL.horizon })
        .then(({ rows: [row] }) => BigInt(row.horizon))
        .catch(() => undefined);
      const now = Date.now();
      for (const waiter of [...this.visibilityWaiters]) {
        if ((horizon !== undefined && horizon > waiter.xid) || now >= waiter.deadline) waiter.settle();
      }
    }
  }

  /** A connection that LISTENs for other instances' appends and wakes the subscriptions and visibility waits. */
  private async listen(): Promise<void> {
    const listener = new Client(this.listenerConfig);
    // A broken connection also ends it: 'end' below starts the reconnection.
    listener.on('error', () => undefined);
    try {
      await listener.connect();
      await listener.query(`LISTEN ${EVENT_STORE_CHANNEL}`);
    } catch (error) {
      await listener.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await listener.end().catch(() => undefined);
      return;
    }
    this.listener = listener;
    listener.on('notification', () => this.wakeAll());
    listener.once('end', () => {
      if (this.listener !== listener) return;
      this.listener = undefined;
      // Until it is back, subscriptions see other instances' appends at their poll interval.
      if (!this.closing) this.listenAgainLater();
    });
  }

  private listenAgainLater(): void {
    this.listenerRetry = setTimeout(() => {
      this.listen().then(
        // Whatever was announced while nobody listened.
        () => this.wakeAll(),
        () => {
          if (!this.closing) this.listenAgainLater();
        },
      );
    }, LISTENER_RETRY_MS);
  }

  private wakeAll(): void {
    for (const subscription of this.subscriptions) subscription.wake();
    this.wakeVisibilityWatch?.();
  }

  /** A pooled connection for `work`; destroyed rather than reused when `work` fails. */
  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out connection that breaks between queries emits 'error'; the next query reports it.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      const result = await work(client);
      client.removeListener('error', ignore);
      client.release();
      return result;
    } catch (error) {
      client.removeListener('error', ignore);
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }
}

/**
 * Decides every append of a batch in order against the stored state plus the earlier appends of
 * the batch, as the embedded store does inside one transaction: which rows to insert, and each
 * append's result or error.
 */
function planBatch(batch: QueuedAppend[], rows: StateRow[]): { planned: Planned[]; newRows: NewRow[] } {
  const revisions = new Map<string, bigint | undefined>();
  const stored = new Map<string, EventRef>();
  for (const row of rows) {
    if (row.event_id === null) revisions.set(row.stream_id, row.revision === null ? undefined : BigInt(row.revision));
    else
      stored.set(row.event_id, {
        streamId: row.stream_id,
        revision: BigInt(row.revision as string),
        position: { stored: BigInt(row.position as string) },
      });
  }
  const newRows: NewRow[] = [];
  const planned = batch.map((append): Planned => {
    // Changes become part of the batch's state only when every part of the append succeeds.
    const appendRevisions = new Map<string, bigint | undefined>();
    const appendStored = new Map<string, EventRef>();
    const appendRows: NewRow[] = [];
    const lookupRevision = (streamId: string) => (appendRevisions.has(streamId) ? appendRevisions.get(streamId) : revisions.get(streamId));
    const lookupStored = (eventId: string) => appendStored.get(eventId) ?? stored.get(eventId);
    try {
      const results = append.parts.map((part): PlannedResult => {
        const retried = originalResultOfRetry(part, lookupStored);
        if (retried) return retried;
        const current = lookupRevision(part.streamId);
        if (!matchesExpected(current, part.expectedRevision)) {
          throw new WrongExpectedVersionError(part.streamId, part.expectedRevision, current ?? 'no_stream');
        }
        let revision = current ?? -1n;
        let position: PositionRef = { row: -1 };
        for (const event of part.events) {
          if (lookupStored(event.id)) {
            throw new Error(`Append to stream '${part.streamId}' repeats event id ${event.id}`);
          }
          revision += 1n;
          position = { row: newRows.length + appendRows.length };
          appendRows.push({ streamId: part.streamId, revision, event });
          appendStored.set(event.id, { streamId: part.streamId, revision, position });
        }
        appendRevisions.set(part.streamId, revision);
        return { nextExpectedRevision: revision, position };
      });
      for (const [streamId, revision] of appendRevisions) revisions.set(streamId, revision);
      for (const [eventId, ref] of appendStored) stored.set(eventId, ref);
      newRows.push(...appendRows);
      return { ok: true, results };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return { planned, newRows };
}

/**
 * An append whose event ids are all already stored, in order and consecutively, in the same
 * stream is a retry: its original result, whatever it expected. Any other reuse of a stored id
 * (another stream, part of the append) is a caller error, never silently half-applied.
 */
function originalResultOfRetry(
  part: PreparedStreamAppend,
  lookupStored: (eventId: string) => EventRef | undefined,
): PlannedResult | undefined {
  const refs = part.events.map((event) => lookupStored(event.id));
  if (refs.every((ref) => ref === undefined)) return undefined;
  const first = refs[0];
  const isRetry =
    first !== undefined &&
    refs.every((ref, index) => ref !== undefined && ref.streamId === part.streamId && ref.revision === first.revision + BigInt(index));
  if (!isRetry) {
    const reused = part.events
      .map((event, index) => ({ id: event.id, ref: refs[index] }))
      .filter(({ ref }) => ref !== undefined)
      .map(({ id, ref }) => `${id} (stream '${ref?.streamId}' revision ${ref?.revision})`);
    throw new Error(`Append to stream '${part.streamId}' reuses stored event ids but is not a retry of one append: ${reused.join(', ')}`);
  }
  const last = refs[refs.length - 1] as EventRef;
  return { nextExpectedRevision: last.revision, position: last.position };
}

function settle(batch: QueuedAppend[], planned: Planned[], firstPosition: bigint): void {
  const resolvePosition = (ref: PositionRef) => ('stored' in ref ? ref.stored : firstPosition + BigInt(ref.row));
  batch.forEach((append, index) => {
    const outcome = planned[index];
    if (!outcome.ok) append.reject(outcome.error);
    else
      append.resolve(
        outcome.results.map((result) => ({
          nextExpectedRevision: result.nextExpectedRevision,
          position: resolvePosition(result.position),
        })),
      );
  });
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

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

function prepare(event: EventData): PreparedEvent {
  if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new TypeError(`Event id ${String(event.id)} is not a UUID`);
  return {
    id: event.id.toLowerCase(),
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
    id: row.event_id_text,
    type: row.type,
    data: row.data,
    personal: row.personal ?? null,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: BigInt(row.revision_text),
    position: BigInt(row.position_text),
    created: row.created,
  };
}

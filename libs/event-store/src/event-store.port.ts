/**
 * The event-store port, with EventStoreDB/KurrentDB semantics so every adapter (SQLite,
 * PostgreSQL, KurrentDB) is interchangeable: one stream per case, expected revision on append,
 * idempotent append by event id, one global ordered log, catch-up subscriptions from a position.
 *
 * Revisions and positions are `bigint` end to end (a city-scale log outgrows 2^53 positions only
 * in theory, but KurrentDB hands out 64-bit values). Serialise them explicitly.
 */

/** Expected state of a stream on append: `no_stream`, `any`, `stream_exists`, or an exact revision. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export interface EventData {
  /** Unique id (UUID). Appending an event whose id is already in the stream stores nothing new. */
  id: string;
  type: string;
  data: unknown;
  /** PERSONAL DATA (SPEC §7): the one place in an event that may identify a person. Null when none. */
  personal: unknown | null;
  metadata: Record<string, unknown>;
}

export interface RecordedEvent extends EventData {
  streamId: string;
  /** 0-based position within its stream. */
  revision: bigint;
  /** Position in the global log: strictly increasing in commit order, starting at 1. */
  position: bigint;
  /** When the store committed it. */
  created: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (pass it as the next expected revision). */
  nextExpectedRevision: bigint;
  /** Global position of the last event of this append. */
  position: bigint;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default 0n (from the start). */
  after?: bigint;
  /** Up to this many events (default 1000). */
  maxCount?: number;
  /** Inclusive upper bound: never return events past this position. */
  upTo?: bigint;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: delivery starts with the first event after it. Default 0n. */
  after?: bigint;
  /** Largest batch handed to `handle` at once. */
  maxBatch?: number;
  /**
   * Called with consecutive batches of the global log, strictly in order; the next batch is not
   * delivered until the returned promise settles. A rejection stops the subscription
   * (`Subscription.done` rejects) so a supervisor can restart it from its durable checkpoint.
   */
  handle: (events: RecordedEvent[]) => Promise<void> | void;
}

export interface Subscription {
  /** Position of the last event handed to `handle` and settled. */
  readonly position: bigint;
  /** Settles when the subscription stops: resolves after `stop()`, rejects when a handler fails. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  streamId: string;
  events: EventData[];
  /** Default 'any'. */
  expectedRevision?: ExpectedRevision;
}

export interface EventStore {
  /**
   * Appends `events` (at least one) atomically. `expectedRevision` defaults to 'any', as in
   * EventStoreDB: pass the revision you decided on whenever a concurrent writer must be refused.
   */
  append(streamId: string, events: EventData[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams as one atomic step: every part lands or none does (KurrentDB 25.1's
   * multi-stream append; one transaction in SQL stores). Each part keeps its own expected-revision
   * check; a failing part fails the whole append with that part's error. Results are in order.
   */
  appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]>;
  /** The stream's events in order from `fromRevision` (default 0n); an empty array when the stream does not exist. */
  readStream(streamId: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the last committed event (0n for an empty store). */
  headPosition(): Promise<bigint>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Checks the store answers; throws when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The only error an adapter translates: an append whose expected revision did not match.
 * Everything else (I/O, network) propagates unchanged and must never be reported as a conflict.
 */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Current revision, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`Stream '${streamId}' expected ${String(expected)} but is at ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export const EVENT_STORE = Symbol('EVENT_STORE');

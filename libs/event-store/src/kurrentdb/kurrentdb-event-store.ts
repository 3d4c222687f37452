import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  StreamNotFoundError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AppendStreamRequest,
  type MultiAppendResult,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import { StreamsServiceService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb';
import type {
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
import {
  assertProductStream,
  fromKurrentEvent,
  isSystemStream,
  positionOf,
  readPositionAfter,
  toKurrentEvent,
  toStreamState,
  translateAppendError,
} from './kurrentdb-mapping';
import { StreamOrder } from '../stream-order';
import { KURRENTDB_URL_SETTING, KurrentDbStartupError, redactConnectionString } from './kurrentdb-startup-error';
import { KurrentDbSubscription, type CatchUpStream } from './kurrentdb-subscription';

export interface KurrentDbEventStoreOptions {
  /** First wait before resubscribing a dropped subscription, in ms (default 100); doubles per drop in a row. */
  resubscribeDelayMs?: number;
  /** Longest wait between resubscriptions, in ms (default 5000). */
  maxResubscribeDelayMs?: number;
  /** How long `ping()` waits for KurrentDB, in ms (default 5000). */
  pingTimeoutMs?: number;
  /** Told when a subscription dropped and is about to resubscribe (default: a console warning without event data). */
  onSubscriptionDropped?: (error: unknown, retryInMs: number) => void;
}

const DEFAULT_READ_ALL_COUNT = 1000;
const settledFirst = (): boolean => true;
const noPreparation = async (): Promise<void> => undefined;
/** Events scanned backwards per read while looking for the last product event. */
const HEAD_PAGE = 16;
/** The client buffers this many events per subscription at most, so batches never exceed it either. */
const MAX_SUBSCRIPTION_BUFFER = 1000;

/** The part of the client's server-features answer this adapter checks. */
interface ServerFeaturesView {
  serverVersion: string;
  supports(method: { path: string }, feature?: string): boolean;
}

/**
 * The event store on KurrentDB (EventStoreDB's successor), through `@kurrent/kurrentdb-client`.
 * How events, revisions, positions and errors map is in `kurrentdb-mapping.ts`.
 *
 * Single-stream appends go over the client's BatchAppend; the port's atomic multi-stream append
 * goes over KurrentDB 25.1's multi-stream append, so `open` refuses an older server. Event ids are
 * the port's, so an append retried after an ambiguous failure (a timeout after the server
 * committed) is recognised by the server and stored once. Reads of `$all` and subscriptions see
 * only the product's streams: KurrentDB's system streams and event types (`$...`) are filtered out.
 *
 * Each append is its own call, which the server may take in any order: one instance's appends to
 * a stream go out one after the other, each once the one before it has settled, so appends made
 * without awaiting each other are checked in the order they were made, as on the embedded store.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly order = new StreamOrder();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: KurrentDBClient,
    /** The connection string without credentials. */
    private readonly target: string,
    private readonly options: KurrentDbEventStoreOptions,
  ) {}

  /**
   * Connects to `url` (a KurrentDB connection string, e.g. `kurrentdb://host:2113?tls=false`) and
   * checks the server: it must answer, support the multi-stream append (KurrentDB 25.1 or later)
   * and let this service read its log. Every failure is a `KurrentDbStartupError` naming KURRENTDB_URL.
   */
  static async open(url: string, options: KurrentDbEventStoreOptions = {}): Promise<KurrentDbEventStore> {
    const target = redactConnectionString(url);
    // With it, the client reports a refused append as a "success: false" result (and, over
    // BatchAppend, with a wrong revision) instead of the error this adapter turns into a conflict.
    if (/[?&]throwOnAppendFailure=false(&|$)/i.test(url)) {
      throw new KurrentDbStartupError(
        `${KURRENTDB_URL_SETTING} (${target}) sets throwOnAppendFailure=false; remove it, this service relies on the default`,
      );
    }
    let client: KurrentDBClient;
    try {
      client = KurrentDBClient.connectionString(url);
    } catch (error) {
      // The parser's own message repeats the whole string, password included.
      const expected = (error as { expected?: unknown }).expected;
      const hint = typeof expected === 'string' ? `: expected ${expected}` : '';
      throw new KurrentDbStartupError(
        `${KURRENTDB_URL_SETTING} is not a KurrentDB connection string (kurrentdb://host:port?tls=false)${hint}`,
      );
    }
    const store = new KurrentDbEventStore(client, target, options);
    try {
      await store.checkServer();
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  async append(streamId: string, events: EventData[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    return this.order.run([streamId], settledFirst, noPreparation, () => this.appendNow(streamId, events, expectedRevision));
  }

  private async appendNow(streamId: string, events: EventData[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    assertProductStream(streamId);
    if (events.length === 0) throw new Error(`Append to stream '${streamId}' has no events`);
    const streamState = toStreamState(expectedRevision);
    const kurrentEvents = events.map(toKurrentEvent);
    let result;
    try {
      result = await this.client.appendToStream(streamId, kurrentEvents, { streamState });
    } catch (error) {
      throw translateAppendError(error, new Map([[streamId, expectedRevision]]));
    }
    if (!result.success)
      throw new Error(`KurrentDB refused the append to stream '${streamId}' without an error (is throwOnAppendFailure off?)`);
    // KurrentDB reports the position of the append's last event; its protocol also allows an
    // answer without one (e.g. for a recognised retry), and then the position is read back.
    const position = result.position?.commit ?? (await this.positionOfRevision(streamId, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    return this.order.run(
      appends.map((part) => part.streamId),
      settledFirst,
      noPreparation,
      () => this.appendMultipleNow(appends),
    );
  }

  private async appendMultipleNow(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0) throw new Error('A multi-stream append needs at least one stream');
    const requested = new Map<string, ExpectedRevision>();
    const requests: AppendStreamRequest[] = appends.map(({ streamId, events, expectedRevision = 'any' }) => {
      assertProductStream(streamId);
      if (events.length === 0) throw new Error(`Append to stream '${streamId}' has no events`);
      // KurrentDB refuses a session naming a stream twice (compared without case).
      const key = streamId.toLowerCase();
      if ([...requested.keys()].some((seen) => seen.toLowerCase() === key)) {
        throw new Error(`A multi-stream append names stream '${streamId}' twice; KurrentDB takes each stream once`);
      }
      requested.set(streamId, expectedRevision);
      return { streamName: streamId, events: events.map(toKurrentEvent), expectedState: toStreamState(expectedRevision) };
    });
    let result: MultiAppendResult;
    try {
      result = await this.client.multiStreamAppend(requests);
    } catch (error) {
      throw translateAppendError(error, requested);
    }
    const revisions = new Map(result.responses.map((response) => [response.streamName, response.revision]));
    return Promise.all(
      appends.map(async ({ streamId }, index) => {
        const revision = revisions.get(streamId);
        if (revision === undefined) throw new Error(`KurrentDB's multi-stream append reported no revision for stream '${streamId}'`);
        // The reported position is that of the session's last record, which is the last part's
        // last event (parts are written in order); the other parts' positions are read back.
        const position = index === appends.length - 1 ? result.position : await this.positionOfRevision(streamId, revision);
        return { nextExpectedRevision: revision, position };
      }),
    );
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertProductStream(streamId);
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: options.fromRevision ?? 0n,
        maxCount: options.maxCount,
        direction: FORWARDS,
      })) {
        if (resolved.event) events.push(fromKurrentEvent(resolved.event));
      }
    } catch (error) {
      // The port's answer for a stream that does not exist; every other failure propagates.
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
    const { upTo } = options;
    const events: RecordedEvent[] = [];
    let after = options.after ?? 0n;
    // Each page asks for one event more than still wanted: a read from a position includes the event at it.
    while (events.length < maxCount) {
      const wanted = maxCount - events.length + 1;
      let received = 0;
      let lastSeen = after;
      let pastUpTo = false;
      for await (const resolved of this.readAllForwards(readPositionAfter(after), wanted)) {
        received += 1;
        const recorded = resolved.event;
        if (!recorded) continue;
        const position = positionOf(recorded);
        if (position <= after) continue;
        if (upTo !== undefined && position > upTo) {
          pastUpTo = true;
          break;
        }
        lastSeen = position;
        if (isSystemStream(recorded.streamId)) continue;
        events.push(fromKurrentEvent(recorded));
        if (events.length === maxCount) break;
      }
      // A short page is the end of the log; a page that did not move has nothing more to give.
      if (pastUpTo || received < wanted || lastSeen === after) break;
      after = lastSeen;
    }
    return events;
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    let from: ReadPosition = END;
    for (;;) {
      let received = 0;
      let oldest: bigint | undefined;
      for await (const resolved of this.client.readAll({
        fromPosition: from,
        direction: BACKWARDS,
        maxCount: HEAD_PAGE,
        filter: excludeSystemEvents(),
      })) {
        received += 1;
        const recorded = resolved.event;
        if (!recorded) continue;
        if (!isSystemStream(recorded.streamId)) return positionOf(recorded);
        oldest = positionOf(recorded);
      }
      if (received < HEAD_PAGE || oldest === undefined) return 0n;
      from = { commit: oldest, prepare: oldest };
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new KurrentDbSubscription(
      (after, maxBatch) =>
        this.client.subscribeToAll(
          { fromPosition: readPositionAfter(after), filter: excludeSystemEvents(), resolveLinkTos: false },
          { highWaterMark: Math.min(maxBatch, MAX_SUBSCRIPTION_BUFFER) },
        ) as unknown as CatchUpStream,
      options,
      {
        initialDelayMs: this.options.resubscribeDelayMs ?? 100,
        maxDelayMs: this.options.maxResubscribeDelayMs ?? 5000,
        onDropped: this.options.onSubscriptionDropped ?? ((error, retryInMs) => warnDropped(this.target, error, retryInMs)),
      },
    );
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  /** Reads the newest record of `$all` through the client's read connection, within `pingTimeoutMs`. */
  async ping(): Promise<void> {
    this.assertOpen();
    const read = (async () => {
      for await (const resolved of this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) void resolved;
    })();
    const timeoutMs = this.options.pingTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`KurrentDB at ${this.target} did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
      read.catch(() => undefined);
    }
  }

  /** Stops the subscriptions (each after its batch in flight), then releases the client's connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      await this.client.dispose();
    })();
    return this.closing;
  }

  private async checkServer(): Promise<void> {
    let features: ServerFeaturesView;
    try {
      features = await serverFeatures(this.client);
    } catch (error) {
      throw new KurrentDbStartupError(`KurrentDB at ${this.target} (${KURRENTDB_URL_SETTING}) did not answer: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (!features.supports(StreamsServiceService.appendSession)) {
      throw new KurrentDbStartupError(
        `KurrentDB at ${this.target} (${KURRENTDB_URL_SETTING}) is version ${features.serverVersion}, which has no atomic ` +
          'multi-stream append; this service needs KurrentDB 25.1 or later',
      );
    }
    try {
      await this.ping();
    } catch (error) {
      throw new KurrentDbStartupError(
        `KurrentDB at ${this.target} (${KURRENTDB_URL_SETTING}) answered, but reading its log failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  private readAllForwards(from: ReadPosition, maxCount: number): AsyncIterableIterator<AllStreamResolvedEvent> {
    return this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount, filter: excludeSystemEvents() });
  }

  private async positionOfRevision(streamId: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (!event || event.revision !== revision)
      throw new Error(`Stream '${streamId}' has no event at revision ${revision} just after appending it`);
    return event.position;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The event store is closed');
  }
}

/**
 * The client's answer to ServerFeatures/GetSupportedMethods, which it fetches once per connection
 * and consults itself before every multi-stream append. Its getter is declared protected, so it is
 * read through a narrow view; a client that drops it fails start-up loudly rather than skipping the check.
 */
function serverFeatures(client: KurrentDBClient): Promise<ServerFeaturesView> {
  const features = (client as unknown as { capabilities?: Promise<ServerFeaturesView> }).capabilities;
  if (!features) return Promise.reject(new Error('this version of @kurrent/kurrentdb-client does not expose the server features'));
  return features;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function warnDropped(target: string, error: unknown, retryInMs: number): void {
  console.warn(`KurrentDB subscription to ${target} dropped (${messageOf(error)}); resubscribing from its checkpoint in ${retryInMs} ms`);
}

import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@cases/event-store';

const DEFAULT_READ_COUNT = 1000;
const DEFAULT_SUBSCRIPTION_BATCH = 1000;

/**
 * A test double of the event-store port that keeps the semantics projections rely on: one
 * global log with positions 1, 2, 3… in commit order, expected-revision checks, idempotent
 * append by event id, and catch-up subscriptions that hand over consecutive batches and wait
 * for each handler to settle before delivering the next. Readers get copies, as they would
 * from a real store, so a projection can never mutate the log.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly appendListeners = new Set<() => void>();
  private closed = false;

  async append(streamId: string, events: EventData[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? 'no_stream' : stream[stream.length - 1].revision;
    const fresh = events.filter((event) => !stream.some((stored) => stored.id === event.id));
    if (fresh.length > 0 && !matchesExpected(expectedRevision, current)) {
      throw new WrongExpectedVersionError(streamId, expectedRevision, current);
    }
    for (const event of fresh) {
      const recorded: RecordedEvent = {
        ...structuredClone(event),
        streamId,
        revision: BigInt(stream.length),
        position: BigInt(this.log.length + 1),
        created: new Date(),
      };
      stream.push(recorded);
      this.log.push(recorded);
    }
    this.streams.set(streamId, stream);
    if (fresh.length > 0) for (const listener of [...this.appendListeners]) listener();
    const last = stream[stream.length - 1];
    return { nextExpectedRevision: last.revision, position: fresh.length > 0 ? last.position : this.positionOf(events, stream) };
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = Number(options.fromRevision ?? 0n);
    const stream = this.streams.get(streamId) ?? [];
    return stream.slice(from, from + (options.maxCount ?? stream.length)).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.eventsAfter(options.after ?? 0n, options.maxCount ?? DEFAULT_READ_COUNT, options.upTo);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return BigInt(this.log.length);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const maxBatch = options.maxBatch ?? DEFAULT_SUBSCRIPTION_BATCH;
    let position = options.after ?? 0n;
    let stopped = false;
    let wake: (() => void) | null = null;
    const onAppend = (): void => wake?.();

    const deliver = async (): Promise<void> => {
      this.appendListeners.add(onAppend);
      try {
        while (!stopped) {
          this.assertOpen();
          const batch = this.eventsAfter(position, maxBatch);
          if (batch.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            continue;
          }
          await options.handle(batch);
          position = batch[batch.length - 1].position;
        }
      } finally {
        this.appendListeners.delete(onAppend);
      }
    };

    const done = deliver();
    return {
      get position() {
        return position;
      },
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        await done.catch(() => undefined);
      },
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const listener of [...this.appendListeners]) listener();
  }

  private eventsAfter(after: bigint, maxCount: number, upTo?: bigint): RecordedEvent[] {
    const end = upTo === undefined ? this.log.length : Math.min(this.log.length, Number(upTo));
    return this.log.slice(Number(after), Math.min(end, Number(after) + maxCount)).map(copy);
  }

  /** Position of the last event of an append that stored nothing new (every id was already there). */
  private positionOf(events: EventData[], stream: RecordedEvent[]): bigint {
    const lastId = events[events.length - 1]?.id;
    return stream.find((stored) => stored.id === lastId)?.position ?? BigInt(this.log.length);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('InMemoryEventStore is closed');
  }
}

function matchesExpected(expected: ExpectedRevision, current: bigint | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 'no_stream';
  if (expected === 'stream_exists') return current !== 'no_stream';
  return current === expected;
}

function copy(event: RecordedEvent): RecordedEvent {
  return structuredClone(event);
}

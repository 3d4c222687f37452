import type { Readable } from 'node:stream';
import type { AllStreamResolvedEvent } from '@kurrent/kurrentdb-client';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { fromKurrentEvent, isSystemStream, positionOf } from './kurrentdb-mapping';

const DEFAULT_MAX_BATCH = 500;

/** A live catch-up subscription as the client returns it: a readable stream of resolved events. */
export interface CatchUpStream extends Readable {
  unsubscribe(): Promise<void>;
}

export interface ResubscribePolicy {
  /** First wait after a drop, in ms; doubles after each drop in a row, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Told before each wait, so a subscription that keeps dropping is visible. */
  onDropped(error: unknown, retryInMs: number): void;
}

/**
 * A `$all` catch-up subscription that survives the connection: when KurrentDB drops it (a node
 * restart, a leader change, a network cut) it subscribes again strictly after the last position
 * whose batch the handler settled, so nothing is skipped and nothing is handed twice.
 *
 * Events are pulled from the client's stream only after the previous batch settled: the client's
 * `on('data')` would call an async handler concurrently (emmett #252). Batches are whatever the
 * stream has buffered, up to `maxBatch`, so a catch-up moves in large batches and a live one in
 * small ones.
 */
export class KurrentDbSubscription implements Subscription {
  readonly done: Promise<void>;
  private settledPosition: bigint;
  private readonly stopping = new AbortController();
  private current: CatchUpStream | undefined;

  constructor(
    private readonly subscribeAfter: (position: bigint, maxBatch: number) => CatchUpStream,
    options: SubscribeOptions,
    private readonly policy: ResubscribePolicy,
  ) {
    this.settledPosition = options.after ?? 0n;
    // Deliver only after the constructor returned, so `handle` never runs before the caller holds the subscription.
    this.done = Promise.resolve().then(() => this.run(options.handle, options.maxBatch ?? DEFAULT_MAX_BATCH));
  }

  get position(): bigint {
    return this.settledPosition;
  }

  /** Resolves once the batch in flight (if any) has settled; a handler failure stays visible on `done`. */
  stop(): Promise<void> {
    this.stopping.abort();
    this.current?.unsubscribe().catch(() => undefined);
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  private async run(handle: SubscribeOptions['handle'], maxBatch: number): Promise<void> {
    let dropsInARow = 0;
    while (!this.stopping.signal.aborted) {
      const stream = this.subscribeAfter(this.settledPosition, maxBatch);
      this.current = stream;
      stream.once('confirmation', () => (dropsInARow = 0));
      const reader = new BatchReader<AllStreamResolvedEvent>(stream);
      let dropped: unknown;
      try {
        for (;;) {
          let batch: AllStreamResolvedEvent[] | undefined;
          try {
            batch = await reader.next(maxBatch, this.stopping.signal);
          } catch (error) {
            dropped = error;
            break;
          }
          if (batch === undefined) break;
          // Decoding and handler failures are not the connection's: they stop the subscription.
          const events = this.productEventsAfterCheckpoint(batch);
          if (events.length === 0) continue;
          await handle(events);
          this.settledPosition = events[events.length - 1].position;
        }
      } finally {
        stream.unsubscribe().catch(() => undefined);
      }
      if (this.stopping.signal.aborted) return;
      dropped ??= new Error('KurrentDB ended the subscription');
      const delay = Math.min(this.policy.initialDelayMs * 2 ** dropsInARow, this.policy.maxDelayMs);
      dropsInARow += 1;
      this.policy.onDropped(dropped, delay);
      await sleep(delay, this.stopping.signal);
    }
  }

  private productEventsAfterCheckpoint(batch: AllStreamResolvedEvent[]): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    for (const resolved of batch) {
      const recorded = resolved.event;
      if (!recorded || isSystemStream(recorded.streamId)) continue;
      // A resubscription starts strictly after the checkpoint; this guards the exactly-once promise even if a server repeated it.
      if (positionOf(recorded) <= this.settledPosition) continue;
      events.push(fromKurrentEvent(recorded));
    }
    return events;
  }
}

/**
 * Reads what a readable stream has buffered, in order, waiting when it has nothing. It listens
 * for errors from the moment it is created: the client emits a dropped subscription's error at
 * any time, also while a handler is busy, and an 'error' with no listener would crash the process.
 */
export class BatchReader<T> {
  private failure: { error: unknown } | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Readable) {
    stream.on('error', (error: unknown) => {
      this.failure ??= { error };
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('readable', () => this.wake?.());
  }

  /** The next items (at most `max`); undefined once the stream ended or `signal` aborted; throws the stream's error after its buffered items. */
  async next(max: number, signal: AbortSignal): Promise<T[] | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      const batch: T[] = [];
      while (batch.length < max) {
        const item = this.stream.read() as T | null;
        if (item === null) break;
        batch.push(item);
      }
      if (batch.length > 0) return batch;
      if (this.failure) throw this.failure.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

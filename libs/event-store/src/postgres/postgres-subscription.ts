import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';

const DEFAULT_MAX_BATCH = 500;
/** First re-read delay while committed events wait behind a transaction still in flight; doubles up to the poll interval. */
const FIRST_PENDING_DELAY_MS = 2;

/** What a subscription needs from its store. */
export interface FinalLog {
  /** Events strictly after `position` whose positions are final (no earlier position can still appear). */
  readFinalAfter(position: bigint, maxCount: number): Promise<RecordedEvent[]>;
  /** Whether events after `position` are committed but not final yet, because an earlier transaction is still in flight. */
  hasPendingAfter(position: bigint): Promise<boolean>;
  /** From now on the store calls `subscription.wake()` when the log may have grown; returns the undo. */
  attach(subscription: PostgresSubscription): () => void;
}

/**
 * Catch-up then live delivery of the global log, reading strictly after the last settled
 * position. Only final positions are ever read (see PostgresEventStore), so a position once
 * passed can never be filled later. It waits for a wake-up (a local append, a NOTIFY from
 * another instance), the poll interval, or, while committed events wait behind a transaction in
 * flight, a short back-off.
 */
export class PostgresSubscription implements Subscription {
  readonly done: Promise<void>;
  private settledPosition: bigint;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;
  /** Set by a wake-up that came while a read was in flight, so it is not lost. */
  private woken = false;

  constructor(
    private readonly log: FinalLog,
    options: SubscribeOptions,
    private readonly pollIntervalMs: number,
  ) {
    this.settledPosition = options.after ?? 0n;
    const detach = log.attach(this);
    // Deliver only after the constructor returned, so `handle` never runs before the caller holds the subscription.
    this.done = Promise.resolve()
      .then(() => this.deliver(options.handle, options.maxBatch ?? DEFAULT_MAX_BATCH))
      .finally(detach);
    // A handler failure is reported through `done` whenever its owner looks; it must not also
    // count as an unhandled rejection (which ends a Node process) while the owner is still awaiting
    // something else, e.g. the append whose event the handler rejected.
    this.done.catch(() => undefined);
  }

  get position(): bigint {
    return this.settledPosition;
  }

  /** Ends the current wait, or makes the next one return at once. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Resolves once the batch in flight (if any) has settled; a handler or read failure stays visible on `done`. */
  stop(): Promise<void> {
    this.stopRequested = true;
    this.wake();
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  private async deliver(handle: SubscribeOptions['handle'], maxBatch: number): Promise<void> {
    let pendingDelayMs = FIRST_PENDING_DELAY_MS;
    while (!this.stopRequested) {
      this.woken = false;
      const batch = await this.log.readFinalAfter(this.settledPosition, maxBatch);
      if (this.stopRequested) return;
      if (batch.length === 0) {
        const pending = await this.log.hasPendingAfter(this.settledPosition);
        await this.nextWakeUp(pending ? pendingDelayMs : this.pollIntervalMs);
        pendingDelayMs = pending ? Math.min(pendingDelayMs * 2, this.pollIntervalMs) : FIRST_PENDING_DELAY_MS;
        continue;
      }
      pendingDelayMs = FIRST_PENDING_DELAY_MS;
      // Awaited before the next read: handlers never overlap, whatever wakes the loop meanwhile.
      await handle(batch);
      this.settledPosition = batch[batch.length - 1].position;
    }
  }

  private nextWakeUp(ms: number): Promise<void> {
    if (this.woken || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUp = wake;
    });
  }
}

import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';

const DEFAULT_MAX_BATCH = 500;

/** What a subscription needs from its store: reads of the committed log and a wake-up after each local commit. */
export interface CommittedLog {
  readAfter(position: bigint, maxCount: number): RecordedEvent[];
  /** From now on the store calls `subscription.wake()` after each of its commits; returns the undo. */
  attach(subscription: PollingSubscription): () => void;
}

/**
 * Catch-up then live delivery of the global log by reading strictly after the last settled
 * position. This is only gap-free because every position a reader can see is final: SQLite has
 * one writer at a time and assigns positions inside the write transaction, so a commit never
 * exposes a position lower than one already visible. (PostgreSQL sequences allocate before
 * commit; its adapter must not pass a gap that may still fill.)
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private settledPosition: bigint;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly log: CommittedLog,
    options: SubscribeOptions,
    private readonly pollIntervalMs: number,
  ) {
    this.settledPosition = options.after ?? 0n;
    const detach = log.attach(this);
    // Deliver only after the constructor returned, so `handle` never runs before the caller holds the subscription.
    this.done = Promise.resolve()
      .then(() => this.deliver(options.handle, options.maxBatch ?? DEFAULT_MAX_BATCH))
      .finally(detach);
  }

  get position(): bigint {
    return this.settledPosition;
  }

  /** Ends the wait for the next commit or poll, if the subscription is waiting. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Resolves once the batch in flight (if any) has settled; a handler failure stays visible on `done`. */
  stop(): Promise<void> {
    this.stopRequested = true;
    this.wake();
    return this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  private async deliver(handle: SubscribeOptions['handle'], maxBatch: number): Promise<void> {
    while (!this.stopRequested) {
      const batch = this.log.readAfter(this.settledPosition, maxBatch);
      if (batch.length === 0) {
        await this.nextCommitOrPoll();
        continue;
      }
      // Awaited before the next read: handlers never overlap, whatever wakes the loop meanwhile (emmett #252).
      await handle(batch);
      this.settledPosition = batch[batch.length - 1].position;
      // A synchronous handler settles within a microtask, so a long catch-up would never let the
      // event loop serve requests (not even /health, which should report the lag meanwhile).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Waits for a local commit, `stop()`, or the poll interval, which is how commits by other processes are seen. */
  private nextCommitOrPoll(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(wake, this.pollIntervalMs);
      this.wakeUp = wake;
    });
  }
}

import type { EventStore, Subscription } from '@cases/event-store';
import { LogBatch, type CaseEventDecoder } from '../log/log-batch';
import { backoffDelay, reasonOf, stackOf, type Backoff } from './backoff';
import type { ProjectionLogger } from './projected-model';

export interface LogFollowerOptions {
  store: EventStore;
  batchSize: number;
  backoff: Backoff;
  logger: ProjectionLogger;
  /** Where to (re)subscribe from: the lowest checkpoint of the projections it feeds. */
  from(): bigint;
  /**
   * Receives each batch, decoded once, with the position it follows; the next batch waits for it.
   * It must not reject: a projection's failure is its own business, not the log's.
   */
  deliver(batch: LogBatch, after: bigint): Promise<void>;
  /** How case events are decoded (default: the domain's). */
  decode?: CaseEventDecoder;
}

/**
 * Follows the global log through one store subscription and hands every batch on. When reading the
 * log fails (not a projection), it subscribes again from `from()` after a growing delay.
 */
export class LogFollower {
  private subscription: Subscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private positionNow = 0n;
  private failuresInARow = 0;
  private running = false;

  constructor(private readonly options: LogFollowerOptions) {}

  /** Last position handed on. */
  get position(): bigint {
    return this.positionNow;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.subscribe();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private subscribe(): void {
    if (!this.running || this.subscription) return;
    const { store, batchSize, deliver } = this.options;
    this.positionNow = this.options.from();
    let subscription: Subscription;
    try {
      subscription = store.subscribeToAll({
        after: this.positionNow,
        maxBatch: batchSize,
        // async, so a failed batch reaches the store as a rejection whatever way it calls `handle`.
        handle: async (events) => {
          if (events.length === 0) return;
          const after = this.positionNow;
          this.positionNow = events[events.length - 1].position;
          this.failuresInARow = 0;
          await deliver(LogBatch.decode(events, this.options.decode), after);
        },
      });
    } catch (error) {
      this.retryLater(error);
      return;
    }
    this.subscription = subscription;
    subscription.done.then(
      () => {
        if (this.subscription === subscription) this.subscription = undefined;
      },
      (error: unknown) => {
        if (this.subscription === subscription) this.subscription = undefined;
        this.retryLater(error);
      },
    );
  }

  private retryLater(error: unknown): void {
    if (!this.running) return;
    this.failuresInARow += 1;
    const delayMs = backoffDelay(this.options.backoff, this.failuresInARow);
    this.options.logger.error(`Reading the event log failed (${reasonOf(error)}); retrying in ${delayMs} ms`, stackOf(error));
    this.retryTimer = setTimeout(() => this.subscribe(), delayMs);
    this.retryTimer.unref();
  }
}

import type { Lease } from './lease';

/** Stops the work a keeper started. */
export type StopWork = () => Promise<void>;

export interface LeaseKeeperLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface LeaseKeeperOptions {
  lease: Lease;
  /** Starts the work once the lease is held; returns how to stop it. */
  run: () => Promise<StopWork> | StopWork;
  /** How often an instance without the lease tries to take it. */
  retryIntervalMs: number;
  logger?: LeaseKeeperLogger;
}

/**
 * Runs a piece of work in whichever instance holds a lease: tries to take the lease every
 * `retryIntervalMs` while it does not hold it; once it does, starts the work; when the lease is
 * lost (its connection died), stops the work at once and goes back to trying. `stop` stops the
 * work and gives the lease up, so another instance takes over within one retry interval.
 */
export class LeaseKeeper {
  private stopWork: StopWork | undefined;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Starting and stopping the work happen one at a time, in order. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** True while this instance holds the lease and its work runs. */
  get running(): boolean {
    return this.stopWork !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.lease.onLost((reason) => this.lost(reason));
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.transitions;
    await this.stopRunningWork();
    await this.options.lease.release().catch(() => undefined);
  }

  private attempt(): void {
    this.transitions = this.transitions
      .then(() => this.tryToRun())
      .finally(() => {
        if (!this.stopped && this.stopWork === undefined) this.retryLater();
      });
  }

  private async tryToRun(): Promise<void> {
    if (this.stopped || this.stopWork !== undefined) return;
    const { lease, logger } = this.options;
    let acquired: boolean;
    try {
      acquired = await lease.acquire();
    } catch (error) {
      logger?.warn(`Lease ${lease.name} could not be asked for: ${message(error)}`);
      return;
    }
    if (!acquired) return;
    if (this.stopped) {
      await lease.release().catch(() => undefined);
      return;
    }
    try {
      this.stopWork = await this.options.run();
      logger?.log(`Lease ${lease.name} taken: this instance runs it`);
    } catch (error) {
      logger?.warn(`Lease ${lease.name} taken, but its work did not start: ${message(error)}`);
      await lease.release().catch(() => undefined);
    }
  }

  private lost(reason: string): void {
    this.transitions = this.transitions
      .then(async () => {
        if (this.stopWork === undefined) return;
        this.options.logger?.warn(`Lease ${this.options.lease.name} lost (${reason}): stopping its work here`);
        await this.stopRunningWork();
      })
      .finally(() => {
        if (!this.stopped) this.retryLater();
      });
  }

  private async stopRunningWork(): Promise<void> {
    const stop = this.stopWork;
    this.stopWork = undefined;
    try {
      await stop?.();
    } catch (error) {
      this.options.logger?.warn(`Lease ${this.options.lease.name}: its work failed to stop cleanly: ${message(error)}`);
    }
  }

  private retryLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.attempt(), this.options.retryIntervalMs);
    this.timer.unref();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { backoffDelay, reasonOf, stackOf, type Backoff } from './backoff';
import type { ProjectedModel, ProjectionLogger } from './projected-model';

export interface ProjectionSupervisorOptions {
  backoff: Backoff;
  logger: ProjectionLogger;
  /**
   * Catches the model up from its checkpoint and hands it back to the log follower; rejects when
   * applying a batch fails.
   */
  catchUp(model: ProjectedModel): Promise<void>;
}

/**
 * Restarts projections that fell out of the shared subscription: one whose batch failed waits a
 * delay that doubles with each failure in a row, then catches up from its durable checkpoint;
 * one that merely missed events catches up at once. A failing projection holds up no other.
 */
export class ProjectionSupervisor {
  private readonly failuresInARow = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly options: ProjectionSupervisorOptions) {}

  /** A batch failed in `model`: logs why and restarts it after the backoff delay. */
  failed(model: ProjectedModel, error: unknown): void {
    const failures = (this.failuresInARow.get(model.name) ?? 0) + 1;
    this.failuresInARow.set(model.name, failures);
    const delayMs = backoffDelay(this.options.backoff, failures);
    this.options.logger.error(
      `Projection '${model.name}' stopped at position ${model.position} (${reasonOf(error)}); ` +
        `restarting from its checkpoint in ${delayMs} ms (failure ${failures} in a row)`,
      stackOf(error),
    );
    this.restart(model, delayMs);
  }

  /** A batch was applied: the next failure counts from one again. */
  succeeded(model: ProjectedModel): void {
    this.failuresInARow.delete(model.name);
  }

  /** The projections whose last batch failed and that have not applied one since (readiness reports them). */
  failing(): string[] {
    return [...this.failuresInARow.keys()];
  }

  /** Catches `model` up after `delayMs`, unless it is already being restarted. */
  restart(model: ProjectedModel, delayMs = 0): void {
    const { name } = model;
    if (this.stopped || this.running.has(name) || this.timers.has(name)) return;
    const run = (): void => {
      this.timers.delete(name);
      if (this.stopped) return;
      const caughtUp = this.options.catchUp(model).then(
        () => {
          this.running.delete(name);
        },
        (error: unknown) => {
          // Out of `running` first, so the failure can schedule the next restart.
          this.running.delete(name);
          this.failed(model, error);
        },
      );
      this.running.set(name, caughtUp);
    };
    if (delayMs === 0) run();
    else this.timers.set(name, setTimeout(run, delayMs));
  }

  /**
   * Cancels pending restarts and waits for the catch-ups in flight (they check `stopped` between
   * batches). The failures are forgotten: this instance no longer runs the projections.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
    this.failuresInARow.clear();
  }

  /** Restarts are possible again (this instance took the projections' lease back). */
  resume(): void {
    this.stopped = false;
  }
}

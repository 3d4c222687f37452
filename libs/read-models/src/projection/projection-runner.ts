import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import type { EventStore, RecordedEvent, Subscription } from '@cases/event-store';
import { createCheckpointTable, readCheckpoint, writeCheckpoint } from './checkpoints';
import type { Projection } from './projection';
import { openReadModelDatabase } from './read-model-database';

/** The part of Nest's `Logger` the runner uses, so tests can watch what it reports. */
export interface ProjectionLogger {
  log(message: string): void;
  error(message: string, stack?: string): void;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** The read-model SQLite file, e.g. `<DATA_DIR>/read-models.db` (`:memory:` in tests). */
  databaseFile: string;
  projections: readonly Projection[];
  logger?: ProjectionLogger;
  /** Largest batch applied in one transaction while following the log. */
  liveBatchSize?: number;
  /** Events applied per transaction by `rebuild`. */
  rebuildBatchSize?: number;
  /** Delay before restarting a failed subscription, doubled for each failure in a row up to `maxMs`. */
  restartBackoff?: { initialMs: number; maxMs: number };
}

export interface ProjectionStatus {
  projection: string;
  position: bigint;
  lag: bigint;
  rebuilding: boolean;
}

export interface RebuildProgress {
  projection: string;
  /** Events read from the log so far (case events and others). */
  processed: number;
  /** Position the projection's checkpoint has reached. */
  position: bigint;
  /** The log's head: the rebuild is done when `position` reaches it. */
  head: bigint;
}

export interface RebuildResult {
  projection: string;
  processed: number;
  position: bigint;
  elapsedMs: number;
}

/** A read-your-writes wait that ran out: the API answers 503 rather than serving a stale model. */
export class ProjectionTimeoutError extends Error {
  constructor(
    readonly position: bigint,
    readonly checkpoint: bigint,
    readonly timeoutMs: number,
  ) {
    super(`Read models did not reach position ${position} within ${timeoutMs} ms (they are at ${checkpoint})`);
    this.name = 'ProjectionTimeoutError';
  }
}

export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`No projection named '${projection}'`);
    this.name = 'UnknownProjectionError';
  }
}

interface PositionWaiter {
  projections: readonly string[];
  position: bigint;
  resolve(): void;
  reject(error: Error): void;
}

const DEFAULT_LIVE_BATCH_SIZE = 1000;
/**
 * Measured on a million-event log: larger transactions load and write each case less often, but
 * hold more events in memory at once; past ten thousand the gain is small and memory keeps growing.
 */
const DEFAULT_REBUILD_BATCH_SIZE = 10_000;
const DEFAULT_RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000 };

/**
 * Feeds projections from the event store's global log. Each projection follows the log with its
 * own subscription from its own durable checkpoint, and every batch is applied in one SQLite
 * transaction that also moves the checkpoint: a crash anywhere leaves model and checkpoint
 * together, so the next start resumes with no gap and no double application.
 */
export class ProjectionRunner {
  /** The read-model database; queries read it directly. */
  readonly db: Database;
  private readonly store: EventStore;
  private readonly projections: ReadonlyMap<string, Projection>;
  private readonly logger: ProjectionLogger;
  private readonly liveBatchSize: number;
  private readonly rebuildBatchSize: number;
  private readonly restartBackoff: { initialMs: number; maxMs: number };
  /** Mirrors the durable checkpoints, moved only after their transaction committed. */
  private readonly checkpoints = new Map<string, bigint>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly failuresInARow = new Map<string, number>();
  private readonly rebuilding = new Set<string>();
  private readonly waiters = new Set<PositionWaiter>();
  private following = false;
  private closed = false;
  private readonly applyInTransaction: (projection: Projection, events: readonly RecordedEvent[]) => void;

  constructor(options: ProjectionRunnerOptions) {
    this.store = options.store;
    this.projections = new Map(options.projections.map((projection) => [projection.name, projection]));
    this.logger = options.logger ?? new Logger(ProjectionRunner.name);
    this.liveBatchSize = options.liveBatchSize ?? DEFAULT_LIVE_BATCH_SIZE;
    this.rebuildBatchSize = options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
    this.restartBackoff = options.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
    this.db = openReadModelDatabase(options.databaseFile);
    this.applyInTransaction = this.db.transaction((projection: Projection, events: readonly RecordedEvent[]) => {
      projection.applyBatch(this.db, events);
      const position = events[events.length - 1].position;
      writeCheckpoint(this.db, projection.name, { position, version: projection.version });
    });
    // Tables exist from the start, so queries answer (empty) before the first batch arrives.
    this.db.transaction(() => {
      createCheckpointTable(this.db);
      for (const projection of this.projections.values()) this.prepareSchema(projection);
    })();
  }

  /** Starts following the log: one supervised subscription per projection, from its checkpoint. */
  start(): void {
    this.assertOpen();
    this.following = true;
    for (const projection of this.projections.values()) {
      if (!this.subscriptions.has(projection.name)) this.follow(projection);
    }
  }

  /** Stops every subscription, fails pending waits and closes the database (on shutdown). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.following = false;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    await Promise.all([...this.subscriptions.keys()].map((name) => this.unfollow(name)));
    for (const waiter of this.waiters) waiter.reject(new Error('The projection runner was closed'));
    this.waiters.clear();
    this.closed = true;
    this.db.pragma('optimize');
    this.db.close();
  }

  /** The projection's last applied global position (0n before the first event). */
  checkpoint(projection: string): bigint {
    this.projectionNamed(projection);
    return this.checkpoints.get(projection) ?? 0n;
  }

  /**
   * Resolves once the named projection, or every projection when none is named, has applied the
   * log up to `position` (read-your-writes after a command); rejects with a
   * `ProjectionTimeoutError` when that takes longer than `timeoutMs`.
   */
  waitForPosition(position: bigint, timeoutMs: number, projection?: string): Promise<void> {
    this.assertOpen();
    const projections = projection === undefined ? [...this.projections.keys()] : [this.projectionNamed(projection).name];
    if (this.lowestCheckpoint(projections) >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ProjectionTimeoutError(position, this.lowestCheckpoint(projections), timeoutMs));
      }, timeoutMs);
      const waiter: PositionWaiter = {
        projections,
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** How far the slowest projection trails the log's head (for /health). */
  async lag(): Promise<bigint> {
    const head = await this.store.headPosition();
    const lowest = this.lowestCheckpoint([...this.projections.keys()]);
    return head > lowest ? head - lowest : 0n;
  }

  /** Each projection's checkpoint and lag behind `head` (the store's head position), for /health. */
  status(head: bigint): ProjectionStatus[] {
    return [...this.projections.keys()].map((name) => {
      const position = this.checkpoints.get(name) ?? 0n;
      const lag = head > position ? head - position : 0n;
      return { projection: name, position, lag, rebuilding: this.rebuilding.has(name) };
    });
  }

  /**
   * Drops the projection's tables and checkpoint and replays the whole log into fresh ones, many
   * events per transaction. The projection's live subscription pauses meanwhile and resumes
   * from the rebuilt checkpoint; a failed rebuild can simply be run again.
   */
  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    this.assertOpen();
    const projection = this.projectionNamed(name);
    if (this.rebuilding.has(name)) throw new Error(`Projection '${name}' is already being rebuilt`);
    this.rebuilding.add(name);
    const started = performance.now();
    try {
      await this.unfollow(name);
      this.db.transaction(() => {
        projection.dropSchema(this.db);
        projection.createSchema(this.db);
        writeCheckpoint(this.db, name, { position: 0n, version: projection.version });
      })();
      this.checkpoints.set(name, 0n);
      let head = await this.store.headPosition();
      let position = 0n;
      let processed = 0;
      for (;;) {
        const events = await this.store.readAll({ after: position, maxCount: this.rebuildBatchSize });
        if (events.length === 0) break;
        this.applyBatch(projection, events);
        processed += events.length;
        position = events[events.length - 1].position;
        if (position > head) head = position;
        onProgress?.({ projection: name, processed, position, head });
        // An embedded store reads synchronously, so without this a rebuild inside the running
        // service would starve every request and the other projections until it finished.
        await yieldToEventLoop();
      }
      // The tables went from empty to full: refresh the planner's statistics about them.
      this.db.pragma('optimize');
      return { projection: name, processed, position, elapsedMs: performance.now() - started };
    } finally {
      this.rebuilding.delete(name);
      if (this.following && !this.closed) this.follow(projection);
    }
  }

  private prepareSchema(projection: Projection): void {
    const stored = readCheckpoint(this.db, projection.name);
    if (stored && stored.version === projection.version) {
      projection.createSchema(this.db);
      this.checkpoints.set(projection.name, stored.position);
      return;
    }
    if (stored) {
      this.logger.log(
        `Projection '${projection.name}' changed from version ${stored.version} to ${projection.version}: ` +
          'replaying the log into new tables',
      );
      projection.dropSchema(this.db);
    }
    projection.createSchema(this.db);
    writeCheckpoint(this.db, projection.name, { position: 0n, version: projection.version });
    this.checkpoints.set(projection.name, 0n);
  }

  private follow(projection: Projection): void {
    // Always from the durable checkpoint: whatever a failed subscription had in hand was rolled back.
    const after = readCheckpoint(this.db, projection.name)?.position ?? 0n;
    let subscription: Subscription;
    try {
      subscription = this.store.subscribeToAll({
        after,
        maxBatch: this.liveBatchSize,
        // async, so a failed batch reaches the store as a rejection whatever way it calls `handle`.
        handle: async (events) => this.applyBatch(projection, events),
      });
    } catch (error) {
      this.restartLater(projection, error);
      return;
    }
    this.subscriptions.set(projection.name, subscription);
    subscription.done.then(
      () => this.forget(projection.name, subscription),
      (error: unknown) => {
        this.forget(projection.name, subscription);
        this.restartLater(projection, error);
      },
    );
  }

  private async unfollow(name: string): Promise<void> {
    clearTimeout(this.restartTimers.get(name));
    this.restartTimers.delete(name);
    const subscription = this.subscriptions.get(name);
    this.subscriptions.delete(name);
    await subscription?.stop();
  }

  private forget(name: string, subscription: Subscription): void {
    if (this.subscriptions.get(name) === subscription) this.subscriptions.delete(name);
  }

  private restartLater(projection: Projection, error: unknown): void {
    const name = projection.name;
    if (!this.following || this.closed || this.rebuilding.has(name)) return;
    const failures = (this.failuresInARow.get(name) ?? 0) + 1;
    this.failuresInARow.set(name, failures);
    const delayMs = Math.min(this.restartBackoff.initialMs * 2 ** (failures - 1), this.restartBackoff.maxMs);
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Projection '${name}' stopped at position ${this.checkpoint(name)} (${reason}); ` +
        `restarting from its checkpoint in ${delayMs} ms (failure ${failures} in a row)`,
      error instanceof Error ? error.stack : undefined,
    );
    this.restartTimers.set(
      name,
      setTimeout(() => {
        this.restartTimers.delete(name);
        if (this.following && !this.closed && !this.rebuilding.has(name)) this.follow(projection);
      }, delayMs),
    );
  }

  private applyBatch(projection: Projection, events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    this.applyInTransaction(projection, events);
    this.checkpoints.set(projection.name, events[events.length - 1].position);
    this.failuresInARow.delete(projection.name);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.lowestCheckpoint(waiter.projections) >= waiter.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private lowestCheckpoint(projections: readonly string[]): bigint {
    let lowest: bigint | null = null;
    for (const name of projections) {
      const position = this.checkpoints.get(name) ?? 0n;
      if (lowest === null || position < lowest) lowest = position;
    }
    return lowest ?? 0n;
  }

  private projectionNamed(name: string): Projection {
    const projection = this.projections.get(name);
    if (!projection) throw new UnknownProjectionError(name);
    return projection;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The projection runner is closed');
  }
}

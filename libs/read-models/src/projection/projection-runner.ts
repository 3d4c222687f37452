import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { ServiceError } from '@cases/domain';
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
export class ProjectionTimeoutError extends ServiceError {
  constructor(
    readonly position: bigint,
    readonly checkpoint: bigint,
    readonly timeoutMs: number,
  ) {
    super('READ_MODEL.BEHIND', 503, 'Service unavailable', `Read models did not reach position ${position} within ${timeoutMs} ms (they are at ${checkpoint})`);
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

// Live batches are whatever arrived since the last one; the cap matters when catching up after a start.
const DEFAULT_LIVE_BATCH_SIZE = 10_000;
/**
 * Measured on a million-event log: larger transactions load and write each case less often, but
 * hold more events in memory at once; past ten thousand the gain is small and memory keeps growing.
 */
const DEFAULT_REBUILD_BATCH_SIZE = 10_000;
const DEFAULT_RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000 };

/**
 * Feeds projections from the event store's global log. One subscription reads the log once for
 * all of them (each batch is read and decoded once), and each projection applies it in its own
 * SQLite transaction that also moves its own checkpoint: a crash anywhere leaves each model and
 * its checkpoint together, so the next start resumes with no gap and no double application, and
 * a failing projection holds up no other.
 *
 * A projection that is behind the shared subscription (it failed, it is being rebuilt) catches
 * up on its own from its checkpoint, reading the store directly, and then rejoins.
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
  /** Projections the shared subscription applies; the others are catching up on their own. */
  private readonly followers = new Set<string>();
  private readonly catchingUp = new Map<string, Promise<void>>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly failuresInARow = new Map<string, number>();
  private readonly rebuilding = new Set<string>();
  private readonly waiters = new Set<PositionWaiter>();
  private shared: Subscription | undefined;
  /** Last position the shared subscription has handed to the followers. */
  private sharedPosition = 0n;
  private sharedFailures = 0;
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

  /** Starts following the log: every projection from its own checkpoint, through one shared subscription. */
  start(): void {
    this.assertOpen();
    if (this.following) return;
    this.following = true;
    for (const name of this.projections.keys()) {
      if (!this.rebuilding.has(name)) this.followers.add(name);
    }
    this.subscribeShared();
  }

  /** Stops every subscription, fails pending waits and closes the database (on shutdown). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.following = false;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    const shared = this.shared;
    this.shared = undefined;
    await shared?.stop();
    await Promise.allSettled([...this.catchingUp.values()]);
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
      this.followers.delete(name);
      clearTimeout(this.restartTimers.get(name));
      this.restartTimers.delete(name);
      await this.catchingUp.get(name)?.catch(() => undefined);
      this.db.transaction(() => {
        projection.dropSchema(this.db);
        projection.createSchema(this.db);
        writeCheckpoint(this.db, name, { position: 0n, version: projection.version });
      })();
      this.checkpoints.set(name, 0n);
      const head = await this.store.headPosition();
      let processed = 0;
      await this.catchUp(projection, this.rebuildBatchSize, head, (events) => {
        processed += events.length;
        const position = events[events.length - 1].position;
        onProgress?.({ projection: name, processed, position, head: position > head ? position : head });
      });
      // The tables went from empty to full: refresh the planner's statistics about them.
      this.db.pragma('optimize');
      return { projection: name, processed, position: this.checkpoint(name), elapsedMs: performance.now() - started };
    } finally {
      this.rebuilding.delete(name);
      // Rejoin the shared subscription once caught up with whatever arrived during the rebuild.
      if (this.following && !this.closed) this.startCatchUp(projection, 0);
    }
  }

  /**
   * Rebuilds several projections (default: all) from zero in one pass over the log: each batch is
   * read and decoded once and applied to every one of them. For an operator rebuilding everything.
   */
  async rebuildAll(names: readonly string[] = [...this.projections.keys()], onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    this.assertOpen();
    if (this.following) throw new Error('Stop following the log before rebuilding every projection at once');
    const projections = names.map((name) => this.projectionNamed(name));
    const started = performance.now();
    this.db.transaction(() => {
      for (const projection of projections) {
        projection.dropSchema(this.db);
        projection.createSchema(this.db);
        writeCheckpoint(this.db, projection.name, { position: 0n, version: projection.version });
        this.checkpoints.set(projection.name, 0n);
      }
    })();
    const head = await this.store.headPosition();
    let position = 0n;
    let processed = 0;
    for (;;) {
      const events = await this.store.readAll({ after: position, upTo: head, maxCount: this.rebuildBatchSize });
      if (events.length === 0) break;
      for (const projection of projections) this.applyBatch(projection, events);
      processed += events.length;
      position = events[events.length - 1].position;
      onProgress?.({ projection: names.join(', '), processed, position, head });
      await yieldToEventLoop();
    }
    this.db.pragma('optimize');
    return { projection: names.join(', '), processed, position, elapsedMs: performance.now() - started };
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

  /** The shared subscription, from the lowest checkpoint of the projections following it. */
  private subscribeShared(): void {
    if (!this.following || this.closed || this.shared) return;
    const after = this.lowestCheckpoint([...this.followers]);
    this.sharedPosition = after;
    let subscription: Subscription;
    try {
      subscription = this.store.subscribeToAll({
        after,
        maxBatch: this.liveBatchSize,
        // async, so a failed batch reaches the store as a rejection whatever way it calls `handle`.
        handle: async (events) => this.applyToFollowers(events),
      });
    } catch (error) {
      this.resubscribeLater(error);
      return;
    }
    this.shared = subscription;
    subscription.done.then(
      () => {
        if (this.shared === subscription) this.shared = undefined;
      },
      (error: unknown) => {
        if (this.shared === subscription) this.shared = undefined;
        this.resubscribeLater(error);
      },
    );
  }

  /** Reading the log failed (not a projection): read it again later from the lowest checkpoint. */
  private resubscribeLater(error: unknown): void {
    if (!this.following || this.closed) return;
    this.sharedFailures += 1;
    const delayMs = this.backoff(this.sharedFailures);
    this.logger.error(
      `Reading the event log failed (${error instanceof Error ? error.message : String(error)}); retrying in ${delayMs} ms`,
      error instanceof Error ? error.stack : undefined,
    );
    setTimeout(() => this.subscribeShared(), delayMs).unref();
  }

  /**
   * One batch of the shared subscription, applied by each following projection to the part past
   * its checkpoint. A projection whose checkpoint is short of where this batch starts missed
   * events and catches up on its own; one that fails drops out and catches up after a delay.
   */
  private applyToFollowers(events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    const batchStart = this.sharedPosition;
    this.sharedPosition = events[events.length - 1].position;
    this.sharedFailures = 0;
    for (const name of [...this.followers]) {
      const projection = this.projectionNamed(name);
      const checkpoint = this.checkpoints.get(name) ?? 0n;
      if (checkpoint < batchStart) {
        this.followers.delete(name);
        this.startCatchUp(projection, 0);
        continue;
      }
      const unseen = checkpoint === batchStart ? events : events.filter((event) => event.position > checkpoint);
      try {
        this.applyBatch(projection, unseen);
      } catch (error) {
        this.followers.delete(name);
        this.failed(projection, error);
      }
    }
  }

  private failed(projection: Projection, error: unknown): void {
    const name = projection.name;
    const failures = (this.failuresInARow.get(name) ?? 0) + 1;
    this.failuresInARow.set(name, failures);
    const delayMs = this.backoff(failures);
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Projection '${name}' stopped at position ${this.checkpoint(name)} (${reason}); ` +
        `restarting from its checkpoint in ${delayMs} ms (failure ${failures} in a row)`,
      error instanceof Error ? error.stack : undefined,
    );
    this.startCatchUp(projection, delayMs);
  }

  private backoff(failures: number): number {
    return Math.min(this.restartBackoff.initialMs * 2 ** (failures - 1), this.restartBackoff.maxMs);
  }

  /** After `delayMs`, replays the projection from its checkpoint until it reaches the shared subscription, then rejoins it. */
  private startCatchUp(projection: Projection, delayMs: number): void {
    const name = projection.name;
    if (this.catchingUp.has(name) || this.restartTimers.has(name)) return;
    const run = () => {
      this.restartTimers.delete(name);
      if (!this.following || this.closed || this.rebuilding.has(name)) return;
      const caughtUp = this.catchUp(projection, this.liveBatchSize, null)
        .then(() => {
          if (this.following && !this.closed && !this.rebuilding.has(name)) this.followers.add(name);
        })
        .catch((error: unknown) => this.failed(projection, error))
        .finally(() => this.catchingUp.delete(name));
      this.catchingUp.set(name, caughtUp);
    };
    if (delayMs === 0) run();
    else this.restartTimers.set(name, setTimeout(run, delayMs));
  }

  /**
   * Applies the log after the projection's checkpoint, batch by batch, up to `until` (a fixed head)
   * or, when null, until it has reached the shared subscription's position. It ends synchronously
   * after its last check, so the caller can hand the projection to the shared subscription with
   * nothing delivered in between.
   */
  private async catchUp(
    projection: Projection,
    batchSize: number,
    until: bigint | null,
    onBatch?: (events: readonly RecordedEvent[]) => void,
  ): Promise<void> {
    for (;;) {
      const followingLive = until === null;
      if (this.closed || (followingLive && (!this.following || this.rebuilding.has(projection.name)))) return;
      const checkpoint = this.checkpoints.get(projection.name) ?? 0n;
      const target = until ?? this.sharedPosition;
      if (checkpoint >= target) return;
      const events = await this.store.readAll({ after: checkpoint, upTo: target, maxCount: batchSize });
      if (events.length === 0) {
        // Nothing was committed in that range (a store may leave holes in its positions).
        this.moveCheckpoint(projection, target);
        continue;
      }
      this.applyBatch(projection, events);
      onBatch?.(events);
      // An embedded store reads synchronously, so without this a catch-up inside the running
      // service would starve every request until it finished.
      await yieldToEventLoop();
    }
  }

  private moveCheckpoint(projection: Projection, position: bigint): void {
    writeCheckpoint(this.db, projection.name, { position, version: projection.version });
    this.checkpoints.set(projection.name, position);
    this.settleWaiters();
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

import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { LeaseKeeper, LocalLeaseProvider, type Lease, type LeaseProvider, type StopWork } from '@cases/coordination';
import { decodeCaseEvent } from '@cases/domain';
import type { EventStore } from '@cases/event-store';
import {
  openReadModelDatabase,
  type ReadModelDatabase,
  type ReadModelDialect,
  type ReadModelLocation,
} from '../database/read-model-database';
import { migrateReadModels } from '../database/migrations';
import type { ReadModelTables } from '../database/read-model-tables';
import type { CaseEventDecoder, LogBatch } from '../log/log-batch';
import { reasonOf, type Backoff } from './backoff';
import { readCheckpoint, readCheckpoints } from './checkpoints';
import { LogFollower } from './log-follower';
import { ParkedEvents, type ParkedCount, type ParkedEvent } from './parked-events';
import { StaleStreamReadError, type ReplayOutcome } from './parked-replay';
import { PositionWaiters } from './position-waiters';
import { ProjectedModel, type ProjectionLogger } from './projected-model';
import type { Projection } from './projection';
import { ProjectionSupervisor } from './projection-supervisor';
import { readLog } from './read-log';
import { Rebuilder, type RebuildProgress, type RebuildResult } from './rebuilder';

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** Where the read models live: `{ sqlite: '<DATA_DIR>/read-models.db' }` (`:memory:` in tests) or `{ postgres: DATABASE_URL }`. */
  database: ReadModelLocation;
  projections: readonly Projection[];
  logger?: ProjectionLogger;
  /** Largest batch applied in one transaction while following the log. */
  liveBatchSize?: number;
  /** Events applied per transaction by a rebuild. */
  rebuildBatchSize?: number;
  /** Delay before restarting a failed projection, doubled for each failure in a row up to `maxMs`. */
  restartBackoff?: Backoff;
  /**
   * How case events are decoded (default: the domain's `decodeCaseEvent`, upcasters included).
   * A release that learns to read a parked event brings its own through the domain; specs pass
   * one to play that release (docs/architecture.md, "Parked events").
   */
  decode?: CaseEventDecoder;
  /**
   * Leases among the instances sharing the read-model database (docs/decisions/0011): the log is
   * followed only in the instance holding the `projections` lease, and a rebuild holds a lease per
   * projection. Default: local leases, always granted (one process owns its SQLite read models).
   */
  leases?: LeaseProvider;
  /** How often an instance that does not hold the `projections` lease tries to take it. */
  leaseRetryIntervalMs?: number;
  /**
   * How often an instance that does not follow the log reads the shared checkpoints, for its
   * health and lag figures; while a query waits for a position it reads them every `STANDBY_WAIT_POLL_MS`.
   */
  standbyPollMs?: number;
}

export interface ProjectionStatus {
  projection: string;
  position: bigint;
  lag: bigint;
  rebuilding: boolean;
}

/** What a query reads through: the database (inside the query's transaction) and its dialect. */
export interface ReadModelReader {
  db: Kysely<ReadModelTables>;
  dialect: ReadModelDialect;
}

/** Where a projection stood when a query read it. */
export interface ReadAt {
  /** The log position its tables reflect: everything up to it, nothing after. */
  position: bigint;
  /** Changes when a rebuild swaps in new tables. */
  generation: number;
}

export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`No projection named '${projection}'`);
    this.name = 'UnknownProjectionError';
  }
}

// Live batches are whatever arrived since the last one; the cap matters when catching up after a start.
const DEFAULT_LIVE_BATCH_SIZE = 10_000;
/**
 * A rebuild's batches: the case projection writes a case when it leaves its in-memory cache, not
 * per batch, so larger batches save little, while every decoded event of a batch stays alive
 * (and is copied by the garbage collector) until the batch is applied.
 */
const DEFAULT_REBUILD_BATCH_SIZE = 2_000;
const DEFAULT_RESTART_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };
const DEFAULT_LEASE_RETRY_INTERVAL_MS = 2_000;
const DEFAULT_STANDBY_POLL_MS = 1_000;
/** A query waiting for a position on an instance that does not follow the log reads the shared checkpoints this often. */
export const STANDBY_WAIT_POLL_MS = 20;
/** The lease of the instance that follows the log and applies it to the shared read models. */
export const PROJECTIONS_LEASE = 'projections';
/** The lease a rebuild of one projection holds from its first table to its swap (or its discard). */
export function rebuildLeaseName(projection: string): string {
  return `rebuild:${projection}`;
}

/**
 * Feeds projections from the event store's global log into one database (SQLite or PostgreSQL)
 * and lets queries wait for them. It puts together four parts that each read alone:
 *  - `LogFollower`: one subscription reads and decodes the log once for every projection;
 *  - `ProjectionSupervisor`: a projection whose batch failed, or that missed events, drops out of
 *    the subscription and catches up on its own from its checkpoint, after a growing delay;
 *  - `Rebuilder`: rebuilds projections beside their live tables and swaps them in;
 *  - `PositionWaiters`: read-your-writes waits, per projection.
 * Each projection applies a batch in its own transaction together with its checkpoint
 * (`ProjectedModel`): a crash anywhere leaves each model and its checkpoint together, so the next
 * start resumes with no gap and no double application. An event a projection refuses is parked
 * there and then, and stops its own case only (`quarantine.ts`, `replayParked`).
 *
 * Among instances sharing one PostgreSQL database, only the holder of the `projections` lease
 * follows the log (a `LeaseKeeper`); the others read the shared checkpoints, often while a query
 * waits for a position, and one of them takes the lease over within seconds when the holder dies
 * (docs/architecture.md, "Several instances").
 */
export class ProjectionRunner {
  private readonly store: EventStore;
  private readonly liveBatchSize: number;
  /** Projections the follower feeds; the others are being caught up by the supervisor. */
  private readonly followers = new Set<string>();
  private readonly follower: LogFollower;
  private readonly supervisor: ProjectionSupervisor;
  private readonly waiters: PositionWaiters;
  private readonly rebuilder: Rebuilder;
  private readonly rebuilding = new Map<string, Promise<unknown>>();
  private following = false;
  private closed = false;
  private readonly decode: CaseEventDecoder | undefined;
  private readonly leases: LeaseProvider;
  private readonly leaseRetryIntervalMs: number;
  private readonly standbyPollMs: number;
  private readonly logger: ProjectionLogger;
  private lease: Lease | undefined;
  private keeper: LeaseKeeper | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  /** When the scheduled read of the shared checkpoints runs (ms since the epoch). */
  private watchAt = Infinity;
  private watching = false;
  /** Set when a lease held by a rebuild in this process was lost: the rebuild stops. */
  private rebuildLeaseLost = false;
  private watchFailed = false;

  /**
   * Opens the read-model database, brings its schema up to date (Kysely's migrator) and opens
   * every projection's tables: they exist from the start, so queries answer (empty) before the
   * first batch arrives. Fails when the database cannot be reached or migrated.
   */
  static async open(options: ProjectionRunnerOptions): Promise<ProjectionRunner> {
    const logger = options.logger ?? new Logger(ProjectionRunner.name);
    const database = openReadModelDatabase(options.database);
    const leases = options.leases ?? new LocalLeaseProvider();
    try {
      await migrateReadModels(database);
      const models = new Map<string, ProjectedModel>();
      for (const projection of options.projections) models.set(projection.name, await openModel(database, projection, logger, leases));
      return new ProjectionRunner(options, database, models, logger, leases);
    } catch (error) {
      await database.close().catch(() => undefined);
      throw error;
    }
  }

  private constructor(
    options: ProjectionRunnerOptions,
    private readonly database: ReadModelDatabase,
    private readonly models: ReadonlyMap<string, ProjectedModel>,
    logger: ProjectionLogger,
    leases: LeaseProvider,
  ) {
    this.store = options.store;
    this.logger = logger;
    this.leases = leases;
    this.leaseRetryIntervalMs = options.leaseRetryIntervalMs ?? DEFAULT_LEASE_RETRY_INTERVAL_MS;
    this.standbyPollMs = options.standbyPollMs ?? DEFAULT_STANDBY_POLL_MS;
    const backoff = options.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
    this.liveBatchSize = options.liveBatchSize ?? DEFAULT_LIVE_BATCH_SIZE;
    this.decode = options.decode;
    // A wait on an instance that does not follow the log is settled by reading the shared checkpoints.
    this.waiters = new PositionWaiters(
      (name) => this.modelNamed(name).position,
      () => this.watchSoon(),
    );
    this.follower = new LogFollower({
      store: this.store,
      batchSize: this.liveBatchSize,
      backoff,
      logger,
      // With every projection out of it (all failed), from where the furthest-behind one stands.
      from: () => this.waiters.lowest(this.followers.size > 0 ? [...this.followers] : [...this.models.keys()]),
      deliver: (batch, after) => this.deliver(batch, after),
      decode: this.decode,
    });
    this.supervisor = new ProjectionSupervisor({ backoff, logger, catchUp: (model) => this.catchUp(model) });
    this.rebuilder = new Rebuilder({
      database,
      store: this.store,
      batchSize: options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH_SIZE,
      tailBatchSize: this.liveBatchSize,
      stopped: () => this.closed || this.rebuildLeaseLost,
      swapped: () => this.waiters.settle(),
      decode: this.decode,
    });
  }

  /**
   * Follows the log once this instance holds the `projections` lease (at once with local leases),
   * every projection from its own checkpoint, through one shared subscription; until then, and
   * whenever the lease is lost, reads the shared checkpoints instead.
   */
  start(): void {
    this.assertOpen();
    if (this.keeper) return;
    const logger = this.logger;
    this.lease = this.leases.lease(PROJECTIONS_LEASE);
    this.keeper = new LeaseKeeper({
      lease: this.lease,
      retryIntervalMs: this.leaseRetryIntervalMs,
      logger: { log: (message) => logger.log(message), warn: (message) => (logger.warn ?? logger.error).call(logger, message) },
      run: () => this.follow(),
    });
    this.keeper.start();
    this.watchSoon(this.standbyPollMs);
  }

  /** True while this instance holds the `projections` lease and follows the log. */
  get leading(): boolean {
    return this.following;
  }

  /** Stops following, ends rebuilds, fails pending waits and closes the database (on shutdown). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watchTimer);
    await this.keeper?.stop();
    await this.lease?.close();
    await this.unfollow();
    await Promise.allSettled([...this.rebuilding.values()]);
    this.waiters.rejectAll(new Error('The projection runner was closed'));
    await this.database.close();
  }

  /** The projection's last applied global position (0n before the first event). */
  checkpoint(projection: string): bigint {
    return this.modelNamed(projection).position;
  }

  /**
   * Resolves once the named projection, or every projection when none is named, has applied the
   * log up to `position`; rejects with a `ProjectionTimeoutError` when that takes longer than
   * `timeoutMs`.
   */
  waitForPosition(position: bigint, timeoutMs: number, projection?: string): Promise<void> {
    this.assertOpen();
    const names = projection === undefined ? [...this.models.keys()] : [this.modelNamed(projection).name];
    return this.waiters.wait(names, position, timeoutMs);
  }

  /** Which database the read models live in. */
  get dialect(): ReadModelDialect {
    return this.database.dialect;
  }

  /**
   * Hands `read` the read-model database once `projection` has applied the log up to
   * `minPosition`, with the position its tables reflect. The checkpoint and every row `read`
   * reads come from one transaction (REPEATABLE READ on PostgreSQL, where other instances and the
   * projections write meanwhile; on SQLite the one connection runs a transaction at a time), so
   * the rows and that position describe the same prefix of the log.
   */
  async read<T>(
    projection: string,
    minPosition: bigint,
    timeoutMs: number,
    read: (reader: ReadModelReader, at: ReadAt) => Promise<T>,
  ): Promise<T> {
    await this.waitForPosition(minPosition, timeoutMs, projection);
    const { name } = this.modelNamed(projection);
    const { dialect } = this.database;
    const transaction = this.database.db.transaction();
    return (dialect === 'postgres' ? transaction.setIsolationLevel('repeatable read') : transaction).execute(async (db) => {
      const checkpoint = await readCheckpoint(db, name);
      if (checkpoint === null) throw new Error(`The checkpoint of projection '${name}' is missing`);
      return read({ db, dialect }, { position: checkpoint.position, generation: checkpoint.generation });
    });
  }

  /** How far the slowest projection trails the log's head. */
  async lag(): Promise<bigint> {
    const head = await this.store.headPosition();
    const lowest = this.waiters.lowest([...this.models.keys()]);
    return head > lowest ? head - lowest : 0n;
  }

  /** Each projection's checkpoint and lag behind `head` (the store's head position), for /health. */
  status(head: bigint): ProjectionStatus[] {
    return [...this.models.values()].map((model) => ({
      projection: model.name,
      position: model.position,
      lag: head > model.position ? head - model.position : 0n,
      rebuilding: this.rebuilding.has(model.name),
    }));
  }

  /**
   * The lease's work: brings every model up to the durable checkpoints (the last holder may have
   * moved them) and follows the log from there.
   */
  private async follow(): Promise<StopWork> {
    await this.readSharedCheckpoints();
    this.following = true;
    this.supervisor.resume();
    for (const name of this.models.keys()) this.followers.add(name);
    this.follower.start();
    return () => this.unfollow();
  }

  /** Stops following the log (the lease was lost or the runner is closing); a batch in flight ends first. */
  private async unfollow(): Promise<void> {
    if (!this.following) return;
    this.following = false;
    this.followers.clear();
    await this.follower.stop();
    await this.supervisor.stop();
    this.watchSoon(0);
  }

  /** Reads the shared checkpoints into the models, and settles the waits they satisfy. */
  private async readSharedCheckpoints(): Promise<void> {
    const checkpoints = await readCheckpoints(this.database.db);
    for (const [name, model] of this.models) {
      const checkpoint = checkpoints.get(name);
      if (checkpoint) model.observe(checkpoint);
    }
    this.waiters.settle();
  }

  /**
   * Schedules the next read of the shared checkpoints while this instance does not follow the log:
   * soon while a query waits for a position, every `standbyPollMs` otherwise.
   */
  private watchSoon(delayMs = STANDBY_WAIT_POLL_MS): void {
    if (this.closed || this.following || this.keeper === undefined || this.watching) return;
    // Never later than already planned: a stream of new waits must not keep postponing the read.
    const at = Date.now() + delayMs;
    if (at >= this.watchAt) return;
    clearTimeout(this.watchTimer);
    this.watchAt = at;
    this.watchTimer = setTimeout(() => void this.watch(), delayMs);
    this.watchTimer.unref();
  }

  private async watch(): Promise<void> {
    this.watchAt = Infinity;
    if (this.closed || this.following) return;
    this.watching = true;
    try {
      await this.readSharedCheckpoints();
      this.watchFailed = false;
    } catch (error) {
      // An outage: readiness reports the store; one line, not one per poll.
      if (!this.watchFailed) this.logger.error(`Reading the shared checkpoints failed: ${reasonOf(error)}`);
      this.watchFailed = true;
    } finally {
      this.watching = false;
    }
    this.watchSoon(this.waiters.size > 0 ? STANDBY_WAIT_POLL_MS : this.standbyPollMs);
  }

  /** Projections whose last batch failed and that have not applied one since: the service is not ready while any is. */
  failing(): string[] {
    return this.supervisor.failing();
  }

  /**
   * Per projection, the events it has parked and in how many cases: the service is not ready while
   * there are any. Read from the database, so on a shared PostgreSQL database every instance sees
   * what any of them parked.
   */
  async parkedCounts(): Promise<ParkedCount[]> {
    return (await ParkedEvents.countByProjection(this.database.db)).filter((count) => this.models.has(count.projection));
  }

  /** Parked events in log order, of one case or of every case (`parked list`). */
  parkedEvents(filter: { caseId?: string } = {}): Promise<ParkedEvent[]> {
    return ParkedEvents.list(this.database.db, filter);
  }

  /**
   * Re-applies each parked case's whole stream, read from the store, to each projection that
   * parked it (one case, or all): a case whose events now apply is current again and its parked
   * events are released; one that still refuses keeps them, with the new error. Run it once a
   * release that reads the refused event is in place (docs/architecture.md, "Parked events").
   */
  async replayParked(filter: { caseId?: string } = {}): Promise<ReplayOutcome[]> {
    this.assertOpen();
    const targets = new Map<string, { projection: string; streamId: string }>();
    for (const { projection, streamId } of await ParkedEvents.list(this.database.db, filter)) {
      // Rows of a projection this runner does not run (a spec's, or one a release dropped) are not its to replay.
      if (this.models.has(projection)) targets.set(`${projection}\u0000${streamId}`, { projection, streamId });
    }
    const outcomes: ReplayOutcome[] = [];
    for (const { projection, streamId } of targets.values()) {
      const model = this.modelNamed(projection);
      if (this.rebuilding.has(projection)) {
        throw new Error(`Projection '${projection}' is being rebuilt: replay its parked events afterwards`);
      }
      for (let attempt = 1; ; attempt++) {
        const recorded = await this.store.readStream(streamId);
        try {
          outcomes.push(await model.replayParked(streamId, recorded, this.decode ?? decodeCaseEvent));
          break;
        } catch (error) {
          // The checkpoint moved past more of the stream's events while it was read.
          if (!(error instanceof StaleStreamReadError) || attempt >= 5) throw error;
        }
      }
    }
    return outcomes;
  }

  /**
   * Replays the whole log into new tables beside the projection's live ones, which keep serving
   * queries and following the log meanwhile, then swaps them in. A failed rebuild leaves the live
   * tables as they were and can simply be run again.
   */
  rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    return this.rebuildAll([name], onProgress);
  }

  /**
   * Rebuilds several projections (default: all) in one pass over the log: each batch is read and
   * decoded once and applied to every one of them.
   */
  async rebuildAll(
    names: readonly string[] = [...this.models.keys()],
    onProgress?: (progress: RebuildProgress) => void,
  ): Promise<RebuildResult> {
    this.assertOpen();
    const models = names.map((name) => this.modelNamed(name));
    for (const model of models) {
      if (this.rebuilding.has(model.name)) throw new Error(`Projection '${model.name}' is already being rebuilt`);
    }
    const rebuilt = this.rebuildUnderLeases(models, onProgress);
    for (const model of models) this.rebuilding.set(model.name, rebuilt);
    try {
      return await rebuilt;
    } finally {
      for (const model of models) this.rebuilding.delete(model.name);
    }
  }

  /**
   * One rebuild of a projection at a time among every instance: its lease is held until the swap
   * or the discard, so no other instance drops or writes its tables meanwhile.
   */
  private async rebuildUnderLeases(
    models: readonly ProjectedModel[],
    onProgress?: (progress: RebuildProgress) => void,
  ): Promise<RebuildResult> {
    const leases = models.map((model) => this.leases.lease(rebuildLeaseName(model.name)));
    const unsubscribe = leases.map((lease) => lease.onLost(() => (this.rebuildLeaseLost = true)));
    try {
      for (const [index, lease] of leases.entries()) {
        if (!(await lease.acquire())) throw new Error(`Projection '${models[index].name}' is being rebuilt by another instance`);
      }
      this.rebuildLeaseLost = false;
      return await this.rebuilder.rebuild(models, onProgress);
    } finally {
      for (const stop of unsubscribe) stop();
      await Promise.all(leases.map((lease) => lease.close().catch(() => undefined)));
    }
  }

  /**
   * One batch of the shared subscription, applied by each following projection to its part past
   * its checkpoint. A projection whose checkpoint is short of where the batch starts missed events
   * and catches up on its own; one that fails drops out and is restarted by the supervisor.
   */
  private async deliver(batch: LogBatch, after: bigint): Promise<void> {
    for (const name of [...this.followers]) {
      const model = this.modelNamed(name);
      if (model.position < after) {
        this.followers.delete(name);
        this.supervisor.restart(model);
        continue;
      }
      try {
        await model.apply(batch);
        this.supervisor.succeeded(model);
      } catch (error) {
        this.followers.delete(name);
        this.supervisor.failed(model, error);
      }
    }
    this.waiters.settle();
  }

  /**
   * Applies the log after the model's checkpoint until it has reached the follower's position,
   * then hands the model back to the follower. A batch the follower delivers before the model is
   * back in it, and that the catch-up did not read, leaves the model short of the next batch's
   * start: `deliver` then sends it to catch up again.
   */
  private async catchUp(model: ProjectedModel): Promise<void> {
    await readLog(
      this.store,
      this.liveBatchSize,
      { from: () => model.position, to: () => this.follower.position, stopped: () => !this.following, decode: this.decode },
      async (batch, readUpTo) => {
        const moved = await model.apply(batch);
        if ((await model.skipTo(readUpTo)) || moved) this.waiters.settle();
        this.supervisor.succeeded(model);
      },
    );
    if (this.following) this.followers.add(model.name);
  }

  private modelNamed(name: string): ProjectedModel {
    const model = this.models.get(name);
    if (!model) throw new UnknownProjectionError(name);
    return model;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The projection runner is closed');
  }
}

/**
 * Opens `projection`'s live model. What a rebuild left beside it is dropped only when its rebuild
 * lease is free, which proves no instance is rebuilding it: a rebuild holds the lease from its
 * first table to its swap, and loses it when its process dies.
 */
async function openModel(
  database: ReadModelDatabase,
  projection: Projection,
  logger: ProjectionLogger,
  leases: LeaseProvider,
): Promise<ProjectedModel> {
  const rebuild = leases.lease(rebuildLeaseName(projection.name));
  try {
    const abandoned = await rebuild.acquire();
    return await ProjectedModel.open(database, projection, logger, { dropRebuildTables: abandoned });
  } finally {
    await rebuild.close();
  }
}

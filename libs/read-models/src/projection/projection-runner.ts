import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
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
import type { Backoff } from './backoff';
import { readCheckpoint } from './checkpoints';
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

  /**
   * Opens the read-model database, brings its schema up to date (Kysely's migrator) and opens
   * every projection's tables: they exist from the start, so queries answer (empty) before the
   * first batch arrives. Fails when the database cannot be reached or migrated.
   */
  static async open(options: ProjectionRunnerOptions): Promise<ProjectionRunner> {
    const logger = options.logger ?? new Logger(ProjectionRunner.name);
    const database = openReadModelDatabase(options.database);
    try {
      await migrateReadModels(database);
      const models = new Map<string, ProjectedModel>();
      for (const projection of options.projections) models.set(projection.name, await ProjectedModel.open(database, projection, logger));
      return new ProjectionRunner(options, database, models, logger);
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
  ) {
    this.store = options.store;
    const backoff = options.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
    this.liveBatchSize = options.liveBatchSize ?? DEFAULT_LIVE_BATCH_SIZE;
    this.decode = options.decode;
    this.waiters = new PositionWaiters((name) => this.modelNamed(name).position);
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
      stopped: () => this.closed,
      swapped: () => this.waiters.settle(),
      decode: this.decode,
    });
  }

  /** Starts following the log: every projection from its own checkpoint, through one shared subscription. */
  start(): void {
    this.assertOpen();
    if (this.following) return;
    this.following = true;
    for (const name of this.models.keys()) this.followers.add(name);
    this.follower.start();
  }

  /** Stops following, ends rebuilds, fails pending waits and closes the database (on shutdown). */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.following = false;
    this.closed = true;
    await this.follower.stop();
    await this.supervisor.stop();
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
    const rebuilt = this.rebuilder.rebuild(models, onProgress);
    for (const model of models) this.rebuilding.set(model.name, rebuilt);
    try {
      return await rebuilt;
    } finally {
      for (const model of models) this.rebuilding.delete(model.name);
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

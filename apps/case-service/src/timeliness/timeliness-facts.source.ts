import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ServiceError,
  caseStreamId,
  decodeCaseEvent,
  evolve,
  INITIAL_CASE_STATE,
  replayUnderPolicy,
  TERMINAL_STATUSES,
  type CaseFacts,
  type CaseState,
  type DeadlinePolicy,
  type OpenedCase,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ReadModels, type FactsCursor } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FactsSnapshots } from './replay/facts-snapshots';
import { replayFacts, type ReplayProgress } from './replay/facts-replay';
import { TimeSlices } from './replay/time-slices';

export interface FactsAtPosition {
  /** The global log position the facts reflect: everything up to it, nothing after. */
  position: bigint;
  facts: CaseFacts[];
}

/** The position asked for is past the end of the log. */
export class PositionBeyondLogError extends ServiceError {
  constructor(
    readonly position: bigint,
    readonly head: bigint,
  ) {
    super(
      'REQUEST.POSITION_BEYOND_LOG',
      422,
      'Position beyond the log',
      `Position ${position} is beyond the end of the event log (${head})`,
      {
        head: head.toString(),
      },
    );
  }
}

export type { ReplayProgress };

/**
 * The case facts statistics and reports are computed from, as a prefix of the global log
 * (docs/statistics.md, "Snapshots"):
 *  - at the read model's position (the usual case): kept in memory and refreshed with only the
 *    cases changed since the last call, so a query costs the computation, not a table scan; every
 *    TIMELINESS_SNAPSHOT_EVERY positions the read side passes, these facts are also written out as
 *    a snapshot at their position;
 *  - at an earlier position (`?position=` reproducing a report): from the nearest snapshot at or
 *    before it, streamed, then the log after it replayed, going on from the snapshot's states of the
 *    cases in flight (from position 0 when there is none; the replay then leaves a snapshot at its
 *    position);
 *  - under another deadline policy (what-if): the whole log replayed, since a snapshot holds the
 *    live policy's deadlines.
 * A replay (`replayFacts`) holds the facts and only the states of the cases in flight, never every
 * case's state, and works in slices of a few milliseconds so other requests are answered meanwhile.
 */
@Injectable()
export class TimelinessFactsSource implements OnModuleDestroy {
  private readonly logger = new Logger(TimelinessFactsSource.name);
  private readonly cached = new Map<string, CaseFacts>();
  private cursor: FactsCursor | null = null;
  private readonly snapshots: FactsSnapshots;
  /** Snapshots are written one after another, in the background; the shutdown waits for them. */
  private snapshotting: Promise<void> = Promise.resolve();
  private snapshotsPending = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.snapshots = new FactsSnapshots(config.dataDir, config.org.id);
  }

  async onModuleDestroy(): Promise<void> {
    await this.snapshotting;
  }

  /** Facts as of the log's head when the call arrived (read-your-writes), or as of `position`. */
  async facts(position?: bigint, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    const head = await this.store.headPosition();
    if (position !== undefined && position > head) throw new PositionBeyondLogError(position, head);
    const current = await this.fromReadModel(position ?? head);
    if (position === undefined || position === current.position) return current;
    return this.replayAt(position, onProgress);
  }

  /**
   * When the event at `position` was recorded: the judging instant of figures asked for at that
   * position. A case event's `recordedAt` (the service's clock when it accepted the command), else
   * the store's commit time. A store may leave positions unused: then the last event before
   * `position` answers; before the first event there is none, and the Unix epoch stands in.
   */
  async recordedAt(position: bigint): Promise<Date> {
    for (let window = 1n; ; window *= 64n) {
      const after = position > window ? position - window : 0n;
      const events = await this.store.readAll({ after, upTo: position, maxCount: Number(window) });
      const event = events.at(-1);
      if (event !== undefined) {
        const { recordedAt } = event.metadata;
        return typeof recordedAt === 'string' ? new Date(recordedAt) : event.created;
      }
      if (after === 0n) return new Date(0);
    }
  }

  /**
   * Facts of the log up to `position` (default: head) with every deadline recomputed under `policy`.
   * The snapshots hold the live policy's deadlines, so none is any use here: every case is folded
   * again from its events, one at a time.
   */
  async factsUnderPolicy(policy: DeadlinePolicy, position?: bigint, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    const head = await this.store.headPosition();
    if (position !== undefined && position > head) throw new PositionBeyondLogError(position, head);
    const upTo = position ?? head;
    const fold = replayUnderPolicy(policy);
    const facts = await replayFacts(this.store, { after: 0n, upTo, orgId: this.config.org.id, fold, facts: new Map(), onProgress });
    return { position: upTo, facts: [...facts.values()] };
  }

  /** Once the case read model has reached `minPosition`: the facts it holds and the position they describe. */
  private async fromReadModel(minPosition: bigint): Promise<FactsAtPosition> {
    const changed = await this.readModels.cases.changedFacts(this.config.org.id, this.cursor, { minPosition });
    // Every case, not the changes: the first call, or the read model was rebuilt meanwhile.
    if (changed.complete) this.cached.clear();
    for (const facts of changed.facts) this.cached.set(facts.caseId, facts);
    this.cursor = changed.cursor;
    const current = { position: changed.position, facts: [...this.cached.values()] };
    this.snapshotLive(current, changed.cursor.generation);
    return current;
  }

  /** The facts at a position before the read model's, from the nearest snapshot before it. */
  private async replayAt(upTo: bigint, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    const generation = (this.cursor as FactsCursor).generation;
    const snapshot = this.config.timelinessSnapshotEvery > 0 ? await this.snapshots.nearest(upTo, generation) : undefined;
    const base =
      snapshot === undefined
        ? { facts: new Map<string, CaseFacts>(), states: new Map<string, CaseState>() }
        : await this.snapshots.load(snapshot);
    const after = snapshot?.position ?? 0n;
    const { states } = base;
    const replayed = await replayFacts(this.store, {
      after,
      upTo,
      orgId: this.config.org.id,
      fold: evolve,
      facts: base.facts,
      states,
      onProgress,
    });
    const facts = [...replayed.values()];
    // The replay leaves a snapshot where none is near, for the next report at or after it, with the states it ends holding.
    if (upTo - after >= BigInt(this.config.timelinessSnapshotEvery)) {
      this.snapshot(upTo, generation, facts, async () => [...states.values()].filter(isOpened));
    }
    return { position: upTo, facts };
  }

  /**
   * Snapshots the live facts once the read side is TIMELINESS_SNAPSHOT_EVERY positions past the
   * latest snapshot; skipped while another is being written (the next query will pass by again).
   * The read model holds facts, not states: the states of the cases in flight are folded from
   * their streams up to the position, in the background.
   */
  private snapshotLive(current: FactsAtPosition, generation: number): void {
    const every = BigInt(this.config.timelinessSnapshotEvery);
    if (every === 0n || current.position < every || this.snapshotsPending > 0) return;
    this.snapshot(
      current.position,
      generation,
      current.facts,
      () => this.statesInFlight(current),
      async () => {
        const latest = (await this.snapshots.list(generation)).at(-1);
        return latest === undefined || current.position - latest.position >= every;
      },
    );
  }

  /**
   * The states at `position` of the cases that may be in flight there: those with a deadline
   * running (an episode neither reached nor ended) and those with no deadline yet (registered, not
   * dispatched). The facts hold no status, so an ended one among them is folded and left out; a case
   * in flight with neither is folded from its stream when a replay from the snapshot meets it, as
   * without any state.
   */
  private async statesInFlight({ position, facts }: FactsAtPosition): Promise<OpenedCase[]> {
    const states: OpenedCase[] = [];
    const slices = new TimeSlices();
    for (const fact of facts) {
      const running = fact.episodes.some((episode) => episode.reachedAt === undefined && episode.endedAt === undefined);
      if (!running && fact.episodes.length > 0) continue;
      let state: CaseState = INITIAL_CASE_STATE;
      for (const recorded of await this.store.readStream(caseStreamId(fact.caseId))) {
        if (recorded.position > position) break;
        state = evolve(state, decodeCaseEvent(recorded));
      }
      if (isOpened(state) && !TERMINAL_STATUSES.includes(state.status)) states.push(state);
      await slices.pause();
    }
    return states;
  }

  /** Writes a snapshot in the background, after those already under way: derived data, a failure only costs speed. */
  private snapshot(
    position: bigint,
    generation: number,
    facts: CaseFacts[],
    states: () => Promise<OpenedCase[]>,
    wanted = async () => true,
  ): void {
    if (this.config.timelinessSnapshotEvery === 0) return;
    this.snapshotsPending += 1;
    this.snapshotting = this.snapshotting
      .then(async () => {
        if (await wanted()) await this.snapshots.save(position, generation, facts, await states());
      })
      .catch((error: unknown) => this.logger.warn(`Timeliness snapshot at ${position} not written: ${String(error)}`))
      .finally(() => void (this.snapshotsPending -= 1));
  }
}

function isOpened(state: CaseState): state is OpenedCase {
  return state.status !== 'none';
}

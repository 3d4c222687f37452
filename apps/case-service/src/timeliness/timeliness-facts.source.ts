import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  caseStreamId,
  decodeCaseEvent,
  evolve,
  INITIAL_CASE_STATE,
  TERMINAL_STATUSES,
  type CaseFacts,
  type CaseState,
  type OpenedCase,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { PositionBeyondLogError, ReadModels, type FactsCursor } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { LongWorkThread } from '../long-work/long-work.thread';
import { FactsSnapshots } from './replay/facts-snapshots';
import type { ReplayProgress } from './replay/facts-replay';
import { TimeSlices } from './replay/time-slices';
import type { TimelinessJob } from './timeliness-jobs';
import { TIMELINESS_THREAD } from './timeliness-thread.provider';

export interface FactsAtPosition {
  /** The global log position the facts reflect: everything up to it, nothing after. */
  position: bigint;
  facts: CaseFacts[];
}

export type { ReplayProgress };

/**
 * The case facts statistics and reports are computed from, as a prefix of the global log
 * (docs/statistics.md, "Snapshots"):
 *  - at the read model's position (the usual case): kept in memory and refreshed with only the
 *    cases changed since the last call, so a query costs the computation, not a table scan; every
 *    TIMELINESS_SNAPSHOT_EVERY positions the read side passes, these facts are also written out as
 *    a snapshot at their position;
 *  - at an earlier position (`?position=` reproducing a report) or under another deadline policy
 *    (what-if): replayed on the long-work thread (`onThread`, timeliness-jobs.ts), which posts back
 *    only the figures asked for. A report at an earlier position starts from the nearest snapshot at
 *    or before it and goes on from the snapshot's states of the cases in flight (from position 0
 *    when there is none; the replay then leaves a snapshot at its position); a what-if replays the
 *    whole log, since a snapshot holds the live policy's deadlines. A replay (`replayFacts`) holds
 *    the facts and only the states of the cases in flight, never every case's state.
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
    @Inject(TIMELINESS_THREAD) private readonly thread: LongWorkThread,
  ) {
    this.snapshots = new FactsSnapshots(config.dataDir, config.org.id);
  }

  async onModuleDestroy(): Promise<void> {
    await this.snapshotting;
  }

  /** Facts as of the log's head when the call arrived (read-your-writes). */
  async facts(): Promise<FactsAtPosition> {
    return this.fromReadModel(await this.store.headPosition());
  }

  /**
   * The facts at `position` when the read model is exactly there (then they are the live ones);
   * otherwise the read model's generation, for a replay on the long-work thread (`onThread`).
   */
  async factsAt(position: bigint): Promise<{ facts: FactsAtPosition } | { generation: number }> {
    await this.upTo(position);
    const current = await this.fromReadModel(position);
    if (position === current.position) return { facts: current };
    return { generation: (this.cursor as FactsCursor).generation };
  }

  /** `position`, checked against the log's head, or the head itself. */
  async upTo(position?: bigint): Promise<bigint> {
    const head = await this.store.headPosition();
    if (position !== undefined && position > head) throw new PositionBeyondLogError(position, head);
    return position ?? head;
  }

  /**
   * Runs a job (a replay, an export) on the long-work thread (docs/statistics.md, "Long work") and
   * answers what it posts back. A replay may leave a snapshot behind, written by the thread once
   * the answer is out: jobs take their turn in the same line as the live snapshots, so two never
   * write at once (`FactsSnapshots` drops unfinished files), and a live snapshot due meanwhile is
   * skipped.
   */
  async onThread<T>(job: TimelinessJob, onProgress?: ReplayProgress): Promise<T> {
    this.snapshotsPending += 1;
    const started = this.snapshotting.then(() => this.thread.run<T>(job, onProgress));
    this.snapshotting = started
      .then(
        (running) => running.settled,
        () => undefined,
      )
      .finally(() => void (this.snapshotsPending -= 1));
    return (await started).answer;
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

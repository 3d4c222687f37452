import { Inject, Injectable } from '@nestjs/common';
import {
  ServiceError,
  decodeCaseEvent,
  evolve,
  INITIAL_CASE_STATE,
  replayUnderPolicy,
  timelinessFacts,
  type CaseEvent,
  type CaseFacts,
  type CaseState,
  type DeadlinePolicy,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ReadModels, type FactsCursor } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

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

const REPLAY_BATCH = 5000;

/** Reports how far a replay has read: `position` of `upTo`. */
export type ReplayProgress = (position: bigint, upTo: bigint) => void;

/**
 * The case facts statistics and reports are computed from, as a prefix of the global log:
 *  - at the read model's position (the usual case): kept in memory and refreshed with only the
 *    cases changed since the last call, so a query costs the computation, not a table scan;
 *  - at an earlier position (`?position=` reproducing a report) or under another deadline policy
 *    (what-if): replayed from the event store itself, leaving the read models untouched.
 */
@Injectable()
export class TimelinessFactsSource {
  private readonly cached = new Map<string, CaseFacts>();
  private cursor: FactsCursor | null = null;
  private replaying: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Facts as of the log's head when the call arrived (read-your-writes), or as of `position`. */
  async facts(position?: bigint, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    const head = await this.store.headPosition();
    if (position !== undefined && position > head) throw new PositionBeyondLogError(position, head);
    const current = await this.fromReadModel(position ?? head);
    if (position === undefined || position === current.position) return current;
    return this.replay(position, evolve, onProgress);
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

  /** Facts of the log up to `position` (default: head) with every deadline recomputed under `policy`. */
  async factsUnderPolicy(policy: DeadlinePolicy, position?: bigint, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    const head = await this.store.headPosition();
    if (position !== undefined && position > head) throw new PositionBeyondLogError(position, head);
    return this.replay(position ?? head, replayUnderPolicy(policy), onProgress);
  }

  /** Once the case read model has reached `minPosition`: the facts it holds and the position they describe. */
  private async fromReadModel(minPosition: bigint): Promise<FactsAtPosition> {
    const changed = await this.readModels.cases.changedFacts(this.config.org.id, this.cursor, { minPosition });
    // Every case, not the changes: the first call, or the read model was rebuilt meanwhile.
    if (changed.complete) this.cached.clear();
    for (const facts of changed.facts) this.cached.set(facts.caseId, facts);
    this.cursor = changed.cursor;
    return { position: changed.position, facts: [...this.cached.values()] };
  }

  /** One replay at a time: each holds every case's state in memory until it is done. */
  private replay(
    upTo: bigint,
    fold: (state: CaseState, event: CaseEvent) => CaseState,
    onProgress?: ReplayProgress,
  ): Promise<FactsAtPosition> {
    const run = this.replaying.catch(() => undefined).then(() => this.replayNow(upTo, fold, onProgress));
    this.replaying = run;
    return run;
  }

  private async replayNow(
    upTo: bigint,
    fold: (state: CaseState, event: CaseEvent) => CaseState,
    onProgress?: ReplayProgress,
  ): Promise<FactsAtPosition> {
    const states = new Map<string, CaseState>();
    let after = 0n;
    for (;;) {
      const batch = await this.store.readAll({ after, upTo, maxCount: REPLAY_BATCH });
      if (batch.length === 0) break;
      for (const recorded of batch) {
        const caseId = recorded.metadata.caseId;
        if (typeof caseId !== 'string' || recorded.metadata.orgId !== this.config.org.id) continue;
        const event = decodeCaseEvent(recorded);
        states.set(caseId, fold(states.get(caseId) ?? INITIAL_CASE_STATE, event));
      }
      after = batch[batch.length - 1].position;
      onProgress?.(after, upTo);
      // The embedded store reads synchronously: without this a replay of a long log would hold
      // every other request (and /health) until it finished.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const facts: CaseFacts[] = [];
    for (const state of states.values()) if (state.status !== 'none') facts.push(timelinessFacts(state));
    return { position: upTo, facts };
  }
}

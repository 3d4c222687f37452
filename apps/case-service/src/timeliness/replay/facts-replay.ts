import {
  TERMINAL_STATUSES,
  decodeCaseEvent,
  INITIAL_CASE_STATE,
  timelinessFacts,
  type CaseEvent,
  type CaseFacts,
  type CaseState,
} from '@cases/domain';
import type { EventStore, RecordedEvent } from '@cases/event-store';
import { TimeSlices } from './time-slices';

export type Fold = (state: CaseState, event: CaseEvent) => CaseState;

/** Reports how far a replay has read: `position` of `upTo`. */
export type ReplayProgress = (position: bigint, upTo: bigint) => void;

/** Events per read of the global log: one read is one slice at most. */
const BATCH = 1000;
/**
 * Case states a replay holds at once (docs/statistics.md, "Memory"). Past it, the state touched
 * longest ago is folded into facts and dropped; an event for it later folds it again from its own
 * stream. Cases in flight at one time number in the thousands at a district centre.
 */
const DEFAULT_MAX_STATES = 5_000;

export interface ReplayOptions {
  /** Exclusive: replay the log after this position (0n: from the start). */
  after: bigint;
  upTo: bigint;
  orgId: string;
  fold: Fold;
  /** The facts of every case at `after` (a snapshot), by case id; empty from the start. Replaced as cases change. */
  facts: Map<string, CaseFacts>;
  /**
   * The states of cases in flight at `after` (a snapshot's), by case id: an event for one of them is
   * folded onto its state rather than onto its stream folded again. On return it holds the states in
   * flight at `upTo` that the replay still held (at most `maxStates`), for a snapshot there. Without
   * it, every case that began before `after` is folded from its stream when the log touches it.
   */
  states?: Map<string, CaseState>;
  onProgress?: ReplayProgress;
  maxStates?: number;
}

/**
 * Replays a stretch of the global log into every case's timeliness facts with bounded memory: the
 * log is read in order, in slices that yield; a case's state is held only while it is in flight.
 * A case that ends (closed, rejected, withdrawn) is folded into its facts and its state dropped,
 * and so is the one touched longest ago once `maxStates` are held. When an event arrives for a case
 * whose state is not held (dropped, or the replay began at a snapshot after the case began and the
 * snapshot had no state for it), the case is folded again from its own stream up to that event: the
 * same state, from the same events.
 */
export async function replayFacts(store: EventStore, options: ReplayOptions): Promise<Map<string, CaseFacts>> {
  const { upTo, orgId, fold, facts, onProgress } = options;
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  /** In flight, least recently touched first (a Map keeps insertion order). */
  const states: Map<string, CaseState> = options.states ?? new Map();
  /** States from the snapshot no event has touched yet: their facts are the snapshot's already. */
  const untouched = new Set(states.keys());
  const slices = new TimeSlices();
  const settle = (caseId: string, state: CaseState): void => {
    if (state.status !== 'none' && !untouched.has(caseId)) facts.set(caseId, timelinessFacts(state));
  };
  for (let after = options.after; after < upTo;) {
    const batch = await store.readAll({ after, upTo, maxCount: BATCH });
    if (batch.length === 0) break;
    for (const recorded of batch) {
      const { caseId } = recorded.metadata;
      if (typeof caseId !== 'string' || recorded.metadata.orgId !== orgId) continue;
      let state = states.get(caseId);
      if (state === undefined) state = recorded.revision === 0n ? INITIAL_CASE_STATE : await foldPrefix(store, recorded, fold);
      else states.delete(caseId);
      untouched.delete(caseId);
      state = fold(state, decodeCaseEvent(recorded));
      if (state.status !== 'none' && TERMINAL_STATUSES.includes(state.status)) {
        settle(caseId, state);
        continue;
      }
      states.set(caseId, state);
      // A loop, not a test: a snapshot may bring more states than a replay may hold.
      while (states.size > maxStates) {
        const [oldestId, oldest] = states.entries().next().value as [string, CaseState];
        states.delete(oldestId);
        settle(oldestId, oldest);
        untouched.delete(oldestId);
      }
    }
    after = batch[batch.length - 1].position;
    onProgress?.(after, upTo);
    await slices.pause();
  }
  for (const [caseId, state] of states) settle(caseId, state);
  // Left for the caller to snapshot only when it asked for them.
  if (options.states === undefined) states.clear();
  onProgress?.(upTo, upTo);
  return facts;
}

/** The case's state just before `recorded`: its stream's earlier events folded again. */
async function foldPrefix(store: EventStore, recorded: RecordedEvent, fold: Fold): Promise<CaseState> {
  let state = INITIAL_CASE_STATE;
  for (const earlier of await store.readStream(recorded.streamId, { maxCount: Number(recorded.revision) })) {
    state = fold(state, decodeCaseEvent(earlier));
  }
  return state;
}

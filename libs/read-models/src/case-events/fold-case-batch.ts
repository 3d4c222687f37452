import { evolve, INITIAL_CASE_STATE, type OpenedCase } from '@cases/domain';
import type { RecordedCaseEvent } from './recorded-case-event';

/** A case as a projection last stored it: the domain's folded state and the stream revision it reflects. */
export interface StoredFold {
  state: OpenedCase;
  revision: bigint;
}

/** A case the batch changed. */
export interface FoldedCase extends StoredFold {
  /** The stored fold the batch started from, or null when the batch opened the case. */
  before: StoredFold | null;
  /** The last event folded in: its global position and envelope. */
  last: RecordedCaseEvent;
}

/**
 * Folds a batch into the cases it touches with the domain's own `evolve`, loading each case once
 * and keeping it in memory for the rest of the batch, so a rebuild parses and serialises a
 * case's state once per batch rather than once per event.
 *
 * An event at or below the revision a case already reflects is a redelivery and is skipped.
 * Returns only the cases that changed, in the order the batch first touched them; the caller
 * writes them back.
 */
export function foldCaseBatch(
  events: readonly RecordedCaseEvent[],
  load: (caseId: string) => StoredFold | undefined,
): Map<string, FoldedCase> {
  const loaded = new Map<string, StoredFold | null>();
  const changed = new Map<string, FoldedCase>();
  for (const recorded of events) {
    const folded = changed.get(recorded.caseId);
    let current: StoredFold | null | undefined = folded ?? loaded.get(recorded.caseId);
    if (current === undefined) {
      current = load(recorded.caseId) ?? null;
      loaded.set(recorded.caseId, current);
    }
    if (current !== null && recorded.revision <= current.revision) continue;

    // evolve opens a case on its intake event and throws on anything else, so the result is open.
    const state = evolve(current?.state ?? INITIAL_CASE_STATE, recorded.event) as OpenedCase;
    if (folded) {
      folded.state = state;
      folded.revision = recorded.revision;
      folded.last = recorded;
    } else {
      changed.set(recorded.caseId, { before: current, state, revision: recorded.revision, last: recorded });
    }
  }
  return changed;
}

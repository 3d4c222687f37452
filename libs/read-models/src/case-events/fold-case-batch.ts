import { evolve, INITIAL_CASE_STATE, type OpenedCase } from '@cases/domain';
import type { RecordedCaseEvent } from './recorded-case-event';

/** A case as a projection last stored it: the domain's folded state and the stream revision it reflects. */
export interface StoredFold {
  state: OpenedCase;
  revision: bigint;
}

/** A case the batch changed. */
export interface FoldedCase {
  /** The stored fold the batch started from, or null when the batch opened the case. */
  before: StoredFold | null;
  state: OpenedCase;
  revision: bigint;
  /** The last event folded in: its global position and envelope. */
  last: RecordedCaseEvent;
}

/**
 * Folds a batch into the cases it touches with the domain's own `evolve`, loading each case once
 * and keeping it in memory for the rest of the batch, so a rebuild parses and serialises a
 * case's state once per batch rather than once per event.
 *
 * An event at or below the revision a case already reflects is a redelivery and is skipped.
 * Returns only the cases that changed; the caller writes them back.
 */
export function foldCaseBatch(
  events: readonly RecordedCaseEvent[],
  load: (caseId: string) => StoredFold | undefined,
): Map<string, FoldedCase> {
  const current = new Map<string, StoredFold | null>();
  const changed = new Map<string, FoldedCase>();
  for (const recorded of events) {
    let fold = current.get(recorded.caseId);
    if (fold === undefined) {
      fold = load(recorded.caseId) ?? null;
      current.set(recorded.caseId, fold);
    }
    if (fold !== null && recorded.revision <= fold.revision) continue;

    // evolve opens a case on its intake event and throws on anything else, so the result is open.
    const state = evolve(fold?.state ?? INITIAL_CASE_STATE, recorded.event) as OpenedCase;
    const earlierChange = changed.get(recorded.caseId);
    current.set(recorded.caseId, { state, revision: recorded.revision });
    changed.set(recorded.caseId, {
      before: earlierChange ? earlierChange.before : fold,
      state,
      revision: recorded.revision,
      last: recorded,
    });
  }
  return changed;
}

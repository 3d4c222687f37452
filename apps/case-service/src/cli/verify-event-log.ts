import { decodeCaseEvent, evolve, INITIAL_CASE_STATE, isCaseStream, type CaseState } from '@cases/domain';
import type { HashChainedEventStore } from '@cases/event-store';

export interface LogVerification {
  events: number;
  streams: number;
  cases: number;
  head: bigint;
  problems: string[];
}

const BATCH = 5000;

/**
 * Checks the hash chain of every stream (tampering), then reads the whole global log once and
 * checks what the service relies on: positions strictly
 * increase, every stream's revisions run 0, 1, 2… without a gap, every case event decodes
 * (upcasting included) and every case stream folds through the domain without error, and
 * case numbers are unique.
 */
export async function verifyEventLog(
  store: HashChainedEventStore,
  onProgress?: (processed: number, head: bigint) => void,
): Promise<LogVerification> {
  const head = await store.headPosition();
  const nextRevision = new Map<string, bigint>();
  const caseStates = new Map<string, CaseState>();
  const numbers = new Map<string, string>();
  const problems: string[] = [];
  let previousPosition = 0n;
  let events = 0;
  for (;;) {
    const batch = await store.readAll({ after: previousPosition, maxCount: BATCH, upTo: head });
    if (batch.length === 0) break;
    for (const event of batch) {
      events++;
      if (event.position <= previousPosition) problems.push(`position ${event.position} does not follow ${previousPosition}`);
      previousPosition = event.position;
      const expected = nextRevision.get(event.streamId) ?? 0n;
      if (event.revision !== expected) {
        problems.push(`stream ${event.streamId}: revision ${event.revision} where ${expected} was expected`);
      }
      nextRevision.set(event.streamId, event.revision + 1n);
      if (!isCaseStream(event.streamId)) continue;
      try {
        const decoded = decodeCaseEvent(event);
        const state = evolve(caseStates.get(event.streamId) ?? INITIAL_CASE_STATE, decoded);
        caseStates.set(event.streamId, state);
        if (event.revision === 0n && state.status !== 'none') {
          const owner = numbers.get(state.number);
          if (owner !== undefined) problems.push(`case number ${state.number} is used by ${owner} and ${event.streamId}`);
          numbers.set(state.number, event.streamId);
        }
      } catch (error) {
        problems.push(
          `stream ${event.streamId} revision ${event.revision} (${event.type}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    onProgress?.(events, head);
  }
  const chain = await store.verifyChain();
  return { events, streams: nextRevision.size, cases: caseStates.size, head, problems: [...chain.problems, ...problems] };
}

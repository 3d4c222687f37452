import { evolve, INITIAL_CASE_STATE, timelinessFacts, type CaseFacts, type CaseState } from '@cases/domain';
import type { LoggedEvent } from './reference-calculator';

/**
 * The service's side of a comparison: each case folded with the domain's `evolve` and turned into
 * the timeliness facts the read model stores, through the same JSON round trip.
 */
export function serviceFacts(log: readonly LoggedEvent[]): CaseFacts[] {
  const states = new Map<string, CaseState>();
  for (const { caseId, event } of log) states.set(caseId, evolve(states.get(caseId) ?? INITIAL_CASE_STATE, event));
  const facts: CaseFacts[] = [];
  for (const state of states.values()) {
    if (state.status !== 'none') facts.push(JSON.parse(JSON.stringify(timelinessFacts(state))) as CaseFacts);
  }
  return facts;
}

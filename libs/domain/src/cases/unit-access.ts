import type { OpenedCase } from './case.state';

/**
 * A handling unit sees the cases dispatched to it, now or before (docs/security.md): the unit
 * holding the case, and every unit that held one of its deadline episodes. Any other case is, for
 * that unit, a case that does not exist.
 */
export function unitMaySee(state: OpenedCase, unit: string): boolean {
  if (state.unit === unit) return true;
  return state.deadlines.some((deadline) =>
    [deadline, ...deadline.earlierEpisodes].some((episode) => episode.custody.some((change) => change.unit === unit)),
  );
}

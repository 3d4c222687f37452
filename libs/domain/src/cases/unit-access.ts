import type { OpenedCase } from './case.state';

/**
 * A handling unit sees the cases dispatched to it, now or before (docs/security.md): the unit
 * holding the case, and every unit that held one of its deadline episodes. Any other case is, for
 * that unit, a case that does not exist.
 */
export function unitMaySee(state: OpenedCase, unit: string): boolean {
  return unitsThatMaySee(state).includes(unit);
}

/**
 * Every unit that may see the case (`unitMaySee`): the one holding it now first, then the others
 * in the order they first held it. The case read model stores them, so a unit's list holds the
 * cases it held before as well as those it holds now.
 */
export function unitsThatMaySee(state: OpenedCase): string[] {
  const units = new Set<string>(state.unit === undefined ? [] : [state.unit]);
  for (const deadline of state.deadlines) {
    for (const episode of [...deadline.earlierEpisodes, deadline])
      for (const change of episode.custody) if (change.unit !== undefined) units.add(change.unit);
  }
  return [...units];
}

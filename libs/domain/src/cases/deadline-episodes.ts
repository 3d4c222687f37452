import type { DeadlineSet } from './case.events';
import type { DeadlineEpisode, DeadlineState, EpisodeEnd } from './case.state';
import type { Milestone } from './case.types';

/**
 * How events fold into a case's `deadlines`: one entry per milestone, its current episode plus the
 * earlier ones. The counting rules these episodes serve are in docs/timeliness-rules.md.
 *
 * - A `DeadlineSet` that starts or restarts a clock opens a new episode; the current one, if still
 *   running, ends there ('restart') and is kept.
 * - An extension moves the running episode's deadline when approved before that deadline passed.
 *   Approved after it, it comes too late to undo the miss: the episode ends missed
 *   ('late-extension') and the extended deadline is a new episode.
 * - A return (退单) ends the running `sign` and `resolve` episodes: the unit handed the ticket back,
 *   and the next dispatch restarts both. Other running episodes (a petition's reply, a dispute's
 *   mediation) go on, with no unit holding the case until the next dispatch.
 * - A reopen ends a running `callback` episode: the resolution it would have called back about is
 *   withdrawn, and the next resolution starts a new one.
 * - A withdrawal (撤单) ends every running episode: nobody owes the ticket anything any more.
 * - A reaching event reaches the running episode only: the first reach counts.
 */

/** The milestones a return ends: the next dispatch starts them again for the unit it goes to. */
const ENDED_BY_RETURN: readonly Milestone[] = ['sign', 'resolve'];

export function isRunning(episode: DeadlineEpisode): boolean {
  return episode.reachedAt === undefined && episode.endedAt === undefined;
}

/** Marks the milestone's running episode reached at `at`; a reached or ended episode is left as it is. */
export function reach(deadlines: readonly DeadlineState[], milestone: Milestone, at: string): DeadlineState[] {
  return updateDeadline(deadlines, milestone, (deadline) => (isRunning(deadline) ? { ...deadline, reachedAt: at } : deadline));
}

/**
 * Folds a `DeadlineSet` recorded at business time `at`, while `unit` holds the case (the case's unit
 * once the events before it in the same command are folded: a dispatch's unit for the deadlines
 * the dispatch starts).
 */
export function setDeadline(
  deadlines: readonly DeadlineState[],
  set: DeadlineSet['data'],
  at: string,
  unit: string | undefined,
): DeadlineState[] {
  const current = deadlines.find((deadline) => deadline.milestone === set.milestone);
  if (current === undefined) {
    const first: DeadlineState = {
      milestone: set.milestone,
      version: set.version,
      extensionsApproved: set.cause === 'extended' ? 1 : 0,
      earlierEpisodes: [],
      ...freshEpisode(1, set.startedAt, set.dueAt, set.provisional, unit),
    };
    return [...deadlines, first];
  }
  const next = set.cause === 'extended' ? extended(current, set, at, unit) : restarted(current, set, unit);
  return deadlines.map((deadline) => (deadline === current ? next : deadline));
}

function extended(current: DeadlineState, set: DeadlineSet['data'], at: string, unit: string | undefined): DeadlineState {
  const counted = { ...current, version: set.version, extensionsApproved: current.extensionsApproved + 1 };
  // An extension moves a running deadline later; anything else leaves the episodes as they are.
  if (!isRunning(current) || Date.parse(set.dueAt) <= Date.parse(current.dueAt)) return counted;
  if (Date.parse(at) <= Date.parse(current.dueAt)) {
    return { ...counted, dueAt: set.dueAt, provisional: set.provisional };
  }
  return {
    milestone: current.milestone,
    version: set.version,
    extensionsApproved: counted.extensionsApproved,
    earlierEpisodes: [...current.earlierEpisodes, ended(current, at, 'late-extension')],
    ...freshEpisode(current.episode + 1, at, set.dueAt, set.provisional, unit),
  };
}

function restarted(current: DeadlineState, set: DeadlineSet['data'], unit: string | undefined): DeadlineState {
  const previous = isRunning(current) ? ended(current, set.startedAt, 'restart') : episodeOf(current);
  // Unreached and not warned about: the scheduler's warned/missed versions belong to the episodes before.
  return {
    milestone: current.milestone,
    version: set.version,
    extensionsApproved: current.extensionsApproved,
    earlierEpisodes: [...current.earlierEpisodes, previous],
    ...freshEpisode(current.episode + 1, set.startedAt, set.dueAt, set.provisional, unit),
  };
}

/** A dispatch hands the case to `unit`: every running episode records it. */
export function dispatchedTo(deadlines: readonly DeadlineState[], unit: string, at: string): DeadlineState[] {
  return deadlines.map((deadline) =>
    isRunning(deadline) ? { ...deadline, custody: [...deadline.custody, { from: at, unit }] } : deadline,
  );
}

/** A return ends the running sign and resolve episodes; other running episodes go on with no unit. */
export function returned(deadlines: readonly DeadlineState[], at: string): DeadlineState[] {
  return deadlines.map((deadline) => {
    if (!isRunning(deadline)) return deadline;
    if (ENDED_BY_RETURN.includes(deadline.milestone)) return { ...deadline, endedAt: at, endedBy: 'return' };
    return { ...deadline, custody: [...deadline.custody, { from: at }] };
  });
}

/** A reopen withdraws the resolution: a call-back still owed for it is no longer owed. */
export function reopened(deadlines: readonly DeadlineState[], at: string): DeadlineState[] {
  return updateDeadline(deadlines, 'callback', (deadline) =>
    isRunning(deadline) ? { ...deadline, endedAt: at, endedBy: 'reopen' } : deadline,
  );
}

/** The platform withdrew the ticket: every running episode ends, a miss already past its deadline stays late. */
export function withdrawn(deadlines: readonly DeadlineState[], at: string): DeadlineState[] {
  return deadlines.map((deadline) => (isRunning(deadline) ? { ...deadline, endedAt: at, endedBy: 'withdrawal' } : deadline));
}

export function updateDeadline(
  deadlines: readonly DeadlineState[],
  milestone: Milestone,
  update: (deadline: DeadlineState) => DeadlineState,
): DeadlineState[] {
  return deadlines.map((deadline) => (deadline.milestone === milestone ? update(deadline) : deadline));
}

/** Every episode of the milestone, oldest first, the current one last. */
export function episodesOf(deadline: DeadlineState): DeadlineEpisode[] {
  return [...deadline.earlierEpisodes, episodeOf(deadline)];
}

function freshEpisode(episode: number, startedAt: string, dueAt: string, provisional: boolean, unit: string | undefined): DeadlineEpisode {
  return { episode, startedAt, dueAt, provisional, custody: [unit === undefined ? { from: startedAt } : { from: startedAt, unit }] };
}

function ended(deadline: DeadlineState, at: string, by: EpisodeEnd): DeadlineEpisode {
  return { ...episodeOf(deadline), endedAt: at, endedBy: by };
}

/** The episode fields of a milestone's entry, without the milestone-wide ones. */
function episodeOf(deadline: DeadlineState): DeadlineEpisode {
  const { episode, startedAt, dueAt, provisional, reachedAt, endedAt, endedBy, custody } = deadline;
  return {
    episode,
    startedAt,
    dueAt,
    provisional,
    custody,
    ...(reachedAt !== undefined && { reachedAt }),
    ...(endedAt !== undefined && { endedAt }),
    ...(endedBy !== undefined && { endedBy }),
  };
}

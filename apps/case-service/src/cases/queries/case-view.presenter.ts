import type { DeadlineEpisode, DeadlineState, OpenedCase } from '@cases/domain';

export type DeadlineStatus = 'pending' | 'met' | 'late' | 'overdue';

/** pending: open and not yet due; met/late: reached at-or-before / after the deadline; overdue: open and past due. */
export function deadlineStatus(deadline: Pick<DeadlineState, 'dueAt' | 'reachedAt'>, now: Date): DeadlineStatus {
  const due = Date.parse(deadline.dueAt);
  if (deadline.reachedAt !== undefined) return Date.parse(deadline.reachedAt) <= due ? 'met' : 'late';
  return now.getTime() > due ? 'overdue' : 'pending';
}

export function presentDeadline(deadline: DeadlineState, now: Date) {
  // Ended unreached (a return, a reopen, a withdrawal): no longer running, so never overdue from then on.
  const { reachedAt, endedAt } = deadline;
  const state = reachedAt === undefined && endedAt !== undefined ? endedState({ ...deadline, endedAt }) : deadlineStatus(deadline, now);
  const remainingMs = Date.parse(deadline.dueAt) - now.getTime();
  return {
    milestone: deadline.milestone,
    dueAt: deadline.dueAt,
    ...(deadline.reachedAt !== undefined ? { reachedAt: deadline.reachedAt } : {}),
    state,
    version: deadline.version,
    ...(deadline.provisional ? { provisional: true } : {}),
    ...(state === 'pending' ? { remainingHours: Math.round(remainingMs / 36_000) / 100 } : {}),
    ...(state === 'overdue' ? { overdueHours: Math.round(-remainingMs / 36_000) / 100 } : {}),
  };
}

/**
 * Every episode of every milestone's deadline (docs/timeliness-rules.md), oldest first per
 * milestone, so a desk officer sees why a ticket counts more than once: a reopen or a re-dispatch
 * starts a new episode, and each counts. `superseded`: a restart ended it before its deadline, so
 * it never counts.
 */
export function presentEpisodes(deadlines: readonly DeadlineState[], now: Date) {
  return deadlines.flatMap((deadline) =>
    [...deadline.earlierEpisodes, deadline].map((episode) => ({ milestone: deadline.milestone, ...presentEpisode(episode, now) })),
  );
}

/** An episode a step ended before it was reached: late when its deadline had passed by then, otherwise it never counts. */
function endedState(episode: DeadlineEpisode & { endedAt: string }): 'late' | 'superseded' {
  return Date.parse(episode.endedAt) > Date.parse(episode.dueAt) ? 'late' : 'superseded';
}

function presentEpisode(episode: DeadlineEpisode, now: Date) {
  const { reachedAt, endedAt, endedBy } = episode;
  const endedUnreached = reachedAt === undefined && endedAt !== undefined;
  const state = endedUnreached ? endedState({ ...episode, endedAt }) : deadlineStatus(episode, now);
  return {
    episode: episode.episode,
    startedAt: episode.startedAt,
    dueAt: episode.dueAt,
    ...(reachedAt !== undefined ? { reachedAt } : {}),
    ...(endedAt !== undefined ? { endedAt, endedBy } : {}),
    state,
  };
}

/** The SPEC §6 case view: the folded state, its deadlines judged at `now`, and masked personal data. */
export function presentCase(state: OpenedCase, revision: bigint, now: Date, personal: unknown) {
  const {
    id,
    number,
    kind,
    status,
    title,
    community,
    unit,
    deadlines,
    eventCount: _eventCount,
    lastCommandAt: _lastCommandAt,
    ...rest
  } = state;
  return {
    id,
    number,
    kind,
    status,
    title,
    community,
    ...(unit !== undefined ? { unit } : {}),
    revision,
    ...rest,
    deadlines: deadlines.map((deadline) => presentDeadline(deadline, now)),
    episodes: presentEpisodes(deadlines, now),
    personal,
  };
}

import type { DeadlineState, OpenedCase } from '@cases/domain';

export type DeadlineStatus = 'pending' | 'met' | 'late' | 'overdue';

/** pending: open and not yet due; met/late: reached at-or-before / after the deadline; overdue: open and past due. */
export function deadlineStatus(deadline: DeadlineState, now: Date): DeadlineStatus {
  const due = Date.parse(deadline.dueAt);
  if (deadline.reachedAt !== undefined) return Date.parse(deadline.reachedAt) <= due ? 'met' : 'late';
  return now.getTime() > due ? 'overdue' : 'pending';
}

export function presentDeadline(deadline: DeadlineState, now: Date) {
  const state = deadlineStatus(deadline, now);
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

/** The SPEC §6 case view: the folded state, its deadlines judged at `now`, and masked personal data. */
export function presentCase(state: OpenedCase, revision: bigint, now: Date, personal: unknown) {
  const { id, number, kind, status, title, community, unit, deadlines, eventCount: _eventCount, lastCommandAt: _lastCommandAt, ...rest } = state;
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
    personal,
  };
}

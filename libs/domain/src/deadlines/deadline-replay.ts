import type { CaseEvent, DeadlineSet } from '../cases/case.events';
import { evolve } from '../cases/case.evolve';
import type { CaseState, OpenedCase } from '../cases/case.state';
import type { DeadlinePolicy } from './deadline-policy';

/**
 * Re-reads a case's history under another deadline policy ("what would our 按期办结率 have been
 * with 3-day limits?"). Every recorded deadline is computed again by `policy` from the same
 * starting instant (and, for an extension, from the re-computed deadline it extends), so the
 * case reaches its milestones at the same times but against the alternative deadlines. The
 * scheduler's warnings and misses belong to the real policy and are dropped.
 *
 * An extension the alternative policy would not allow that long is granted at its maximum; one
 * it would not allow at all leaves the deadline where it was. The fold then builds the episodes as
 * for the live figures (docs/timeliness-rules.md): whether an extension came before or after the
 * deadline it extends is judged against the recomputed deadline.
 */
export function replayUnderPolicy(policy: DeadlinePolicy) {
  return (state: CaseState, event: CaseEvent): CaseState => {
    if (event.type === 'DeadlineWarningIssued' || event.type === 'DeadlineMissed') return state;
    if (event.type !== 'DeadlineSet' || state.status === 'none') return evolve(state, event);
    return evolve(state, { ...event, data: { ...event.data, ...recomputed(policy, state, event) } });
  };
}

function recomputed(policy: DeadlinePolicy, state: OpenedCase, event: DeadlineSet): Pick<DeadlineSet['data'], 'dueAt' | 'provisional'> {
  const { milestone, startedAt, cause } = event.data;
  if (cause !== 'extended') {
    // As the decider does: the platform's deadline binds the resolve deadline a dispatch starts,
    // not the fresh one a reopen (重办) starts.
    const platformDeadline = milestone === 'resolve' && state.status === 'dispatched' ? state.platformDeadline : undefined;
    const computed = policy.milestoneDeadline({
      kind: state.kind,
      urgency: state.urgency,
      milestone,
      from: new Date(startedAt),
      ...(platformDeadline !== undefined && { platformDeadline: new Date(platformDeadline) }),
    });
    return { dueAt: computed.dueAt.toISOString(), provisional: computed.provisional };
  }
  const current = state.deadlines.find((deadline) => deadline.milestone === milestone);
  const approved = [...state.extensions].reverse().find((extension) => extension.milestone === milestone && extension.decision?.approved);
  const maxDays = policy.maxExtensionDays(state.kind, milestone);
  if (!current || !approved || maxDays === null || maxDays < 1) {
    return current
      ? { dueAt: current.dueAt, provisional: current.provisional }
      : { dueAt: event.data.dueAt, provisional: event.data.provisional };
  }
  const extended = policy.extendedDeadline({
    kind: state.kind,
    urgency: state.urgency,
    milestone,
    dueAt: new Date(current.dueAt),
    days: Math.min(approved.days, maxDays),
  });
  return { dueAt: extended.dueAt.toISOString(), provisional: extended.provisional };
}

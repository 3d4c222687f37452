import type { Actor } from '../shared/actor';
import type { DeadlineMissed, DeadlineWarningIssued } from '../cases/case.events';
import type { CaseState } from '../cases/case.state';
import { TERMINAL_STATUSES } from '../cases/case.types';
import type { DeadlinePolicy } from './deadline-policy';

/** The scheduler is an actor of its own in the history: who warned, and when. */
export const SCHEDULER_ACTOR: Actor = { id: 'deadline-scheduler', role: 'system' };

export type DeadlineAlert = DeadlineWarningIssued | DeadlineMissed;

/**
 * The warnings (预警) and misses a case is owed at `now`, each at most once per milestone and
 * deadline version (the state remembers what was recorded). Each carries its true time as
 * `occurredAt` — the warning instant or the deadline itself — so an alert recorded late, after
 * the service was down, still tells when the threshold was crossed. A warning whose deadline has
 * already passed is not issued: the miss says more.
 */
export function dueDeadlineAlerts(state: CaseState, now: Date, policy: DeadlinePolicy): DeadlineAlert[] {
  if (state.status === 'none' || TERMINAL_STATUSES.includes(state.status)) return [];
  const alerts: DeadlineAlert[] = [];
  for (const deadline of state.deadlines) {
    // Reached, or ended by a step (a return, a reopen): nothing is owed on it any more.
    if (deadline.reachedAt !== undefined || deadline.endedAt !== undefined) continue;
    const dueAt = new Date(deadline.dueAt);
    const data = { milestone: deadline.milestone, version: deadline.version, dueAt: deadline.dueAt };
    if (now.getTime() >= dueAt.getTime()) {
      if ((deadline.missedVersion ?? 0) < deadline.version) {
        alerts.push({ type: 'DeadlineMissed', data, occurredAt: deadline.dueAt, actor: SCHEDULER_ACTOR });
      }
      continue;
    }
    const warningAt = policy.warningAt(new Date(deadline.startedAt), dueAt);
    if (now.getTime() >= warningAt.getTime() && (deadline.warnedVersion ?? 0) < deadline.version) {
      alerts.push({ type: 'DeadlineWarningIssued', data, occurredAt: warningAt.toISOString(), actor: SCHEDULER_ACTOR });
    }
  }
  return alerts;
}

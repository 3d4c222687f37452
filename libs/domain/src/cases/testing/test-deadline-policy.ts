import type { DeadlinePolicy, DeadlineWindow } from '../../deadlines/deadline-policy';
import type { CaseKind, Milestone } from '../case.types';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deadlines after this year are flagged provisional, as if the calendar had no later data. */
export const TEST_LAST_CALENDAR_YEAR = 2026;

/**
 * Calendar days only, no business calendar: decider specs check which deadline is asked for and
 * from when, not how working time is counted. Numbers echo SPEC §3 where it uses days.
 */
const MILESTONE_DAYS: Record<CaseKind, Partial<Record<Milestone, number>>> = {
  petition: { acceptance: 15, reply: 60, reexamination: 30 },
  hotline: { sign: 1, resolve: 5, callback: 2 },
  dispute: { mediation: 30 },
};
const URGENT_HOTLINE_DAYS: Partial<Record<Milestone, number>> = { sign: 1, resolve: 1 };

/** Disputes have no return window, so a dispute may be returned at any time. */
const WINDOW_DAYS: Record<CaseKind, Partial<Record<DeadlineWindow, number>>> = {
  petition: { return: 5, 'reexamination-request': 30 },
  hotline: { return: 2 },
  dispute: { 'judicial-confirmation': 30 },
};

const EXTENSIONS: Record<CaseKind, { milestone: Milestone; maxDays: number | null; maxCount: number }> = {
  petition: { milestone: 'reply', maxDays: 30, maxCount: 1 },
  hotline: { milestone: 'resolve', maxDays: 10, maxCount: 1 },
  dispute: { milestone: 'mediation', maxDays: null, maxCount: 0 },
};

function addDays(from: Date, days: number) {
  const dueAt = new Date(from.getTime() + days * DAY_MS);
  return { dueAt, provisional: dueAt.getUTCFullYear() > TEST_LAST_CALENDAR_YEAR };
}

/** A deterministic policy for specs; `overrides` replaces single rules to reach edge cases. */
export function createTestDeadlinePolicy(overrides: Partial<DeadlinePolicy> = {}): DeadlinePolicy {
  const policy: DeadlinePolicy = {
    extendableMilestone: (kind) => EXTENSIONS[kind].milestone,
    milestoneDeadline: ({ kind, urgency, milestone, from, platformDeadline }) => {
      if (kind === 'hotline' && milestone === 'resolve' && platformDeadline !== undefined) {
        return { dueAt: platformDeadline, provisional: false };
      }
      const days =
        (kind === 'hotline' && urgency === 'urgent' ? URGENT_HOTLINE_DAYS[milestone] : undefined) ?? MILESTONE_DAYS[kind][milestone];
      if (days === undefined) {
        throw new Error(`The test policy has no ${milestone} deadline for ${kind} cases`);
      }
      return addDays(from, days);
    },
    maxExtensionDays: (kind) => EXTENSIONS[kind].maxDays,
    maxExtensions: (kind) => EXTENSIONS[kind].maxCount,
    extendedDeadline: ({ dueAt, days }) => addDays(dueAt, days),
    windowEnd: (kind, _urgency, window, from) => {
      const days = WINDOW_DAYS[kind][window];
      return days === undefined ? null : addDays(from, days).dueAt;
    },
    warningAt: (startedAt, dueAt) => new Date(startedAt.getTime() + 0.75 * (dueAt.getTime() - startedAt.getTime())),
  };
  return { ...policy, ...overrides };
}

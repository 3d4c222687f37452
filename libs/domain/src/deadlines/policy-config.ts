import type { CaseKind, Milestone } from '../cases/case.types';
import type { DeadlineWindow } from './deadline-policy';

/**
 * How a limit is counted. The statutes write "N 日" (calendar days) and "N 个工作日" (working
 * days); the policy keeps that distinction per limit (SPEC §3).
 */
export const DEADLINE_LIMIT_UNITS = ['calendar-days', 'working-days', 'working-hours', 'same-working-day'] as const;
export type DeadlineLimitUnit = (typeof DEADLINE_LIMIT_UNITS)[number];

/**
 * - `calendar-days`: the same wall-clock instant `amount` days later (optionally moved off a
 *   holiday, see `calendarDayDeadlineMovesToNextWorkingDay`).
 * - `working-days`: the end of office hours of the `amount`-th working day after the start day.
 * - `working-hours`: `amount` hours of office time (fractions allowed: 0.5 is 30 minutes).
 * - `same-working-day`: the end of office hours of the start day, or of the next working day
 *   when the start is after hours or on a day off.
 */
export type DeadlineLimit =
  { readonly amount: number; readonly unit: Exclude<DeadlineLimitUnit, 'same-working-day'> } | { readonly unit: 'same-working-day' };

export const EXTENSION_UNITS = ['calendar-days', 'working-days'] as const;
export type ExtensionUnit = (typeof EXTENSION_UNITS)[number];

/**
 * How far an approved extension (延期) may move a milestone. It carries its own unit because the
 * limit's unit does not always fit (an urgent hotline ticket is due the same working day, but is
 * extended by working days).
 */
export interface ExtensionRule {
  /** Largest length one extension may ask for, in `unit`. */
  readonly maxAmount: number;
  /** How many extensions the milestone may have in total. */
  readonly maxCount: number;
  readonly unit: ExtensionUnit;
}

export interface MilestoneRule {
  /** Which event starts the clock. Documentation for the operator only: the domain decides. */
  readonly countedFrom: string;
  readonly limit: DeadlineLimit;
  readonly extension?: ExtensionRule;
  /** When the 12345 platform sends its own deadline with the ticket, that deadline replaces this limit. */
  readonly platformDeadlineOverrides?: boolean;
}

/** A window limits when an action is allowed (return, asking for re-examination, …); it is never overdue. */
export interface WindowRule {
  /** Which event opens the window. Documentation for the operator only: the domain decides. */
  readonly countedFrom: string;
  readonly limit: DeadlineLimit;
}

/** The rules of a kind at normal urgency, keyed by milestone or window name. */
export type NormalUrgencyRules = { readonly [M in Milestone]?: MilestoneRule } & {
  readonly [W in DeadlineWindow]?: WindowRule;
};

/**
 * What urgency 'urgent' changes: only limits. Everything else (which milestones exist, where
 * they count from, extensions) is the normal rule's, because the policy interface asks about
 * extensions per kind, not per urgency.
 */
export type UrgentOverrides = { readonly [Name in Milestone | DeadlineWindow]?: { readonly limit: DeadlineLimit } };

export interface KindPolicyConfig {
  readonly normal: NormalUrgencyRules;
  readonly urgent?: UrgentOverrides;
}

export const DEFAULT_WARNING_SHARE = 0.75;

export type PolicyConfig = { readonly [K in CaseKind]: KindPolicyConfig } & {
  /** Share of the time from start to deadline after which a warning (预警) goes out; default 0.75. */
  readonly warningShare: number;
  /**
   * Whether a calendar-day deadline that falls on a day off moves to the same time on the next
   * working day (the Civil Code's Art. 203 rule). Default false: the statutes' "N 日" run on.
   */
  readonly calendarDayDeadlineMovesToNextWorkingDay: boolean;
};

/** The milestones each kind has; a policy must give a deadline for each (SPEC §3). */
export const DEADLINE_MILESTONES_BY_KIND: Readonly<Record<CaseKind, readonly Milestone[]>> = Object.freeze({
  petition: Object.freeze(['acceptance', 'reply', 'reexamination'] as const),
  hotline: Object.freeze(['sign', 'resolve', 'callback'] as const),
  dispute: Object.freeze(['mediation'] as const),
});

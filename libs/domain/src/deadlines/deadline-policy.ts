import type { CaseKind, Milestone, Urgency } from '../cases/case.types';

/** A time window during which an action is allowed (SPEC §3); windows are never overdue. */
export type DeadlineWindow = 'return' | 'reexamination-request' | 'judicial-confirmation';

export interface ComputedDeadline {
  dueAt: Date;
  /** True when the deadline falls past the last year the business calendar has published data for. */
  provisional: boolean;
}

export interface MilestoneDeadlineRequest {
  kind: CaseKind;
  urgency: Urgency;
  milestone: Milestone;
  /** The instant the counted-from event happened (its `occurredAt`). */
  from: Date;
  /** The 12345 platform's own deadline for a hotline ticket, which overrides the policy's resolve limit. */
  platformDeadline?: Date;
}

export interface ExtensionRequest {
  kind: CaseKind;
  urgency: Urgency;
  milestone: Milestone;
  /** The deadline being extended (its current version). */
  dueAt: Date;
  /** Length asked for, in the extension's unit for this kind (calendar days for petitions, working days for hotline). */
  days: number;
}

/**
 * Deadline rules, per kind and urgency, from configuration. The domain asks; it never knows a
 * number of days. Implementations must be pure (the business calendar is data, not I/O).
 */
export interface DeadlinePolicy {
  /** Which milestone an extension of this kind moves (petition: reply, hotline: resolve, dispute: mediation). */
  extendableMilestone(kind: CaseKind): Milestone | null;
  milestoneDeadline(request: MilestoneDeadlineRequest): ComputedDeadline;
  /** Largest `days` one extension may ask for; null when the kind allows no extension. */
  maxExtensionDays(kind: CaseKind, milestone: Milestone): number | null;
  /** How many extensions a milestone may have in total. */
  maxExtensions(kind: CaseKind, milestone: Milestone): number;
  extendedDeadline(request: ExtensionRequest): ComputedDeadline;
  /** End of a window opened at `from`; null when the kind has no such window (the action is then always allowed). */
  windowEnd(kind: CaseKind, urgency: Urgency, window: DeadlineWindow, from: Date): Date | null;
  /** When the warning (预警) for a deadline is due: a configured share of the time from start to deadline. */
  warningAt(startedAt: Date, dueAt: Date): Date;
}

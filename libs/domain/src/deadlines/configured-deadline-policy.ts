import { createBusinessCalendar, type BusinessCalendar } from '../calendar/business-calendar';
import type { CaseKind, Milestone, Urgency } from '../cases/case.types';
import { DomainError } from '../shared/errors';
import { DEFAULT_POLICY_CONFIG } from './default-policy-config';
import type { ComputedDeadline, DeadlinePolicy, DeadlineWindow, ExtensionRequest, MilestoneDeadlineRequest } from './deadline-policy';
import { parsePolicyConfig } from './parse-policy-config';
import {
  DEADLINE_MILESTONES_BY_KIND,
  type DeadlineLimit,
  type ExtensionRule,
  type MilestoneRule,
  type PolicyConfig,
  type WindowRule,
} from './policy-config';

/**
 * The deadline policy of SPEC §3, read from a `PolicyConfig` and counted on a `BusinessCalendar`.
 *
 * - Calendar-day limits end at the same wall-clock instant N days later (registered 10:15 on
 *   1 March with 15 days: due 10:15 on 16 March), so the citizen gets exactly N whole days.
 *   With `calendarDayDeadlineMovesToNextWorkingDay`, a due day that is not a working day moves
 *   to the same time on the next working day.
 * - Working-day limits end when office hours end on the Nth working day after the start day.
 * - A deadline is provisional when it falls in a year without published holiday data.
 */
export class ConfiguredDeadlinePolicy implements DeadlinePolicy {
  readonly config: PolicyConfig;

  constructor(
    config: PolicyConfig,
    private readonly calendar: BusinessCalendar,
  ) {
    // Re-validated so that a hand-built configuration gets the same guarantees as a parsed file.
    this.config = parsePolicyConfig(config);
  }

  extendableMilestone(kind: CaseKind): Milestone | null {
    return DEADLINE_MILESTONES_BY_KIND[kind].find((milestone) => this.extensionRule(kind, milestone)) ?? null;
  }

  milestoneDeadline(request: MilestoneDeadlineRequest): ComputedDeadline {
    const rule = this.milestoneRule(request.kind, request.milestone);
    if (request.platformDeadline && rule.platformDeadlineOverrides) {
      // The platform computed this instant on its own calendar; ours being incomplete for that
      // year does not make it any less final.
      return { dueAt: request.platformDeadline, provisional: false };
    }
    const limit = this.urgentLimit(request.kind, request.urgency, request.milestone) ?? rule.limit;
    return this.computed(this.limitEnd(request.from, limit));
  }

  maxExtensionDays(kind: CaseKind, milestone: Milestone): number | null {
    return this.extensionRule(kind, milestone)?.maxAmount ?? null;
  }

  maxExtensions(kind: CaseKind, milestone: Milestone): number {
    return this.extensionRule(kind, milestone)?.maxCount ?? 0;
  }

  /**
   * Moves the deadline by `days` in the extension's unit: calendar days keep the time of day,
   * working days end when office hours end on the Nth working day after the current due day.
   */
  extendedDeadline(request: ExtensionRequest): ComputedDeadline {
    const extension = this.extensionRule(request.kind, request.milestone);
    if (!extension) {
      throw new DomainError('CASE.INVALID_COMMAND', `A ${request.kind} case's ${request.milestone} cannot be extended`, {
        kind: request.kind,
        milestone: request.milestone,
      });
    }
    if (!Number.isInteger(request.days) || request.days < 1 || request.days > extension.maxAmount) {
      throw new DomainError(
        'CASE.INVALID_COMMAND',
        `An extension of a ${request.kind} case's ${request.milestone} is 1 to ${extension.maxAmount} ${extension.unit}, not ${request.days}`,
        { kind: request.kind, milestone: request.milestone, days: request.days, maxDays: extension.maxAmount },
      );
    }
    return this.computed(this.limitEnd(request.dueAt, { amount: request.days, unit: extension.unit }));
  }

  windowEnd(kind: CaseKind, urgency: Urgency, window: DeadlineWindow, from: Date): Date | null {
    const rule = this.config[kind].normal[window] as WindowRule | undefined;
    if (!rule) return null;
    return this.limitEnd(from, this.urgentLimit(kind, urgency, window) ?? rule.limit);
  }

  /** When the warning (预警) is due: after `warningShare` of the wall-clock time from start to deadline. */
  warningAt(startedAt: Date, dueAt: Date): Date {
    const elapsedMs = this.config.warningShare * (dueAt.getTime() - startedAt.getTime());
    return new Date(startedAt.getTime() + Math.round(elapsedMs));
  }

  private milestoneRule(kind: CaseKind, milestone: Milestone): MilestoneRule {
    const rule = this.config[kind].normal[milestone];
    if (!rule) throw new RangeError(`The deadline policy has no ${milestone} milestone for a ${kind} case`);
    return rule;
  }

  private extensionRule(kind: CaseKind, milestone: Milestone): ExtensionRule | undefined {
    return this.config[kind].normal[milestone]?.extension;
  }

  private urgentLimit(kind: CaseKind, urgency: Urgency, name: Milestone | DeadlineWindow): DeadlineLimit | undefined {
    return urgency === 'urgent' ? this.config[kind].urgent?.[name]?.limit : undefined;
  }

  private limitEnd(from: Date, limit: DeadlineLimit): Date {
    switch (limit.unit) {
      case 'calendar-days': {
        const end = this.calendar.addCalendarDays(from, limit.amount);
        return this.config.calendarDayDeadlineMovesToNextWorkingDay ? this.calendar.rollForwardToWorkingDay(end) : end;
      }
      case 'working-days':
        return this.calendar.addWorkingDays(from, limit.amount);
      case 'working-hours':
        return this.calendar.addWorkingHours(from, limit.amount);
      case 'same-working-day':
        return this.calendar.sameWorkingDayEnd(from);
    }
  }

  private computed(dueAt: Date): ComputedDeadline {
    return { dueAt, provisional: this.calendar.isProvisional(dueAt) };
  }
}

/** SPEC §3's default policy on the pinned holiday data and default office hours; reads no file. */
export function createDefaultPolicy(): ConfiguredDeadlinePolicy {
  return new ConfiguredDeadlinePolicy(DEFAULT_POLICY_CONFIG, createBusinessCalendar());
}

import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/errors';
import type { DecisionContext, LifecycleCommand } from './case.commands';
import type { DeadlineSet } from './case.events';
import type { DeadlineState, OpenedCase } from './case.state';
import type { CaseKind, Milestone, Urgency } from './case.types';

/*
 * What the decisions in case.decide.ts share: the stamp every event carries, input checks the
 * domain owns (a field a kind requires), and starting a deadline's clock.
 */

export function stamp(ctx: DecisionContext): { occurredAt: string; actor: Actor } {
  return { occurredAt: ctx.occurredAt.toISOString(), actor: ctx.actor };
}

export function runningDeadline(state: OpenedCase, milestone: Milestone): DeadlineState | undefined {
  // An episode a step ended (a return, a reopen) is no longer running, though never reached.
  return state.deadlines.find(
    (deadline) => deadline.milestone === milestone && deadline.reachedAt === undefined && deadline.endedAt === undefined,
  );
}

export function pendingExtension(state: OpenedCase) {
  return state.extensions.find((extension) => extension.decision === undefined);
}

interface DeadlineSubject {
  kind: CaseKind;
  urgency: Urgency;
  deadlines: readonly DeadlineState[];
}

/**
 * Starts a milestone's clock at the command's business time. The first version is 'started'; a
 * later one (re-dispatch, reopen, resolving again) is 'restarted' and replaces the previous one.
 */
export function startDeadline(
  subject: DeadlineSubject,
  milestone: Milestone,
  ctx: DecisionContext,
  platformDeadline?: string,
): DeadlineSet {
  const current = subject.deadlines.find((deadline) => deadline.milestone === milestone);
  const computed = ctx.policy.milestoneDeadline({
    kind: subject.kind,
    urgency: subject.urgency,
    milestone,
    from: ctx.occurredAt,
    ...(platformDeadline !== undefined && { platformDeadline: new Date(platformDeadline) }),
  });
  return {
    type: 'DeadlineSet',
    data: {
      milestone,
      version: (current?.version ?? 0) + 1,
      startedAt: ctx.occurredAt.toISOString(),
      dueAt: computed.dueAt.toISOString(),
      provisional: computed.provisional,
      cause: current === undefined ? 'started' : 'restarted',
    },
    ...stamp(ctx),
  };
}

export function invalid(command: string, problem: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('CASE.INVALID_COMMAND', `Command '${command}': ${problem}`, { command, ...details });
}

export function requireText(value: string | undefined, field: string, command: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(command, `${field} is required`, { field });
  }
  return value;
}

export function requireOneOf<Allowed extends string>(allowed: readonly Allowed[], value: unknown, field: string, command: string): Allowed {
  if (!allowed.includes(value as Allowed)) {
    throw invalid(command, `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { field });
  }
  return value as Allowed;
}

/** Normalises an instant to ISO-8601 UTC so stored times compare as strings and as dates alike. */
export function requireInstant(value: string, field: string, command: string): string {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw invalid(command, `${field} is not a valid date-time: ${JSON.stringify(value)}`, { field });
  }
  return new Date(millis).toISOString();
}

/** Refuses fields that belong to another kind's body rather than dropping them silently. */
export function forbidFields<Body extends LifecycleCommand>(
  command: Body,
  fields: readonly (keyof Body & string)[],
  context: string,
): void {
  const present = fields.filter((field) => command[field] !== undefined);
  if (present.length > 0) {
    throw invalid(command.type, `${present.join(', ')} do not apply to ${context}`, { fields: present });
  }
}

/** Drops undefined optional fields so stored events carry no empty keys. */
export function compact<Value extends object>(value: Value): Value {
  // A loop, not entries/filter/fromEntries: every decision passes here, and those arrays are garbage.
  const copy: Partial<Value> = {};
  for (const key of Object.keys(value) as (keyof Value)[]) if (value[key] !== undefined) copy[key] = value[key];
  return copy as Value;
}

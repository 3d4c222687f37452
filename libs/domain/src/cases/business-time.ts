import { DomainError } from '../shared/errors';
import type { DecisionContext } from './case.commands';
import type { CaseState } from './case.state';
import { OVERSEEING_ROLES } from './lifecycle-rules';

/**
 * Business time (docs/domain/overview.md): a command's `occurredAt` may not lie in the future nor
 * before the case's previous command, and back-dating beyond the configured window needs the
 * supervisor or admin role.
 */
export function assertOccurredAtAllowed(state: CaseState, ctx: DecisionContext): void {
  const occurredAt = ctx.occurredAt.getTime();
  const recordedAt = ctx.recordedAt.getTime();
  const details = { occurredAt: ctx.occurredAt.toISOString(), recordedAt: ctx.recordedAt.toISOString() };
  if (occurredAt > recordedAt) {
    throw new DomainError(
      'CASE.INVALID_COMMAND',
      `occurredAt is in the future: ${details.occurredAt} is after ${details.recordedAt}`,
      details,
    );
  }
  if (state.status !== 'none' && occurredAt < Date.parse(state.lastCommandAt)) {
    throw new DomainError(
      'CASE.INVALID_COMMAND',
      `occurredAt ${details.occurredAt} is before the case's previous command at ${state.lastCommandAt}`,
      { ...details, lastCommandAt: state.lastCommandAt },
    );
  }
  const earliestWithoutRole = new Date(recordedAt - ctx.backdatingWindowMs).toISOString();
  if (occurredAt < recordedAt - ctx.backdatingWindowMs && !(OVERSEEING_ROLES as readonly string[]).includes(ctx.actor.role)) {
    throw new DomainError(
      'CASE.FORBIDDEN',
      `Back-dating to ${details.occurredAt}, before ${earliestWithoutRole}, needs the supervisor or admin role`,
      { ...details, earliestWithoutRole },
    );
  }
}

import { DomainError } from '../shared/errors';
import type { DecisionContext } from './case.commands';
import type { CaseState } from './case.state';
import { OVERSEEING_ROLES } from './lifecycle-rules';

/**
 * Business time (docs/domain/overview.md): a command's `occurredAt` may not lie in the future nor
 * before the case's previous command, and back-dating beyond the configured window needs the
 * supervisor or admin role.
 *
 * The window guards against a person rewriting when something happened. The `system` role is no
 * person: it relays the 12345 platform's own record of its steps (a ticket's dispatch time, an
 * urge, a withdrawal), which may well lie further back (a ticket held up on the platform, a
 * dead-lettered message replayed after a fix). Its time is a fact of the platform, so the window
 * does not apply to it; the future and the case's previous command still bound it.
 */
const RECORDS_ANOTHER_SYSTEMS_TIME: readonly string[] = ['system'];

export function assertOccurredAtAllowed(state: CaseState, ctx: DecisionContext): void {
  const occurredAt = ctx.occurredAt.getTime();
  const recordedAt = ctx.recordedAt.getTime();
  // The instants as text only for a refusal: every command passes here, nearly all of them allowed.
  const details = () => ({ occurredAt: ctx.occurredAt.toISOString(), recordedAt: ctx.recordedAt.toISOString() });
  if (occurredAt > recordedAt) {
    const { occurredAt: occurred, recordedAt: recorded } = details();
    throw new DomainError('CASE.INVALID_COMMAND', `occurredAt is in the future: ${occurred} is after ${recorded}`, details());
  }
  if (state.status !== 'none' && occurredAt < Date.parse(state.lastCommandAt)) {
    throw new DomainError(
      'CASE.INVALID_COMMAND',
      `occurredAt ${details().occurredAt} is before the case's previous command at ${state.lastCommandAt}`,
      { ...details(), lastCommandAt: state.lastCommandAt },
    );
  }
  const mayBackdate =
    (OVERSEEING_ROLES as readonly string[]).includes(ctx.actor.role) || RECORDS_ANOTHER_SYSTEMS_TIME.includes(ctx.actor.role);
  if (occurredAt < recordedAt - ctx.backdatingWindowMs && !mayBackdate) {
    const earliestWithoutRole = new Date(recordedAt - ctx.backdatingWindowMs).toISOString();
    throw new DomainError(
      'CASE.FORBIDDEN',
      `Back-dating to ${details().occurredAt}, before ${earliestWithoutRole}, needs the supervisor or admin role`,
      { ...details(), earliestWithoutRole },
    );
  }
}

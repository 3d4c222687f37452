import { ROLES, type Actor, type Role } from '../shared/actor';
import { DomainError } from '../shared/errors';
import { foldCase } from './case.evolve';
import type { LifecycleAction, LifecycleCommand } from './case.commands';
import type { OpenedCase } from './case.state';
import { LIFECYCLE_ACTIONS, LIFECYCLE_RULES, admit } from './lifecycle-rules';
import { UNIT_A, UNIT_B, hotlineHistory, petitionHistory } from './testing/case-fixtures';

/**
 * A case in a status the action's rule admits: a petition, or a hotline ticket for the actions
 * only tickets take (the platform's urge and withdrawal); for a unit user, one dispatched to a
 * unit, since a unit acts only on its own cases.
 */
function caseAdmitting(action: LifecycleAction, role: Role): OpenedCase {
  const rule = LIFECYCLE_RULES[action];
  const histories: Partial<Record<string, unknown>> = (rule.kinds as readonly string[]).includes('petition')
    ? petitionHistory
    : hotlineHistory;
  const states = rule.from.flatMap((status) => {
    const history = histories[status];
    return history === undefined ? [] : [foldCase(history as never) as OpenedCase];
  });
  return states.find((state) => role !== 'unit' || state.unit !== undefined) ?? states[0];
}

function actorIn(role: Role, unit = UNIT_A): Actor {
  return { id: `user-${role}`, role, ...(role === 'unit' && { unit }) };
}

function refusal(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
}

// Every lifecycle command × every role, on a case the command may otherwise run on: the table's
// roles are exactly who gets through (docs/security.md renders the same roles).
describe.each(LIFECYCLE_ACTIONS)('%s', (action) => {
  const command = { type: action } as LifecycleCommand;
  const allowed: readonly string[] = LIFECYCLE_RULES[action].roles;

  it.each(ROLES)('as %s', (role) => {
    const state = caseAdmitting(action, role);
    const outcome = refusal(() => admit(command as never, state, actorIn(role, state.unit ?? UNIT_A)));
    expect(outcome).toBe(allowed.includes(role) ? null : 'CASE.FORBIDDEN');
  });

  if (allowed.includes('unit')) {
    it("refuses a unit user on another unit's case", () => {
      const state = caseAdmitting(action, 'unit');
      expect(refusal(() => admit(command as never, state, actorIn('unit', UNIT_B)))).toBe('CASE.FORBIDDEN');
    });
  }
});

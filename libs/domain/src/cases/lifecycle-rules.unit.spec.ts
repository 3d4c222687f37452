import { USER_ROLES, type UserRole } from '../directory/directory';
import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/errors';
import { foldCase } from './case.evolve';
import type { LifecycleAction, LifecycleCommand } from './case.commands';
import type { OpenedCase } from './case.state';
import { LIFECYCLE_ACTIONS, LIFECYCLE_RULES, admit } from './lifecycle-rules';
import { UNIT_A, UNIT_B, petitionHistory } from './testing/case-fixtures';

/**
 * A petition in a status the action's rule admits (every action applies to petitions); for a
 * unit user, one dispatched to a unit, since a unit acts only on its own cases.
 */
function petitionAdmitting(action: LifecycleAction, role: UserRole): OpenedCase {
  const states = LIFECYCLE_RULES[action].from.map(
    (status) => foldCase(petitionHistory[status as keyof typeof petitionHistory]) as OpenedCase,
  );
  return states.find((state) => role !== 'unit' || state.unit !== undefined) ?? states[0];
}

function actorIn(role: UserRole, unit = UNIT_A): Actor {
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

  it.each(USER_ROLES)('as %s', (role) => {
    const state = petitionAdmitting(action, role);
    const outcome = refusal(() => admit(command as never, state, actorIn(role, state.unit ?? UNIT_A)));
    expect(outcome).toBe(allowed.includes(role) ? null : 'CASE.FORBIDDEN');
  });

  if (allowed.includes('unit')) {
    it("refuses a unit user on another unit's case", () => {
      const state = petitionAdmitting(action, 'unit');
      expect(refusal(() => admit(command as never, state, actorIn('unit', UNIT_B)))).toBe('CASE.FORBIDDEN');
    });
  }
});

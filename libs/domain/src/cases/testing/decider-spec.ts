import type { DeadlinePolicy } from '../../deadlines/deadline-policy';
import type { Actor } from '../../shared/actor';
import type { DomainErrorCode } from '../../shared/errors';
import { DomainError } from '../../shared/errors';
import type { DecisionContext, IntakeCommand, LifecycleCommand } from '../case.commands';
import { decide, decideIntake } from '../case.decide';
import type { CaseEvent } from '../case.events';
import { foldCase } from '../case.evolve';
import type { CaseState } from '../case.state';
import { DESK, NOW } from './case-fixtures';
import { createTestDeadlinePolicy } from './test-deadline-policy';

export const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What a spec may set of the decision context; times are ISO strings. Without `recordedAt`, the
 * server clock equals `occurredAt` (no back-dating), or `NOW` when neither is given.
 */
export interface SpecContext {
  occurredAt?: string;
  recordedAt?: string;
  actor?: Actor;
  policy?: DeadlinePolicy;
  backdatingWindowMs?: number;
  /** Ids handed out in order; defaults to generated-1, generated-2, … */
  ids?: string[];
}

type AnyCaseCommand = IntakeCommand | LifecycleCommand;
type ErrorClass = abstract new (...args: never[]) => Error;

const INTAKE_TYPES: readonly string[] = ['register-petition', 'receive-hotline-ticket', 'register-dispute'];

function isIntakeCommand(command: AnyCaseCommand): command is IntakeCommand {
  return INTAKE_TYPES.includes(command.type);
}

export function specContext(spec: SpecContext = {}): DecisionContext {
  const recordedAt = spec.recordedAt ?? spec.occurredAt ?? NOW;
  const ids = [...(spec.ids ?? [])];
  let generated = 0;
  return {
    actor: spec.actor ?? DESK,
    recordedAt: new Date(recordedAt),
    occurredAt: new Date(spec.occurredAt ?? recordedAt),
    backdatingWindowMs: spec.backdatingWindowMs ?? SEVEN_DAYS_MS,
    policy: spec.policy ?? createTestDeadlinePolicy(),
    newId: () => ids.shift() ?? `generated-${++generated}`,
  };
}

/**
 * Given / when / then for the case decider:
 * `given(history).when(command, context).then(expectedEvents)` or `.thenThrows(code, fragment)`.
 * `then` also folds the new events onto the history and returns the resulting state, so a spec
 * can check where the case ended up.
 */
export function given(history: readonly CaseEvent[]) {
  const state = foldCase(history);
  return {
    when(command: AnyCaseCommand, spec: SpecContext = {}) {
      const run = (): CaseEvent[] =>
        isIntakeCommand(command) ? decideIntake(command, state, specContext(spec)) : decide(command, state, specContext(spec));
      return {
        then(expected: CaseEvent[]): CaseState {
          const decided = run();
          expect(decided).toEqual(expected);
          return foldCase([...history, ...decided]);
        },
        thenThrows(expected: DomainErrorCode | ErrorClass, messageFragment?: string): Error {
          let thrown: unknown;
          let decided: CaseEvent[] = [];
          try {
            decided = run();
          } catch (error) {
            thrown = error;
          }
          if (thrown === undefined) {
            throw new Error(`Expected the command to be refused, but it decided ${JSON.stringify(decided)}`);
          }
          if (typeof expected === 'string') {
            expect(thrown).toBeInstanceOf(DomainError);
            expect((thrown as DomainError).code).toBe(expected);
          } else {
            expect(thrown).toBeInstanceOf(expected);
          }
          if (messageFragment !== undefined) {
            expect((thrown as Error).message).toContain(messageFragment);
          }
          return thrown as Error;
        },
      };
    },
  };
}

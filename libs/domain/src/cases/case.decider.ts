import type { DecisionContext, IntakeCommand, LifecycleCommand } from './case.commands';
import { decide, decideIntake } from './case.decide';
import type { CaseEvent } from './case.events';
import { evolve } from './case.evolve';
import type { CaseState } from './case.state';
import { INITIAL_CASE_STATE } from './case.state';

/** The case decider in one place: what a command-handling pipeline or a spec needs to run a case. */
export interface CaseDecider {
  initialState: () => CaseState;
  evolve: (state: CaseState, event: CaseEvent) => CaseState;
  decide: (command: LifecycleCommand, state: CaseState, ctx: DecisionContext) => CaseEvent[];
  decideIntake: (command: IntakeCommand, state: CaseState, ctx: DecisionContext) => CaseEvent[];
}

export const caseDecider: CaseDecider = {
  initialState: () => INITIAL_CASE_STATE,
  evolve,
  decide,
  decideIntake,
};

import type { Actor, Role } from '../shared/actor';
import { DomainError, IllegalTransitionError } from '../shared/errors';
import type { LifecycleAction, LifecycleCommand } from './case.commands';
import type { CaseIn, OpenedCase } from './case.state';
import { CASE_KINDS, type CaseKind, type CaseStatus } from './case.types';

/**
 * The state machine of the closed loop, as data: for each lifecycle command, the statuses it may
 * run in, the statuses it leads to, the kinds it applies to and the roles that may run it. It is
 * checked once, by `admit`, before any decision runs, and rendered into
 * docs/domain/state-machine.md (a unit spec fails when the two disagree).
 *
 * Handling-unit users are further bound to their own cases: a `unit` actor acts only on a case
 * dispatched to its unit (SPEC §1).
 */
export interface LifecycleRule<From extends CaseStatus = CaseStatus> {
  from: readonly From[];
  /** Where the case can be afterwards; `unchanged` for overlays that never move the status. */
  to: readonly CaseStatus[] | 'unchanged';
  kinds: readonly CaseKind[];
  roles: readonly Role[];
  /** One line for the documentation, with the users' own term. */
  summary: string;
}

/** The desk's steps (triage, dispatch, call-back, reopen, close): never a handling unit's. */
export const DESK_ROLES = ['desk', 'supervisor', 'admin'] as const satisfies readonly Role[];
/** Approving extensions and issuing supervision orders (督办). */
export const OVERSEEING_ROLES = ['supervisor', 'admin'] as const satisfies readonly Role[];
/** Every signed-in role; `system` (the scheduler, the 12345 platform's intake) runs only the platform's steps below. */
const ANY_ROLE = ['desk', 'unit', 'supervisor', 'admin'] as const satisfies readonly Role[];
/**
 * Recording an urge (催办): the 12345 platform's intake (`system`), or the desk when the platform
 * urged by phone while its Kafka link was down; an urge changes no status and no deadline
 * (docs/domain/state-machine.md).
 */
const URGING_ROLES = ['system', ...DESK_ROLES] as const satisfies readonly Role[];
/**
 * Withdrawing (撤单): the platform's intake, or a supervisor/admin recording a withdrawal the
 * platform notified otherwise. Not the desk: a withdrawal ends every running deadline, so it must
 * not be a way around an overdue milestone (docs/domain/state-machine.md).
 */
const WITHDRAWING_ROLES = ['system', ...OVERSEEING_ROLES] as const satisfies readonly Role[];
/**
 * Correcting a hotline ticket's details (工单更正): the platform's intake, when the platform resends
 * a ticket with other content, or the desk, for a ticket it typed in by hand. A corrected deadline
 * or urgency moves no deadline already set (docs/timeliness-rules.md), so the desk gains no way
 * around a running milestone.
 */
const AMENDING_ROLES = ['system', ...DESK_ROLES] as const satisfies readonly Role[];
/** Where a hotline ticket can stand before it is closed: it arrives accepted. */
const HOTLINE_OPEN = ['accepted', 'dispatched', 'in_progress', 'resolved'] as const;

/** Every status a case can still move from. */
const OPEN = ['registered', 'accepted', 'dispatched', 'in_progress', 'resolved', 'reexamination'] as const;

export const LIFECYCLE_RULES = {
  accept: {
    from: ['registered'],
    to: ['accepted'],
    kinds: ['petition', 'dispute'],
    roles: DESK_ROLES,
    summary: '受理: accept a registered case; starts the reply or mediation deadline',
  },
  reject: {
    from: ['registered'],
    to: ['rejected'],
    kinds: ['petition', 'dispute'],
    roles: DESK_ROLES,
    summary: '不予受理: reject with a reason (and the body referred to); terminal',
  },
  dispatch: {
    from: ['accepted'],
    to: ['dispatched'],
    kinds: CASE_KINDS,
    roles: DESK_ROLES,
    summary: '交办/派单: send to a handling unit; a hotline ticket starts its sign and resolve deadlines',
  },
  sign: {
    from: ['dispatched'],
    to: ['in_progress'],
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '签收: the unit signs for the case',
  },
  return: {
    from: ['dispatched', 'in_progress'],
    to: ['accepted'],
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '退单: the unit hands the case back inside the return window, with a reason',
  },
  progress: {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '办理进展: record progress',
  },
  note: {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '备注: add a note, internal or not',
  },
  'request-extension': {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '申请延期: the unit asks for more time on the running resolving deadline',
  },
  'decide-extension': {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: OVERSEEING_ROLES,
    summary: '审批延期: approve (moves the deadline) or refuse the pending request',
  },
  resolve: {
    from: ['in_progress'],
    to: ['resolved'],
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '办结/答复/调解: the unit resolves; a hotline ticket starts its call-back deadline',
  },
  review: {
    from: ['resolved'],
    to: ['closed', 'resolved'],
    kinds: CASE_KINDS,
    roles: DESK_ROLES,
    summary: '回访/评价: record the call-back or follow-up; an unsatisfied hotline call-back leaves it resolved',
  },
  reopen: {
    from: ['resolved'],
    to: ['in_progress'],
    kinds: CASE_KINDS,
    roles: DESK_ROLES,
    summary: '重办: back to the same unit with a fresh resolving deadline',
  },
  close: {
    from: ['resolved'],
    to: ['closed'],
    kinds: CASE_KINDS,
    roles: DESK_ROLES,
    summary: '结案: close a resolved case that cannot be reviewed (citizen unreachable, window passed)',
  },
  supervise: {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: OVERSEEING_ROLES,
    summary: '督办: issue a supervision order, with an optional due date',
  },
  'answer-supervision': {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '督办反馈: the unit answers a supervision order',
  },
  'request-reexamination': {
    from: ['resolved', 'closed'],
    to: ['reexamination'],
    kinds: ['petition'],
    roles: ANY_ROLE,
    summary: '申请复查: the petitioner asks for a re-examination inside its window',
  },
  'decide-reexamination': {
    from: ['reexamination'],
    to: ['closed'],
    kinds: ['petition'],
    roles: ANY_ROLE,
    summary: '复查意见: record the re-examination decision; closes the case',
  },
  link: {
    from: OPEN,
    to: 'unchanged',
    kinds: CASE_KINDS,
    roles: ANY_ROLE,
    summary: '关联: link to another case (repeat-of 重复信访, duplicate-of, related)',
  },
  urge: {
    from: HOTLINE_OPEN,
    to: 'unchanged',
    kinds: ['hotline'],
    roles: URGING_ROLES,
    summary: '催办: the 12345 platform urges the ticket; counted on the case and on the monthly report, no deadline moves',
  },
  withdraw: {
    from: HOTLINE_OPEN,
    to: ['withdrawn'],
    kinds: ['hotline'],
    roles: WITHDRAWING_ROLES,
    summary: '撤单: the 12345 platform withdraws the ticket, with a reason; ends every running deadline; terminal',
  },
  'amend-ticket': {
    from: HOTLINE_OPEN,
    to: 'unchanged',
    kinds: ['hotline'],
    roles: AMENDING_ROLES,
    summary:
      '工单更正: correct the ticket’s details, recording which fields changed; a new deadline or urgency applies from the next dispatch',
  },
} as const satisfies { readonly [A in LifecycleAction]: LifecycleRule };

/** Every lifecycle command, in the table's order; complete because the table must be. */
export const LIFECYCLE_ACTIONS = Object.keys(LIFECYCLE_RULES) as readonly LifecycleAction[];

/** The statuses `action` may run in, as a type. */
export type AdmittedStatus<A extends LifecycleAction> = (typeof LIFECYCLE_RULES)[A]['from'][number];

/**
 * Checks a command against its rule (status, kind, role, the unit's own case, in that order) and returns the case
 * narrowed to the statuses the rule allows, so the decision that follows can rely on what those
 * statuses know. Throws the refusal otherwise.
 */
export function admit<A extends LifecycleAction>(
  command: Extract<LifecycleCommand, { type: A }>,
  state: OpenedCase,
  actor: Actor,
): CaseIn<AdmittedStatus<A>> {
  const action: A = command.type as A;
  const rule: LifecycleRule = LIFECYCLE_RULES[action];
  if (!rule.from.includes(state.status)) {
    throw new IllegalTransitionError(action, state.status);
  }
  if (!rule.kinds.includes(state.kind)) {
    throw new DomainError(
      'CASE.INVALID_COMMAND',
      `Command '${action}': only ${plural(rule.kinds)} can take it, this case is a ${state.kind}`,
      {
        command: action,
        kind: state.kind,
      },
    );
  }
  if (!rule.roles.includes(actor.role)) {
    throw new DomainError('CASE.FORBIDDEN', `Command '${action}' needs one of the roles ${rule.roles.join(', ')}`, {
      command: action,
      role: actor.role,
    });
  }
  if (actor.role === 'unit' && (actor.unit === undefined || actor.unit !== state.unit)) {
    throw new DomainError('CASE.FORBIDDEN', `Unit '${actor.unit ?? '(none)'}' is not the handling unit of case ${state.id}`, {
      actorUnit: actor.unit,
      caseUnit: state.unit,
    });
  }
  return state as CaseIn<AdmittedStatus<A>>;
}

function plural(kinds: readonly CaseKind[]): string {
  return kinds.map((kind) => `${kind}s`).join(' and ');
}

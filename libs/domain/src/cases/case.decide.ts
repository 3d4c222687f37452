import { DomainError, IllegalTransitionError } from '../shared/errors';
import { assertOccurredAtAllowed } from './business-time';
import type {
  DecisionContext,
  IntakeCommand,
  LifecycleAction,
  LifecycleCommand,
  ReceiveHotlineTicket,
  RegisterDispute,
  RegisterPetition,
} from './case.commands';
import { REMOVABLE_TICKET_FIELDS } from './case.commands';
import { AMENDABLE_TICKET_FIELDS, type CaseEvent, type CaseResolved, type HotlineTicketAmended } from './case.events';
import type { CaseIn, CaseState } from './case.state';
import {
  DISPUTE_OUTCOMES,
  LINK_RELATIONS,
  MEDIATION_TYPES,
  PETITION_OUTCOMES,
  REEXAMINATION_DECISIONS,
  RESOLVING_MILESTONE,
  SATISFACTIONS,
  URGENCIES,
} from './case.types';
import type { CaseKind } from './case.types';
import {
  compact,
  forbidFields,
  invalid,
  pendingExtension,
  requireInstant,
  requireOneOf,
  requireText,
  runningDeadline,
  stamp,
  startDeadline,
} from './decision-helpers';
import { admit, OVERSEEING_ROLES, type AdmittedStatus } from './lifecycle-rules';

/*
 * The decisions of the closed loop (docs/domain/overview.md): one small pure function per command.
 * Which command may run in which status, for which kind and role, is not decided here: it is the
 * table in lifecycle-rules.ts, checked by `admit` before each decision, which then receives the
 * case narrowed to the statuses its rule allows.
 */

type Command<Action extends LifecycleAction> = Extract<LifecycleCommand, { type: Action }>;
/** The case as `admit` hands it to the decision of `Action`. */
type Admitted<Action extends LifecycleAction> = CaseIn<AdmittedStatus<Action>>;

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Decides an intake: the handler has already allocated the case id and number. Personal data goes
 * to the event's `personal` only. Throws a `DomainError`; returns the events to append otherwise.
 */
export function decideIntake(command: IntakeCommand, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  assertOccurredAtAllowed(state, ctx);
  if (state.status !== 'none') {
    throw new IllegalTransitionError(command.type, state.status);
  }
  switch (command.type) {
    case 'register-petition':
      return registerPetition(command, ctx);
    case 'receive-hotline-ticket':
      return receiveHotlineTicket(command, ctx);
    case 'register-dispute':
      return registerDispute(command, ctx);
    default: {
      const _exhaustive: never = command;
      throw unknownCommand(_exhaustive);
    }
  }
}

/**
 * Decides a lifecycle command (SPEC §2) against the folded case. Pure: time, actor, policy and new
 * ids all come from `ctx`, so a retry after a concurrency conflict decides the same way.
 */
export function decide(command: LifecycleCommand, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  assertOccurredAtAllowed(state, ctx);
  if (state.status === 'none') {
    throw new DomainError('CASE.NOT_FOUND', `Command '${command.type}' needs an existing case`, { command: command.type });
  }
  switch (command.type) {
    case 'accept':
      return accept(command, admit(command, state, ctx.actor), ctx);
    case 'reject':
      return reject(command, admit(command, state, ctx.actor), ctx);
    case 'dispatch':
      return dispatch(command, admit(command, state, ctx.actor), ctx);
    case 'sign':
      return sign(command, admit(command, state, ctx.actor), ctx);
    case 'return':
      return returnToDesk(command, admit(command, state, ctx.actor), ctx);
    case 'progress':
      return recordProgress(command, admit(command, state, ctx.actor), ctx);
    case 'note':
      return addNote(command, admit(command, state, ctx.actor), ctx);
    case 'request-extension':
      return requestExtension(command, admit(command, state, ctx.actor), ctx);
    case 'decide-extension':
      return decideExtension(command, admit(command, state, ctx.actor), ctx);
    case 'resolve':
      return resolve(command, admit(command, state, ctx.actor), ctx);
    case 'review':
      return review(command, admit(command, state, ctx.actor), ctx);
    case 'reopen':
      return reopen(command, admit(command, state, ctx.actor), ctx);
    case 'close':
      return close(command, admit(command, state, ctx.actor), ctx);
    case 'supervise':
      return supervise(command, admit(command, state, ctx.actor), ctx);
    case 'answer-supervision':
      return answerSupervision(command, admit(command, state, ctx.actor), ctx);
    case 'request-reexamination':
      return requestReexamination(command, admit(command, state, ctx.actor), ctx);
    case 'decide-reexamination':
      return decideReexamination(command, admit(command, state, ctx.actor), ctx);
    case 'link':
      return link(command, admit(command, state, ctx.actor), ctx);
    case 'urge':
      return urge(command, admit(command, state, ctx.actor), ctx);
    case 'withdraw':
      return withdraw(command, admit(command, state, ctx.actor), ctx);
    case 'amend-ticket':
      return amendTicket(command, admit(command, state, ctx.actor), ctx);
    default: {
      const _exhaustive: never = command;
      throw unknownCommand(_exhaustive);
    }
  }
}

/** Reached only when untyped input slips past the API's validation. */
function unknownCommand(command: never): DomainError {
  const type = (command as { type?: unknown }).type;
  return new DomainError('CASE.INVALID_COMMAND', `Unknown command '${String(type)}'`, { command: type });
}

// ---------------------------------------------------------------------------------------------
// Intake
// ---------------------------------------------------------------------------------------------

/** Case facts shared by every kind. Deliberately picked field by field: nothing personal may slip in. */
function intakeData(command: IntakeCommand) {
  return compact({
    caseId: command.caseId,
    orgId: command.orgId,
    number: command.number,
    title: command.title,
    description: command.description,
    community: command.community,
    category: command.category,
  });
}

function registerPetition(command: RegisterPetition, ctx: DecisionContext): CaseEvent[] {
  const { name, phone, idNumber, address } = command.petitioner;
  const complainedUnits = [...new Set((command.complainedUnits ?? []).map((unit) => unit.trim()).filter((unit) => unit !== ''))];
  return [
    {
      type: 'PetitionRegistered',
      data: { ...intakeData(command), kind: 'petition', channel: command.channel, ...(complainedUnits.length > 0 && { complainedUnits }) },
      personal: { petitioner: compact({ name, phone, idNumber, address }) },
      ...stamp(ctx),
    },
    startDeadline({ kind: 'petition', urgency: 'normal', deadlines: [] }, 'acceptance', ctx),
  ];
}

function receiveHotlineTicket(command: ReceiveHotlineTicket, ctx: DecisionContext): CaseEvent[] {
  const platformDeadline =
    command.platformDeadline === undefined ? undefined : requireInstant(command.platformDeadline, 'platformDeadline', command.type);
  const caller = command.caller && compact({ name: command.caller.name, phone: command.caller.phone });
  return [
    {
      type: 'HotlineTicketReceived',
      data: compact({
        ...intakeData(command),
        kind: 'hotline' as const,
        platformTicketNo: command.platformTicketNo,
        urgency: command.urgency,
        platformDeadline,
      }),
      ...(caller !== undefined && { personal: { caller } }),
      ...stamp(ctx),
    },
  ];
}

function registerDispute(command: RegisterDispute, ctx: DecisionContext): CaseEvent[] {
  if (command.parties.length === 0) {
    throw invalid(command.type, 'a dispute needs at least one party');
  }
  const parties = command.parties.map(({ name, phone, role }) => compact({ name, phone, role }));
  // No deadline yet: the mediation clock starts at acceptance.
  return [
    {
      type: 'DisputeRegistered',
      data: { ...intakeData(command), kind: 'dispute', source: command.source },
      personal: { parties },
      ...stamp(ctx),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Triage and dispatch
// ---------------------------------------------------------------------------------------------

function accept(command: Command<'accept'>, state: Admitted<'accept'>, ctx: DecisionContext): CaseEvent[] {
  return [
    { type: 'CaseAccepted', data: compact({ note: command.note }), ...stamp(ctx) },
    startDeadline(state, RESOLVING_MILESTONE[state.kind], ctx),
  ];
}

function reject(command: Command<'reject'>, state: Admitted<'reject'>, ctx: DecisionContext): CaseEvent[] {
  const reason = requireText(command.reason, 'reason', command.type);
  return [{ type: 'CaseRejected', data: compact({ reason, referredTo: command.referredTo }), ...stamp(ctx) }];
}

function dispatch(command: Command<'dispatch'>, state: Admitted<'dispatch'>, ctx: DecisionContext): CaseEvent[] {
  const unit = requireText(command.unit, 'unit', command.type);
  const overrideReason = complaintOverride(command, state, unit, ctx);
  const dispatched: CaseEvent = {
    type: 'CaseDispatched',
    data: compact({ unit, instructions: command.instructions, overrideReason }),
    ...stamp(ctx),
  };
  if (state.kind !== 'hotline') {
    return [dispatched];
  }
  return [dispatched, startDeadline(state, 'sign', ctx), startDeadline(state, 'resolve', ctx, state.platformDeadline)];
}

/**
 * 信访人信息保密: a petition is not handed to a unit it complains about, unless a supervisor (or an
 * admin) overrides with a reason, which the dispatch records. An override where there is nothing to
 * override is refused too, so a reason never stands for a rule that did not apply.
 */
function complaintOverride(
  command: Command<'dispatch'>,
  state: Admitted<'dispatch'>,
  unit: string,
  ctx: DecisionContext,
): string | undefined {
  const complained = state.complainedUnits?.includes(unit) ?? false;
  if (command.overrideReason === undefined) {
    if (complained) {
      throw invalid(command.type, `the petition complains about ${unit}: only a supervisor may dispatch it there, with overrideReason`, {
        unit,
      });
    }
    return undefined;
  }
  if (!complained) throw invalid(command.type, `overrideReason applies only to a unit the petition complains about, not ${unit}`, { unit });
  if (!(OVERSEEING_ROLES as readonly string[]).includes(ctx.actor.role)) {
    throw new DomainError('CASE.FORBIDDEN', `Only ${OVERSEEING_ROLES.join(' or ')} may dispatch a petition to a unit it complains about`, {
      roles: OVERSEEING_ROLES,
    });
  }
  return requireText(command.overrideReason, 'overrideReason', command.type);
}

function sign(command: Command<'sign'>, state: Admitted<'sign'>, ctx: DecisionContext): CaseEvent[] {
  return [{ type: 'CaseSigned', data: { unit: state.unit }, ...stamp(ctx) }];
}

/** `return` is a reserved word, hence the longer name: the unit hands the case back to the desk. */
function returnToDesk(command: Command<'return'>, state: Admitted<'return'>, ctx: DecisionContext): CaseEvent[] {
  const reason = requireText(command.reason, 'reason', command.type);
  const { unit, dispatchedAt } = state;
  const windowEnd = ctx.policy.windowEnd(state.kind, state.urgency, 'return', new Date(dispatchedAt));
  if (windowEnd !== null && ctx.occurredAt.getTime() > windowEnd.getTime()) {
    throw invalid(command.type, `the return window ended at ${windowEnd.toISOString()} (dispatched at ${dispatchedAt})`, {
      windowEnd: windowEnd.toISOString(),
    });
  }
  return [{ type: 'CaseReturned', data: { unit, reason }, ...stamp(ctx) }];
}

// ---------------------------------------------------------------------------------------------
// Resolution and review
// ---------------------------------------------------------------------------------------------

function resolve(command: Command<'resolve'>, state: Admitted<'resolve'>, ctx: DecisionContext): CaseEvent[] {
  const resolved: CaseEvent = { type: 'CaseResolved', data: resolutionFor(command, state.kind), ...stamp(ctx) };
  return state.kind === 'hotline' ? [resolved, startDeadline(state, 'callback', ctx)] : [resolved];
}

function resolutionFor(command: Command<'resolve'>, kind: CaseKind): CaseResolved['data'] {
  switch (kind) {
    case 'petition':
      forbidFields(command, ['mediationType', 'agreement', 'referral'], 'a petition reply');
      return {
        kind,
        outcome: requireOneOf(PETITION_OUTCOMES, command.outcome, 'outcome', command.type),
        reply: requireText(command.reply, 'reply', command.type),
      };
    case 'hotline':
      forbidFields(command, ['outcome', 'mediationType', 'agreement', 'referral'], 'a hotline reply');
      return { kind, reply: requireText(command.reply, 'reply', command.type) };
    case 'dispute': {
      forbidFields(command, ['reply'], 'a mediation outcome');
      const outcome = requireOneOf(DISPUTE_OUTCOMES, command.outcome, 'outcome', command.type);
      const mediationType = requireOneOf(MEDIATION_TYPES, command.mediationType, 'mediationType', command.type);
      if (outcome === 'failed') {
        forbidFields(command, ['agreement'], 'a failed mediation');
        const referral = requireText(command.referral, 'referral', command.type);
        return { kind, outcome, mediationType, referral };
      }
      forbidFields(command, ['referral'], 'a successful mediation');
      return compact({ kind, outcome, mediationType, agreement: command.agreement });
    }
  }
}

function review(command: Command<'review'>, state: Admitted<'review'>, ctx: DecisionContext): CaseEvent[] {
  if (state.kind !== 'hotline') {
    // A follow-up visit (回访) on a petition or dispute has no satisfaction scale and always closes.
    forbidFields(command, ['satisfaction', 'solved'], `a ${state.kind} follow-up`);
    return [
      { type: 'CaseReviewed', data: compact({ note: command.note }), ...stamp(ctx) },
      { type: 'CaseClosed', data: { by: 'review' }, ...stamp(ctx) },
    ];
  }
  const satisfaction = requireOneOf(SATISFACTIONS, command.satisfaction, 'satisfaction', command.type);
  if (typeof command.solved !== 'boolean') {
    throw invalid(command.type, 'solved must be true or false for a hotline call-back');
  }
  const reviewed: CaseEvent = {
    type: 'CaseReviewed',
    data: compact({ satisfaction, solved: command.solved, note: command.note }),
    ...stamp(ctx),
  };
  // An unsatisfied call-back leaves the ticket resolved until the desk reopens or closes it.
  if (satisfaction === 'unsatisfied') {
    return [reviewed];
  }
  return [reviewed, { type: 'CaseClosed', data: { by: 'review' }, ...stamp(ctx) }];
}

function reopen(command: Command<'reopen'>, state: Admitted<'reopen'>, ctx: DecisionContext): CaseEvent[] {
  const reason = requireText(command.reason, 'reason', command.type);
  return [
    { type: 'CaseReopened', data: { reason }, ...stamp(ctx) },
    // Counted from the reopen, never from the platform's original deadline: the unit gets fresh time.
    startDeadline(state, RESOLVING_MILESTONE[state.kind], ctx),
  ];
}

function close(command: Command<'close'>, state: Admitted<'close'>, ctx: DecisionContext): CaseEvent[] {
  return [{ type: 'CaseClosed', data: compact({ note: command.note, by: 'close' as const }), ...stamp(ctx) }];
}

// ---------------------------------------------------------------------------------------------
// Re-examination (petitions only)
// ---------------------------------------------------------------------------------------------

function requestReexamination(
  command: Command<'request-reexamination'>,
  state: Admitted<'request-reexamination'>,
  ctx: DecisionContext,
): CaseEvent[] {
  if (state.reexamination !== undefined) {
    throw invalid(command.type, `the case was already re-examined (requested at ${state.reexamination.requestedAt})`);
  }
  const reason = requireText(command.reason, 'reason', command.type);
  const repliedAt = state.resolution.resolvedAt;
  const windowEnd = ctx.policy.windowEnd(state.kind, state.urgency, 'reexamination-request', new Date(repliedAt));
  if (windowEnd !== null && ctx.occurredAt.getTime() > windowEnd.getTime()) {
    throw invalid(command.type, `the window to ask for re-examination ended at ${windowEnd.toISOString()} (replied at ${repliedAt})`, {
      windowEnd: windowEnd.toISOString(),
    });
  }
  return [{ type: 'ReexaminationRequested', data: { reason }, ...stamp(ctx) }, startDeadline(state, 'reexamination', ctx)];
}

function decideReexamination(
  command: Command<'decide-reexamination'>,
  state: Admitted<'decide-reexamination'>,
  ctx: DecisionContext,
): CaseEvent[] {
  const decision = requireOneOf(REEXAMINATION_DECISIONS, command.decision, 'decision', command.type);
  const opinion = requireText(command.opinion, 'opinion', command.type);
  return [
    { type: 'ReexaminationDecided', data: { decision, opinion }, ...stamp(ctx) },
    { type: 'CaseClosed', data: { by: 'reexamination' }, ...stamp(ctx) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Overlays: allowed in every open state, never change the status
// ---------------------------------------------------------------------------------------------

function recordProgress(command: Command<'progress'>, state: Admitted<'progress'>, ctx: DecisionContext): CaseEvent[] {
  const text = requireText(command.text, 'text', command.type);
  return [{ type: 'ProgressRecorded', data: { text }, ...stamp(ctx) }];
}

function addNote(command: Command<'note'>, state: Admitted<'note'>, ctx: DecisionContext): CaseEvent[] {
  const text = requireText(command.text, 'text', command.type);
  return [{ type: 'NoteAdded', data: { text, internal: command.internal ?? false }, ...stamp(ctx) }];
}

function requestExtension(command: Command<'request-extension'>, state: Admitted<'request-extension'>, ctx: DecisionContext): CaseEvent[] {
  const milestone = ctx.policy.extendableMilestone(state.kind);
  if (milestone === null) {
    throw invalid(command.type, `${state.kind} deadlines cannot be extended`);
  }
  const deadline = runningDeadline(state, milestone);
  if (deadline === undefined) {
    throw invalid(command.type, `the ${milestone} deadline is not running, there is nothing to extend`);
  }
  const maxDays = ctx.policy.maxExtensionDays(state.kind, milestone);
  if (maxDays === null) {
    throw invalid(command.type, `the ${milestone} deadline of a ${state.kind} cannot be extended`);
  }
  if (!Number.isInteger(command.days) || command.days < 1 || command.days > maxDays) {
    throw invalid(command.type, `days must be a whole number from 1 to ${maxDays}, got ${command.days}`, { maxDays });
  }
  const pending = pendingExtension(state);
  if (pending !== undefined) {
    throw invalid(command.type, `extension request ${pending.requestId} is still waiting for a decision`);
  }
  const maxExtensions = ctx.policy.maxExtensions(state.kind, milestone);
  if (deadline.extensionsApproved >= maxExtensions) {
    throw invalid(
      command.type,
      `the ${milestone} deadline was already extended ${deadline.extensionsApproved} time(s), the most allowed is ${maxExtensions}`,
      { maxExtensions },
    );
  }
  const reason = requireText(command.reason, 'reason', command.type);
  return [{ type: 'ExtensionRequested', data: { requestId: ctx.newId(), milestone, days: command.days, reason }, ...stamp(ctx) }];
}

function decideExtension(command: Command<'decide-extension'>, state: Admitted<'decide-extension'>, ctx: DecisionContext): CaseEvent[] {
  const pending = pendingExtension(state);
  if (pending === undefined) {
    throw invalid(command.type, 'there is no extension request waiting for a decision');
  }
  const { requestId, milestone } = pending;
  const decided: CaseEvent = {
    type: 'ExtensionDecided',
    data: compact({ requestId, milestone, approved: command.approved, reason: command.reason }),
    ...stamp(ctx),
  };
  if (!command.approved) {
    return [decided];
  }
  const deadline = runningDeadline(state, milestone);
  if (deadline === undefined) {
    throw invalid(command.type, `the ${milestone} deadline is no longer running; the request can only be refused`);
  }
  const extended = ctx.policy.extendedDeadline({
    kind: state.kind,
    urgency: state.urgency,
    milestone,
    dueAt: new Date(deadline.dueAt),
    days: pending.days,
  });
  return [
    decided,
    {
      type: 'DeadlineSet',
      data: {
        milestone,
        version: deadline.version + 1,
        // An extension moves the due date only: the deadline still counts from the same event.
        startedAt: deadline.startedAt,
        dueAt: extended.dueAt.toISOString(),
        provisional: extended.provisional,
        cause: 'extended',
      },
      ...stamp(ctx),
    },
  ];
}

function supervise(command: Command<'supervise'>, state: Admitted<'supervise'>, ctx: DecisionContext): CaseEvent[] {
  const instruction = requireText(command.instruction, 'instruction', command.type);
  const dueAt = command.dueAt === undefined ? undefined : requireInstant(command.dueAt, 'dueAt', command.type);
  return [{ type: 'SupervisionIssued', data: compact({ supervisionId: ctx.newId(), instruction, dueAt }), ...stamp(ctx) }];
}

function answerSupervision(
  command: Command<'answer-supervision'>,
  state: Admitted<'answer-supervision'>,
  ctx: DecisionContext,
): CaseEvent[] {
  const supervision = state.supervisions.find((candidate) => candidate.supervisionId === command.supervisionId);
  if (supervision === undefined) {
    throw invalid(command.type, `supervision order ${command.supervisionId} does not exist on this case`);
  }
  if (supervision.answeredAt !== undefined) {
    throw invalid(command.type, `supervision order ${command.supervisionId} was already answered at ${supervision.answeredAt}`);
  }
  const answer = requireText(command.answer, 'answer', command.type);
  return [{ type: 'SupervisionAnswered', data: { supervisionId: command.supervisionId, answer }, ...stamp(ctx) }];
}

function link(command: Command<'link'>, state: Admitted<'link'>, ctx: DecisionContext): CaseEvent[] {
  const relation = requireOneOf(LINK_RELATIONS, command.relation, 'relation', command.type);
  const targetId = requireText(command.targetId, 'targetId', command.type);
  if (targetId === state.id) {
    throw invalid(command.type, 'a case cannot be linked to itself');
  }
  const alreadyLinked = state.links.some((existing) => existing.targetId === targetId && existing.relation === relation);
  // Linking twice is a retry or a double click, not an error: nothing new to record.
  if (alreadyLinked) {
    return [];
  }
  return [{ type: 'CaseLinked', data: { targetId, relation }, ...stamp(ctx) }];
}

// ---------------------------------------------------------------------------------------------
// The 12345 platform's own steps
// ---------------------------------------------------------------------------------------------

function urge(command: Command<'urge'>, _state: Admitted<'urge'>, ctx: DecisionContext): CaseEvent[] {
  const note = command.note === undefined ? undefined : requireText(command.note, 'note', command.type);
  return [{ type: 'CaseUrged', data: compact({ note }), ...stamp(ctx) }];
}

/** Ends the ticket where it stands: its running deadlines end with it (docs/timeliness-rules.md, withdrawn tickets). */
function withdraw(command: Command<'withdraw'>, _state: Admitted<'withdraw'>, ctx: DecisionContext): CaseEvent[] {
  const reason = requireText(command.reason, 'reason', command.type);
  return [{ type: 'CaseWithdrawn', data: { reason }, ...stamp(ctx) }];
}

/**
 * Records the fields that change, each with its new value, and nothing when none does (the same
 * ticket again). The caller cannot be compared here (the state holds no personal data): a caller
 * given, or removed, counts as changed; the platform's intake gives it only when it differs from
 * the caller on file.
 */
function amendTicket(command: Command<'amend-ticket'>, state: Admitted<'amend-ticket'>, ctx: DecisionContext): CaseEvent[] {
  const removed = new Set(command.remove ?? []);
  for (const field of removed) {
    requireOneOf(REMOVABLE_TICKET_FIELDS, field, 'remove', command.type);
    if (command[field] !== undefined) throw invalid(command.type, `${field} is both given and removed`, { field });
  }
  const title = command.title === undefined ? undefined : requireText(command.title, 'title', command.type);
  const description = command.description === undefined ? undefined : requireText(command.description, 'description', command.type);
  const community = command.community === undefined ? undefined : requireText(command.community, 'community', command.type);
  const category = command.category === undefined ? undefined : requireText(command.category, 'category', command.type);
  const urgency = command.urgency === undefined ? undefined : requireOneOf(URGENCIES, command.urgency, 'urgency', command.type);
  const platformDeadline =
    command.platformDeadline === undefined ? undefined : requireInstant(command.platformDeadline, 'platformDeadline', command.type);
  const caller = command.caller && compact({ name: command.caller.name, phone: command.caller.phone });
  if (caller !== undefined && caller.name === undefined && caller.phone === undefined) {
    throw invalid(command.type, 'caller needs a name or a phone; remove it instead', { field: 'caller' });
  }
  const data: Omit<HotlineTicketAmended['data'], 'changed'> = compact({
    title,
    description,
    community,
    category,
    urgency,
    platformDeadline,
  });
  const changed = AMENDABLE_TICKET_FIELDS.filter((field) => {
    if (field === 'caller') return caller !== undefined || removed.has('caller');
    if ((removed as ReadonlySet<string>).has(field)) return state[field] !== undefined;
    const value = data[field];
    return value !== undefined && value !== state[field];
  });
  if (changed.length === 0) return [];
  const newValues = compact(Object.fromEntries(changed.filter((field) => field !== 'caller').map((field) => [field, data[field]])));
  return [
    {
      type: 'HotlineTicketAmended',
      data: { changed, ...newValues },
      ...(caller !== undefined && { personal: { caller } }),
      ...stamp(ctx),
    },
  ];
}

import type { Actor, Role } from '../shared/actor';
import { DomainError, IllegalTransitionError } from '../shared/errors';
import type {
  DecisionContext,
  IntakeCommand,
  LifecycleAction,
  LifecycleCommand,
  ReceiveHotlineTicket,
  RegisterDispute,
  RegisterPetition,
} from './case.commands';
import type { CaseEvent, CaseResolved, DeadlineSet } from './case.events';
import type { CaseState, DeadlineState, OpenedCase } from './case.state';
import {
  DISPUTE_OUTCOMES,
  LINK_RELATIONS,
  MEDIATION_TYPES,
  PETITION_OUTCOMES,
  REEXAMINATION_DECISIONS,
  RESOLVING_MILESTONE,
  SATISFACTIONS,
  TERMINAL_STATUSES,
} from './case.types';
import type { CaseKind, CaseStatus, Milestone, Urgency } from './case.types';

type Command<Action extends LifecycleAction> = Extract<LifecycleCommand, { type: Action }>;

const OVERSEEING_ROLES: readonly Role[] = ['supervisor', 'admin'];

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
      return accept(command, state, ctx);
    case 'reject':
      return reject(command, state, ctx);
    case 'dispatch':
      return dispatch(command, state, ctx);
    case 'sign':
      return sign(command, state, ctx);
    case 'return':
      return returnToDesk(command, state, ctx);
    case 'progress':
      return recordProgress(command, state, ctx);
    case 'note':
      return addNote(command, state, ctx);
    case 'request-extension':
      return requestExtension(command, state, ctx);
    case 'decide-extension':
      return decideExtension(command, state, ctx);
    case 'resolve':
      return resolve(command, state, ctx);
    case 'review':
      return review(command, state, ctx);
    case 'reopen':
      return reopen(command, state, ctx);
    case 'close':
      return close(command, state, ctx);
    case 'supervise':
      return supervise(command, state, ctx);
    case 'answer-supervision':
      return answerSupervision(command, state, ctx);
    case 'request-reexamination':
      return requestReexamination(command, state, ctx);
    case 'decide-reexamination':
      return decideReexamination(command, state, ctx);
    case 'link':
      return link(command, state, ctx);
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
// Business time (SPEC §2)
// ---------------------------------------------------------------------------------------------

function assertOccurredAtAllowed(state: CaseState, ctx: DecisionContext): void {
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
  if (occurredAt < recordedAt - ctx.backdatingWindowMs && !OVERSEEING_ROLES.includes(ctx.actor.role)) {
    throw new DomainError(
      'CASE.FORBIDDEN',
      `Back-dating to ${details.occurredAt}, before ${earliestWithoutRole}, needs the supervisor or admin role`,
      { ...details, earliestWithoutRole },
    );
  }
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
  return [
    {
      type: 'PetitionRegistered',
      data: { ...intakeData(command), kind: 'petition', channel: command.channel },
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

function accept(command: Command<'accept'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['registered']);
  requireRole(command, ctx.actor, DESK_ROLES);
  return [
    { type: 'CaseAccepted', data: compact({ note: command.note }), ...stamp(ctx) },
    startDeadline(state, RESOLVING_MILESTONE[state.kind], ctx),
  ];
}

function reject(command: Command<'reject'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['registered']);
  requireRole(command, ctx.actor, DESK_ROLES);
  const reason = requireText(command.reason, 'reason', command.type);
  return [{ type: 'CaseRejected', data: compact({ reason, referredTo: command.referredTo }), ...stamp(ctx) }];
}

function dispatch(command: Command<'dispatch'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['accepted']);
  requireRole(command, ctx.actor, DESK_ROLES);
  const unit = requireText(command.unit, 'unit', command.type);
  const dispatched: CaseEvent = {
    type: 'CaseDispatched',
    data: compact({ unit, instructions: command.instructions }),
    ...stamp(ctx),
  };
  if (state.kind !== 'hotline') {
    return [dispatched];
  }
  return [
    dispatched,
    startDeadline(state, 'sign', ctx),
    startDeadline(state, 'resolve', ctx, state.platformDeadline),
  ];
}

function sign(command: Command<'sign'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['dispatched']);
  requireOwnUnit(state, ctx);
  const { unit } = currentDispatch(command, state);
  return [{ type: 'CaseSigned', data: { unit }, ...stamp(ctx) }];
}

/** `return` is a reserved word, hence the longer name: the unit hands the case back to the desk. */
function returnToDesk(command: Command<'return'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['dispatched', 'in_progress']);
  requireOwnUnit(state, ctx);
  const reason = requireText(command.reason, 'reason', command.type);
  const { unit, dispatchedAt } = currentDispatch(command, state);
  const windowEnd = ctx.policy.windowEnd(state.kind, state.urgency, 'return', new Date(dispatchedAt));
  if (windowEnd !== null && ctx.occurredAt.getTime() > windowEnd.getTime()) {
    throw invalid(
      command.type,
      `the return window ended at ${windowEnd.toISOString()} (dispatched at ${dispatchedAt})`,
      { windowEnd: windowEnd.toISOString() },
    );
  }
  return [{ type: 'CaseReturned', data: { unit, reason }, ...stamp(ctx) }];
}

// ---------------------------------------------------------------------------------------------
// Resolution and review
// ---------------------------------------------------------------------------------------------

function resolve(command: Command<'resolve'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['in_progress']);
  requireOwnUnit(state, ctx);
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

function review(command: Command<'review'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['resolved']);
  requireRole(command, ctx.actor, DESK_ROLES);
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

function reopen(command: Command<'reopen'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['resolved']);
  requireRole(command, ctx.actor, DESK_ROLES);
  const reason = requireText(command.reason, 'reason', command.type);
  // The reopened case goes back to the unit that resolved it (SPEC §2), so there must be one.
  currentDispatch(command, state);
  return [
    { type: 'CaseReopened', data: { reason }, ...stamp(ctx) },
    // Counted from the reopen, never from the platform's original deadline: the unit gets fresh time.
    startDeadline(state, RESOLVING_MILESTONE[state.kind], ctx),
  ];
}

function close(command: Command<'close'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireStatus(command, state, ['resolved']);
  requireRole(command, ctx.actor, DESK_ROLES);
  return [{ type: 'CaseClosed', data: compact({ note: command.note, by: 'close' as const }), ...stamp(ctx) }];
}

// ---------------------------------------------------------------------------------------------
// Re-examination (petitions only)
// ---------------------------------------------------------------------------------------------

function requestReexamination(
  command: Command<'request-reexamination'>,
  state: OpenedCase,
  ctx: DecisionContext,
): CaseEvent[] {
  if (state.kind !== 'petition') {
    throw invalid(command.type, `only petitions can be re-examined, this case is a ${state.kind}`);
  }
  requireStatus(command, state, ['resolved', 'closed']);
  if (state.reexamination !== undefined) {
    throw invalid(command.type, `the case was already re-examined (requested at ${state.reexamination.requestedAt})`);
  }
  const reason = requireText(command.reason, 'reason', command.type);
  const repliedAt = state.resolution?.resolvedAt;
  if (repliedAt === undefined) {
    throw invalid(command.type, 'the case has no reply on record to re-examine');
  }
  const windowEnd = ctx.policy.windowEnd(state.kind, state.urgency, 'reexamination-request', new Date(repliedAt));
  if (windowEnd !== null && ctx.occurredAt.getTime() > windowEnd.getTime()) {
    throw invalid(
      command.type,
      `the window to ask for re-examination ended at ${windowEnd.toISOString()} (replied at ${repliedAt})`,
      { windowEnd: windowEnd.toISOString() },
    );
  }
  return [
    { type: 'ReexaminationRequested', data: { reason }, ...stamp(ctx) },
    startDeadline(state, 'reexamination', ctx),
  ];
}

function decideReexamination(
  command: Command<'decide-reexamination'>,
  state: OpenedCase,
  ctx: DecisionContext,
): CaseEvent[] {
  requireStatus(command, state, ['reexamination']);
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

function recordProgress(command: Command<'progress'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  requireOwnUnit(state, ctx);
  const text = requireText(command.text, 'text', command.type);
  return [{ type: 'ProgressRecorded', data: { text }, ...stamp(ctx) }];
}

function addNote(command: Command<'note'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  const text = requireText(command.text, 'text', command.type);
  return [{ type: 'NoteAdded', data: { text, internal: command.internal ?? false }, ...stamp(ctx) }];
}

function requestExtension(command: Command<'request-extension'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  requireOwnUnit(state, ctx);
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
  return [
    { type: 'ExtensionRequested', data: { requestId: ctx.newId(), milestone, days: command.days, reason }, ...stamp(ctx) },
  ];
}

function decideExtension(command: Command<'decide-extension'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  requireRole(command, ctx.actor, OVERSEEING_ROLES);
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

function supervise(command: Command<'supervise'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  requireRole(command, ctx.actor, OVERSEEING_ROLES);
  const instruction = requireText(command.instruction, 'instruction', command.type);
  const dueAt = command.dueAt === undefined ? undefined : requireInstant(command.dueAt, 'dueAt', command.type);
  return [
    { type: 'SupervisionIssued', data: compact({ supervisionId: ctx.newId(), instruction, dueAt }), ...stamp(ctx) },
  ];
}

function answerSupervision(command: Command<'answer-supervision'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
  requireOwnUnit(state, ctx);
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

function link(command: Command<'link'>, state: OpenedCase, ctx: DecisionContext): CaseEvent[] {
  requireOpen(command, state);
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
// Guards and helpers
// ---------------------------------------------------------------------------------------------

function stamp(ctx: DecisionContext): { occurredAt: string; actor: Actor } {
  return { occurredAt: ctx.occurredAt.toISOString(), actor: ctx.actor };
}

function requireStatus(command: LifecycleCommand, state: OpenedCase, allowed: readonly CaseStatus[]): void {
  if (!allowed.includes(state.status)) {
    throw new IllegalTransitionError(command.type, state.status);
  }
}

function requireOpen(command: LifecycleCommand, state: OpenedCase): void {
  if (TERMINAL_STATUSES.includes(state.status)) {
    throw new IllegalTransitionError(command.type, state.status);
  }
}

/** A handling-unit user acts only on cases dispatched to their own unit. */
function requireOwnUnit(state: OpenedCase, ctx: DecisionContext): void {
  const { actor } = ctx;
  if (actor.role === 'unit' && (actor.unit === undefined || actor.unit !== state.unit)) {
    throw new DomainError(
      'CASE.FORBIDDEN',
      `Unit '${actor.unit ?? '(none)'}' is not the handling unit of case ${state.id}`,
      { actorUnit: actor.unit, caseUnit: state.unit },
    );
  }
}

/** The desk's steps (triage, dispatch, call-back, reopen, close): never a handling unit's (SPEC §1). */
const DESK_ROLES: readonly Role[] = ['desk', 'supervisor', 'admin'];

function requireRole(command: LifecycleCommand, actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new DomainError('CASE.FORBIDDEN', `Command '${command.type}' needs one of the roles ${roles.join(', ')}`, {
      command: command.type,
      role: actor.role,
    });
  }
}

/** The unit holding the case and when it got it; every state between a dispatch and a return has both. */
function currentDispatch(command: LifecycleCommand, state: OpenedCase): { unit: string; dispatchedAt: string } {
  if (state.unit === undefined || state.dispatchedAt === undefined) {
    throw invalid(command.type, `case ${state.id} has no handling unit on record`);
  }
  return { unit: state.unit, dispatchedAt: state.dispatchedAt };
}

function runningDeadline(state: OpenedCase, milestone: Milestone): DeadlineState | undefined {
  return state.deadlines.find((deadline) => deadline.milestone === milestone && deadline.reachedAt === undefined);
}

function pendingExtension(state: OpenedCase) {
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
function startDeadline(
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

function invalid(command: string, problem: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('CASE.INVALID_COMMAND', `Command '${command}': ${problem}`, { command, ...details });
}

function requireText(value: string | undefined, field: string, command: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(command, `${field} is required`, { field });
  }
  return value;
}

function requireOneOf<Allowed extends string>(
  allowed: readonly Allowed[],
  value: unknown,
  field: string,
  command: string,
): Allowed {
  if (!allowed.includes(value as Allowed)) {
    throw invalid(command, `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { field });
  }
  return value as Allowed;
}

/** Normalises an instant to ISO-8601 UTC so stored times compare as strings and as dates alike. */
function requireInstant(value: string, field: string, command: string): string {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw invalid(command, `${field} is not a valid date-time: ${JSON.stringify(value)}`, { field });
  }
  return new Date(millis).toISOString();
}

/** Refuses fields that belong to another kind's body rather than dropping them silently. */
function forbidFields<Body extends LifecycleCommand>(
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
function compact<Value extends object>(value: Value): Value {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Value;
}

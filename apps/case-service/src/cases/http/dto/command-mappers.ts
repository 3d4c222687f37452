import type {
  CaseKind,
  IntakeIds,
  Caller,
  DisputeParty,
  LifecycleAction,
  LifecycleCommand,
  Petitioner,
  ReceiveHotlineTicket,
  RegisterDispute,
  RegisterPetition,
} from '@cases/domain';
import type { Type } from '@nestjs/common';
import { CallerDto, DisputePartyDto, PetitionerDto, ReceiveHotlineTicketDto, RegisterDisputeDto, RegisterPetitionDto } from './intake.dto';
import {
  AcceptDto,
  AmendTicketDto,
  AnswerSupervisionDto,
  CloseDto,
  DecideExtensionDto,
  DecideReexaminationDto,
  DispatchDto,
  LinkDto,
  NoteDto,
  ProgressDto,
  RejectDto,
  ReopenDto,
  RequestExtensionDto,
  RequestReexaminationDto,
  ResolveDto,
  ReturnDto,
  ReviewDto,
  SignDto,
  SuperviseDto,
  UrgeDto,
  WithdrawDto,
} from './lifecycle.dto';

/*
 * Request bodies become domain commands here. Every field is copied by name, never by spreading
 * the request object, so a property that slipped onto a DTO can never reach a command (no mass
 * assignment). `occurredAt` is not copied: the pipeline reads it into the decision context.
 */

/** The body class of each lifecycle action. */
export interface LifecycleDtos {
  accept: AcceptDto;
  reject: RejectDto;
  dispatch: DispatchDto;
  sign: SignDto;
  return: ReturnDto;
  progress: ProgressDto;
  note: NoteDto;
  'request-extension': RequestExtensionDto;
  'decide-extension': DecideExtensionDto;
  resolve: ResolveDto;
  review: ReviewDto;
  reopen: ReopenDto;
  close: CloseDto;
  supervise: SuperviseDto;
  'answer-supervision': AnswerSupervisionDto;
  'request-reexamination': RequestReexaminationDto;
  'decide-reexamination': DecideReexaminationDto;
  link: LinkDto;
  urge: UrgeDto;
  withdraw: WithdrawDto;
  'amend-ticket': AmendTicketDto;
}

/** The body class of each intake endpoint, by case kind. */
export interface IntakeDtos {
  petition: RegisterPetitionDto;
  hotline: ReceiveHotlineTicketDto;
  dispute: RegisterDisputeDto;
}

export type LifecycleCommandOf<A extends LifecycleAction> = Extract<LifecycleCommand, { type: A }>;

/** An intake of each kind as the body gives it: the handler adds the case id, organisation and number. */
export type IntakeDetailsOf<K extends CaseKind> = Omit<
  { petition: RegisterPetition; hotline: ReceiveHotlineTicket; dispute: RegisterDispute }[K],
  keyof IntakeIds
>;

/** The class each intake endpoint validates its body with. */
export const INTAKE_DTOS: { readonly [K in CaseKind]: Type<IntakeDtos[K]> } = {
  petition: RegisterPetitionDto,
  hotline: ReceiveHotlineTicketDto,
  dispute: RegisterDisputeDto,
};

/** Optional fields the body left out are dropped, so no command carries `key: undefined`. */
function withoutUndefined<T extends object>(fields: T): T {
  // A loop, not entries/filter/fromEntries: every command passes here, and those arrays are garbage.
  const copy: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T)[]) if (fields[key] !== undefined) copy[key] = fields[key];
  return copy as T;
}

function toPetitioner(dto: PetitionerDto): Petitioner {
  return withoutUndefined({ name: dto.name, phone: dto.phone, idNumber: dto.idNumber, address: dto.address });
}

function toCaller(dto: CallerDto): Caller {
  return withoutUndefined({ name: dto.name, phone: dto.phone });
}

function toDisputeParty(dto: DisputePartyDto): DisputeParty {
  return withoutUndefined({ name: dto.name, phone: dto.phone, role: dto.role });
}

type IntakeBody = IntakeDtos[CaseKind];

function intakeFields(dto: IntakeBody) {
  return {
    title: dto.title,
    description: dto.description,
    community: dto.community,
    category: dto.category,
  };
}

const INTAKE_MAPPERS: { readonly [K in CaseKind]: (dto: IntakeDtos[K]) => IntakeDetailsOf<K> } = {
  petition: (dto) =>
    withoutUndefined({
      type: 'register-petition',
      ...intakeFields(dto),
      channel: dto.channel,
      petitioner: toPetitioner(dto.petitioner),
      complainedUnits: dto.complainedUnits,
    }),
  hotline: (dto) =>
    withoutUndefined({
      type: 'receive-hotline-ticket',
      ...intakeFields(dto),
      platformTicketNo: dto.platformTicketNo,
      urgency: dto.urgency,
      caller: dto.caller && toCaller(dto.caller),
      platformDeadline: dto.platformDeadline,
    }),
  dispute: (dto) =>
    withoutUndefined({
      type: 'register-dispute',
      ...intakeFields(dto),
      source: dto.source,
      parties: dto.parties.map(toDisputeParty),
    }),
};

/** The intake of a case of `kind`, from a body validated with `INTAKE_DTOS[kind]`; the handler adds the ids. */
export function toIntake<K extends CaseKind>(kind: K, dto: IntakeDtos[K]): IntakeDetailsOf<K> {
  const toDetails = INTAKE_MAPPERS[kind];
  return toDetails(dto);
}

/** A lifecycle command's HTTP side: the body its route validates and how that body becomes the domain command. */
export interface CaseAction<A extends LifecycleAction> {
  body: Type<LifecycleDtos[A]>;
  toCommand: (dto: LifecycleDtos[A]) => LifecycleCommandOf<A>;
}

/**
 * One entry per lifecycle command. The mapped type makes the compiler prove every action of the
 * domain has exactly one; the routes (case-actions.controller.ts) and their OpenAPI operations are
 * generated from it, and the rule the command obeys is LIFECYCLE_RULES[action] in the domain.
 */
export const CASE_ACTIONS: { readonly [A in LifecycleAction]: CaseAction<A> } = {
  accept: { body: AcceptDto, toCommand: (dto) => withoutUndefined({ type: 'accept', note: dto.note }) },
  reject: { body: RejectDto, toCommand: (dto) => withoutUndefined({ type: 'reject', reason: dto.reason, referredTo: dto.referredTo }) },
  dispatch: {
    body: DispatchDto,
    toCommand: (dto) =>
      withoutUndefined({ type: 'dispatch', unit: dto.unit, instructions: dto.instructions, overrideReason: dto.overrideReason }),
  },
  sign: { body: SignDto, toCommand: () => ({ type: 'sign' }) },
  return: { body: ReturnDto, toCommand: (dto) => ({ type: 'return', reason: dto.reason }) },
  progress: { body: ProgressDto, toCommand: (dto) => ({ type: 'progress', text: dto.text }) },
  note: { body: NoteDto, toCommand: (dto) => withoutUndefined({ type: 'note', text: dto.text, internal: dto.internal }) },
  'request-extension': {
    body: RequestExtensionDto,
    toCommand: (dto) => ({ type: 'request-extension', days: dto.days, reason: dto.reason }),
  },
  'decide-extension': {
    body: DecideExtensionDto,
    toCommand: (dto) => withoutUndefined({ type: 'decide-extension', approved: dto.approved, reason: dto.reason }),
  },
  resolve: {
    body: ResolveDto,
    toCommand: (dto) =>
      withoutUndefined({
        type: 'resolve',
        outcome: dto.outcome,
        reply: dto.reply,
        mediationType: dto.mediationType,
        agreement: dto.agreement,
        referral: dto.referral,
      }),
  },
  review: {
    body: ReviewDto,
    toCommand: (dto) => withoutUndefined({ type: 'review', satisfaction: dto.satisfaction, solved: dto.solved, note: dto.note }),
  },
  reopen: { body: ReopenDto, toCommand: (dto) => ({ type: 'reopen', reason: dto.reason }) },
  close: { body: CloseDto, toCommand: (dto) => withoutUndefined({ type: 'close', note: dto.note }) },
  supervise: {
    body: SuperviseDto,
    toCommand: (dto) => withoutUndefined({ type: 'supervise', instruction: dto.instruction, dueAt: dto.dueAt }),
  },
  'answer-supervision': {
    body: AnswerSupervisionDto,
    toCommand: (dto) => ({ type: 'answer-supervision', supervisionId: dto.supervisionId, answer: dto.answer }),
  },
  'request-reexamination': {
    body: RequestReexaminationDto,
    toCommand: (dto) => ({ type: 'request-reexamination', reason: dto.reason }),
  },
  'decide-reexamination': {
    body: DecideReexaminationDto,
    toCommand: (dto) => ({ type: 'decide-reexamination', decision: dto.decision, opinion: dto.opinion }),
  },
  link: { body: LinkDto, toCommand: (dto) => ({ type: 'link', targetId: dto.targetId, relation: dto.relation }) },
  urge: { body: UrgeDto, toCommand: (dto) => withoutUndefined({ type: 'urge', note: dto.note }) },
  withdraw: { body: WithdrawDto, toCommand: (dto) => ({ type: 'withdraw', reason: dto.reason }) },
  'amend-ticket': {
    body: AmendTicketDto,
    toCommand: (dto) =>
      withoutUndefined({
        type: 'amend-ticket',
        title: dto.title,
        description: dto.description,
        community: dto.community,
        category: dto.category,
        urgency: dto.urgency,
        platformDeadline: dto.platformDeadline,
        caller: dto.caller && withoutUndefined({ name: dto.caller.name, phone: dto.caller.phone }),
        remove: dto.remove,
      }),
  },
};

/** The lifecycle command for `action`, from a body validated with `CASE_ACTIONS[action].body`. */
export function toLifecycleCommand<A extends LifecycleAction>(action: A, dto: LifecycleDtos[A]): LifecycleCommandOf<A> {
  const { toCommand } = CASE_ACTIONS[action];
  return toCommand(dto);
}

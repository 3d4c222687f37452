import type {
  CaseKind,
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
import {
  CallerDto,
  DisputePartyDto,
  PetitionerDto,
  ReceiveHotlineTicketDto,
  RegisterDisputeDto,
  RegisterPetitionDto,
} from './intake.dto';
import {
  AcceptDto,
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
}

/** The body class of each intake endpoint, by case kind. */
export interface IntakeDtos {
  petition: RegisterPetitionDto;
  hotline: ReceiveHotlineTicketDto;
  dispute: RegisterDisputeDto;
}

export type LifecycleCommandOf<A extends LifecycleAction> = Extract<LifecycleCommand, { type: A }>;

export interface IntakeCommands {
  petition: RegisterPetition;
  hotline: ReceiveHotlineTicket;
  dispute: RegisterDispute;
}

/** What the intake handler allocates before deciding (SPEC §2: the number is per org, kind and year). */
export interface IntakeIds {
  caseId: string;
  orgId: string;
  number: string;
}

/** The class `POST /api/cases/{id}/{action}` validates its body with. */
export const LIFECYCLE_DTOS: { readonly [A in LifecycleAction]: Type<LifecycleDtos[A]> } = {
  accept: AcceptDto,
  reject: RejectDto,
  dispatch: DispatchDto,
  sign: SignDto,
  return: ReturnDto,
  progress: ProgressDto,
  note: NoteDto,
  'request-extension': RequestExtensionDto,
  'decide-extension': DecideExtensionDto,
  resolve: ResolveDto,
  review: ReviewDto,
  reopen: ReopenDto,
  close: CloseDto,
  supervise: SuperviseDto,
  'answer-supervision': AnswerSupervisionDto,
  'request-reexamination': RequestReexaminationDto,
  'decide-reexamination': DecideReexaminationDto,
  link: LinkDto,
};

/** The class each intake endpoint validates its body with. */
export const INTAKE_DTOS: { readonly [K in CaseKind]: Type<IntakeDtos[K]> } = {
  petition: RegisterPetitionDto,
  hotline: ReceiveHotlineTicketDto,
  dispute: RegisterDisputeDto,
};

/** Optional fields the body left out are dropped, so no command carries `key: undefined`. */
function withoutUndefined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

const LIFECYCLE_MAPPERS: { readonly [A in LifecycleAction]: (dto: LifecycleDtos[A]) => LifecycleCommandOf<A> } = {
  accept: (dto) => withoutUndefined({ type: 'accept', note: dto.note }),
  reject: (dto) => withoutUndefined({ type: 'reject', reason: dto.reason, referredTo: dto.referredTo }),
  dispatch: (dto) => withoutUndefined({ type: 'dispatch', unit: dto.unit, instructions: dto.instructions }),
  sign: () => ({ type: 'sign' }),
  return: (dto) => ({ type: 'return', reason: dto.reason }),
  progress: (dto) => ({ type: 'progress', text: dto.text }),
  note: (dto) => withoutUndefined({ type: 'note', text: dto.text, internal: dto.internal }),
  'request-extension': (dto) => ({ type: 'request-extension', days: dto.days, reason: dto.reason }),
  'decide-extension': (dto) =>
    withoutUndefined({ type: 'decide-extension', approved: dto.approved, reason: dto.reason }),
  resolve: (dto) =>
    withoutUndefined({
      type: 'resolve',
      outcome: dto.outcome,
      reply: dto.reply,
      mediationType: dto.mediationType,
      agreement: dto.agreement,
      referral: dto.referral,
    }),
  review: (dto) =>
    withoutUndefined({ type: 'review', satisfaction: dto.satisfaction, solved: dto.solved, note: dto.note }),
  reopen: (dto) => ({ type: 'reopen', reason: dto.reason }),
  close: (dto) => withoutUndefined({ type: 'close', note: dto.note }),
  supervise: (dto) => withoutUndefined({ type: 'supervise', instruction: dto.instruction, dueAt: dto.dueAt }),
  'answer-supervision': (dto) => ({
    type: 'answer-supervision',
    supervisionId: dto.supervisionId,
    answer: dto.answer,
  }),
  'request-reexamination': (dto) => ({ type: 'request-reexamination', reason: dto.reason }),
  'decide-reexamination': (dto) => ({ type: 'decide-reexamination', decision: dto.decision, opinion: dto.opinion }),
  link: (dto) => ({ type: 'link', targetId: dto.targetId, relation: dto.relation }),
};

/** The lifecycle command for `action`, from a body validated with `LIFECYCLE_DTOS[action]`. */
export function toLifecycleCommand<A extends LifecycleAction>(action: A, dto: LifecycleDtos[A]): LifecycleCommandOf<A> {
  const toCommand = LIFECYCLE_MAPPERS[action];
  return toCommand(dto);
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

function intakeFields(dto: IntakeBody, ids: IntakeIds) {
  return {
    caseId: ids.caseId,
    orgId: ids.orgId,
    number: ids.number,
    title: dto.title,
    description: dto.description,
    community: dto.community,
    category: dto.category,
  };
}

const INTAKE_MAPPERS: { readonly [K in CaseKind]: (dto: IntakeDtos[K], ids: IntakeIds) => IntakeCommands[K] } = {
  petition: (dto, ids) =>
    withoutUndefined({
      type: 'register-petition',
      ...intakeFields(dto, ids),
      channel: dto.channel,
      petitioner: toPetitioner(dto.petitioner),
    }),
  hotline: (dto, ids) =>
    withoutUndefined({
      type: 'receive-hotline-ticket',
      ...intakeFields(dto, ids),
      platformTicketNo: dto.platformTicketNo,
      urgency: dto.urgency,
      caller: dto.caller && toCaller(dto.caller),
      platformDeadline: dto.platformDeadline,
    }),
  dispute: (dto, ids) =>
    withoutUndefined({
      type: 'register-dispute',
      ...intakeFields(dto, ids),
      source: dto.source,
      parties: dto.parties.map(toDisputeParty),
    }),
};

/** The intake command for a case of `kind`, from a body validated with `INTAKE_DTOS[kind]`. */
export function toIntakeCommand<K extends CaseKind>(kind: K, dto: IntakeDtos[K], ids: IntakeIds): IntakeCommands[K] {
  const toCommand = INTAKE_MAPPERS[kind];
  return toCommand(dto, ids);
}

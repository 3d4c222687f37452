import type { Actor } from '../shared/actor';
import type {
  CaseKind,
  DisputeOutcome,
  DisputeSource,
  LinkRelation,
  MediationType,
  Milestone,
  PetitionChannel,
  PetitionOutcome,
  ReexaminationDecision,
  Satisfaction,
  Urgency,
} from './case.types';

/**
 * Every case event has the same envelope: a stored type name (an explicit string, never a class
 * name), its data, who did it and when it happened in business time (`occurredAt`, ISO-8601).
 *
 * PERSONAL DATA lives only in `personal`. Nothing in `data`, in stream names or in ids may
 * identify a person: `personal` is what gets encrypted per person, masked, dropped from Kafka
 * and shredded. Keep it that way when adding events.
 */
export interface CaseEventBase<Type extends string, Data, Personal = never> {
  type: Type;
  data: Data;
  personal?: [Personal] extends [never] ? undefined : Personal;
  occurredAt: string;
  actor: Actor;
}

// ---- personal data shapes (SPEC §7) ----
export interface Petitioner {
  name: string;
  phone?: string;
  idNumber?: string;
  address?: string;
}
export interface Caller {
  name?: string;
  phone?: string;
}
export interface DisputeParty {
  name: string;
  phone?: string;
  role?: string;
}

// ---- intake ----
interface IntakeData {
  caseId: string;
  orgId: string;
  number: string;
  title: string;
  description: string;
  community: string;
  category?: string;
}
export type PetitionRegistered = CaseEventBase<
  'PetitionRegistered',
  IntakeData & { kind: 'petition'; channel: PetitionChannel; complainedUnits?: string[] },
  { petitioner: Petitioner }
>;
export type HotlineTicketReceived = CaseEventBase<
  'HotlineTicketReceived',
  IntakeData & { kind: 'hotline'; platformTicketNo: string; urgency: Urgency; platformDeadline?: string },
  { caller?: Caller }
>;
export type DisputeRegistered = CaseEventBase<
  'DisputeRegistered',
  IntakeData & { kind: 'dispute'; source: DisputeSource },
  { parties: DisputeParty[] }
>;

/** The details of a hotline ticket an amendment can change, named as the intake body names them. */
export const AMENDABLE_TICKET_FIELDS = ['title', 'description', 'community', 'category', 'urgency', 'platformDeadline', 'caller'] as const;
export type AmendableTicketField = (typeof AMENDABLE_TICKET_FIELDS)[number];
/**
 * 工单更正: the ticket's details were corrected (the 12345 platform resent the ticket with other
 * content, or the desk corrected one it typed in). `changed` names every field that changed; `data`
 * holds the new value of each changed field that is not personal, and `personal.caller` the new
 * caller. A changed field with no new value (in `data`, or `personal` for the caller) was removed.
 * Old values are in the earlier events. A changed deadline or urgency applies to the deadlines
 * started from then on (docs/timeliness-rules.md, amended tickets).
 */
export type HotlineTicketAmended = CaseEventBase<
  'HotlineTicketAmended',
  {
    changed: AmendableTicketField[];
    title?: string;
    description?: string;
    community?: string;
    category?: string;
    urgency?: Urgency;
    platformDeadline?: string;
  },
  { caller?: Caller }
>;

// ---- lifecycle ----
export type CaseAccepted = CaseEventBase<'CaseAccepted', { note?: string }>;
export type CaseRejected = CaseEventBase<'CaseRejected', { reason: string; referredTo?: string }>;
/** `overrideReason`: a supervisor dispatched a petition to a unit it complains about, and why. */
export type CaseDispatched = CaseEventBase<'CaseDispatched', { unit: string; instructions?: string; overrideReason?: string }>;
export type CaseSigned = CaseEventBase<'CaseSigned', { unit: string }>;
export type CaseReturned = CaseEventBase<'CaseReturned', { unit: string; reason: string }>;
export type ProgressRecorded = CaseEventBase<'ProgressRecorded', { text: string }>;
export type NoteAdded = CaseEventBase<'NoteAdded', { text: string; internal: boolean }>;
export type ExtensionRequested = CaseEventBase<
  'ExtensionRequested',
  { requestId: string; milestone: Milestone; days: number; reason: string }
>;
export type ExtensionDecided = CaseEventBase<
  'ExtensionDecided',
  { requestId: string; milestone: Milestone; approved: boolean; reason?: string }
>;
export type CaseResolved = CaseEventBase<
  'CaseResolved',
  | { kind: 'petition'; outcome: PetitionOutcome; reply: string }
  | { kind: 'hotline'; reply: string }
  | { kind: 'dispute'; outcome: DisputeOutcome; mediationType: MediationType; agreement?: string; referral?: string }
>;
export type CaseReviewed = CaseEventBase<'CaseReviewed', { satisfaction?: Satisfaction; solved?: boolean; note?: string }>;
export type CaseReopened = CaseEventBase<'CaseReopened', { reason: string }>;
export type CaseClosed = CaseEventBase<'CaseClosed', { note?: string; by: 'review' | 'close' | 'reexamination' }>;
export type SupervisionIssued = CaseEventBase<'SupervisionIssued', { supervisionId: string; instruction: string; dueAt?: string }>;
export type SupervisionAnswered = CaseEventBase<'SupervisionAnswered', { supervisionId: string; answer: string }>;
export type ReexaminationRequested = CaseEventBase<'ReexaminationRequested', { reason: string }>;
export type ReexaminationDecided = CaseEventBase<'ReexaminationDecided', { decision: ReexaminationDecision; opinion: string }>;
export type CaseLinked = CaseEventBase<'CaseLinked', { targetId: string; relation: LinkRelation }>;
/** 催办: the 12345 platform (or the desk, told by phone) urged the ticket; `occurredAt` is when. Changes no status. */
export type CaseUrged = CaseEventBase<'CaseUrged', { note?: string }>;
/** 撤单: the 12345 platform withdrew the ticket; terminal, and it ends every running deadline episode. */
export type CaseWithdrawn = CaseEventBase<'CaseWithdrawn', { reason: string }>;

// ---- deadlines (SPEC §3) ----
/**
 * A milestone's deadline, set when its starting event happens and set again (next version) when
 * an approved extension moves it or the step restarts (a re-dispatch, a reopen). Every version
 * stays in the history.
 */
export type DeadlineSet = CaseEventBase<
  'DeadlineSet',
  { milestone: Milestone; version: number; startedAt: string; dueAt: string; provisional: boolean; cause: DeadlineCause }
>;
export type DeadlineCause = 'started' | 'extended' | 'restarted';
/** Recorded by the scheduler; not a command, so it never blocks back-dating. */
export type DeadlineWarningIssued = CaseEventBase<'DeadlineWarningIssued', { milestone: Milestone; version: number; dueAt: string }>;
export type DeadlineMissed = CaseEventBase<'DeadlineMissed', { milestone: Milestone; version: number; dueAt: string }>;

// ---- personal data (SPEC §7) ----
/**
 * Someone was shown the full personal data of the case (`GET /api/cases/{id}?reveal=personal`):
 * the actor and recordedAt say who and when; `fields` which ones (`petitioner.phone`), never values.
 */
export type PersonalDataRevealed = CaseEventBase<'PersonalDataRevealed', { fields: string[]; reason: string }>;
/** A person's data key was destroyed (crypto-shredding): the person id is a random UUID, not personal data. */
export type PersonalDataDestroyed = CaseEventBase<'PersonalDataDestroyed', { personId: string; reason: string }>;

export type IntakeEvent = PetitionRegistered | HotlineTicketReceived | DisputeRegistered;
export type SchedulerEvent = DeadlineWarningIssued | DeadlineMissed;
export type CaseEvent =
  | IntakeEvent
  | CaseAccepted
  | CaseRejected
  | CaseDispatched
  | CaseSigned
  | CaseReturned
  | ProgressRecorded
  | NoteAdded
  | ExtensionRequested
  | ExtensionDecided
  | CaseResolved
  | CaseReviewed
  | CaseReopened
  | CaseClosed
  | SupervisionIssued
  | SupervisionAnswered
  | ReexaminationRequested
  | ReexaminationDecided
  | CaseLinked
  | CaseUrged
  | CaseWithdrawn
  | HotlineTicketAmended
  | DeadlineSet
  | SchedulerEvent
  | PersonalDataRevealed
  | PersonalDataDestroyed;
export type CaseEventType = CaseEvent['type'];

export const SCHEDULER_EVENT_TYPES: readonly CaseEventType[] = ['DeadlineWarningIssued', 'DeadlineMissed'];
/** Records of who read or erased personal data: not steps of the case, so they change no state. */
export const PERSONAL_DATA_EVENT_TYPES: readonly CaseEventType[] = ['PersonalDataRevealed', 'PersonalDataDestroyed'];

export function isIntakeEvent(event: CaseEvent): event is IntakeEvent {
  return event.type === 'PetitionRegistered' || event.type === 'HotlineTicketReceived' || event.type === 'DisputeRegistered';
}

export type { CaseKind };

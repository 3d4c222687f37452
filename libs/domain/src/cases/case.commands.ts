import type { Actor } from '../shared/actor';
import type { DeadlinePolicy } from '../deadlines/deadline-policy';
import type { Caller, DisputeParty, Petitioner } from './case.events';
import type {
  CaseKind,
  DisputeOutcome,
  DisputeSource,
  LinkRelation,
  MediationType,
  PetitionChannel,
  PetitionOutcome,
  ReexaminationDecision,
  Satisfaction,
  Urgency,
} from './case.types';

// ---- intake: the handler allocates id and number (I/O) before deciding ----
interface IntakeBase {
  caseId: string;
  orgId: string;
  number: string;
  title: string;
  description: string;
  community: string;
  category?: string;
}
export interface RegisterPetition extends IntakeBase {
  type: 'register-petition';
  channel: PetitionChannel;
  petitioner: Petitioner;
  /** Units (directory codes) the petition complains about (被反映单位): never dispatched to without a supervisor's override. */
  complainedUnits?: string[];
}
export interface ReceiveHotlineTicket extends IntakeBase {
  type: 'receive-hotline-ticket';
  platformTicketNo: string;
  urgency: Urgency;
  caller?: Caller;
  platformDeadline?: string;
}
export interface RegisterDispute extends IntakeBase {
  type: 'register-dispute';
  source: DisputeSource;
  parties: DisputeParty[];
}
export type IntakeCommand = RegisterPetition | ReceiveHotlineTicket | RegisterDispute;

/** What the intake handler allocates before deciding: the number is per organisation, kind and year. */
export interface IntakeIds {
  caseId: string;
  orgId: string;
  number: string;
}

/** An intake as a caller states it, before the handler allocates its ids: plain data, one shape per kind. */
export type IntakeDetails = IntakeCommand extends infer Command
  ? Command extends IntakeCommand
    ? Omit<Command, keyof IntakeIds>
    : never
  : never;

/** The kind of case each intake opens. */
export const INTAKE_KIND: { readonly [Type in IntakeCommand['type']]: CaseKind } = {
  'register-petition': 'petition',
  'receive-hotline-ticket': 'hotline',
  'register-dispute': 'dispute',
};

// ---- lifecycle: `type` is the URL action of SPEC §6 ----

/** The optional details of a hotline ticket that an amendment can take away (the platform resent it without them). */
export const REMOVABLE_TICKET_FIELDS = ['category', 'platformDeadline', 'caller'] as const;
export type RemovableTicketField = (typeof REMOVABLE_TICKET_FIELDS)[number];

/**
 * A correction of a hotline ticket's details (工单更正): each field given is the ticket's new value,
 * each field named in `remove` is taken away, every other field stays as it is. `caller` is
 * PERSONAL DATA (SPEC §7): the decision puts it in the event's sealed personal part only.
 */
export interface TicketAmendment {
  title?: string;
  description?: string;
  community?: string;
  category?: string;
  urgency?: Urgency;
  platformDeadline?: string;
  caller?: Caller;
  remove?: RemovableTicketField[];
}
export type LifecycleCommand =
  | { type: 'accept'; note?: string }
  | { type: 'reject'; reason: string; referredTo?: string }
  | { type: 'dispatch'; unit: string; instructions?: string; overrideReason?: string }
  | { type: 'sign' }
  | { type: 'return'; reason: string }
  | { type: 'progress'; text: string }
  | { type: 'note'; text: string; internal?: boolean }
  | { type: 'request-extension'; days: number; reason: string }
  | { type: 'decide-extension'; approved: boolean; reason?: string }
  | {
      type: 'resolve';
      outcome?: PetitionOutcome | DisputeOutcome;
      reply?: string;
      mediationType?: MediationType;
      agreement?: string;
      referral?: string;
    }
  | { type: 'review'; satisfaction?: Satisfaction; solved?: boolean; note?: string }
  | { type: 'reopen'; reason: string }
  | { type: 'close'; note?: string }
  | { type: 'supervise'; instruction: string; dueAt?: string }
  | { type: 'answer-supervision'; supervisionId: string; answer: string }
  | { type: 'request-reexamination'; reason: string }
  | { type: 'decide-reexamination'; decision: ReexaminationDecision; opinion: string }
  | { type: 'link'; targetId: string; relation: LinkRelation }
  | { type: 'urge'; note?: string }
  | { type: 'withdraw'; reason: string }
  | ({ type: 'amend-ticket' } & TicketAmendment);
export type LifecycleAction = LifecycleCommand['type'];

export type CaseCommand = IntakeCommand | LifecycleCommand;

/**
 * Everything a decision needs besides state and command. Time arrives here; nothing in the
 * domain reads a clock. Retries re-run `decide` with the same context, so it must stay pure.
 */
export interface DecisionContext {
  actor: Actor;
  /** Server clock when the command was received (becomes `recordedAt`). */
  recordedAt: Date;
  /** Business time of the step; defaults to `recordedAt` when the command gives none. */
  occurredAt: Date;
  /** Back-dating further than this needs the supervisor or admin role (SPEC §2). */
  backdatingWindowMs: number;
  policy: DeadlinePolicy;
  /** Fresh ids for sub-entities (extension requests); injected so specs stay deterministic. */
  newId: () => string;
}

import type { Actor } from '../shared/actor';
import type { CaseResolved, ReexaminationDecided } from './case.events';
import type {
  CaseKind,
  CaseStatus,
  DisputeSource,
  LinkRelation,
  Milestone,
  PetitionChannel,
  Satisfaction,
  Urgency,
} from './case.types';

/** The current version of one milestone's deadline, and whether it was reached. Times are ISO-8601. */
export interface DeadlineState {
  milestone: Milestone;
  version: number;
  startedAt: string;
  dueAt: string;
  provisional: boolean;
  reachedAt?: string;
  /** Highest deadline version the scheduler has warned about / recorded a miss for. */
  warnedVersion?: number;
  missedVersion?: number;
  extensionsApproved: number;
}

export interface ExtensionState {
  requestId: string;
  milestone: Milestone;
  days: number;
  reason: string;
  requestedAt: string;
  requestedBy: Actor;
  decision?: { approved: boolean; reason?: string; decidedAt: string; decidedBy: Actor };
}

export interface SupervisionState {
  supervisionId: string;
  instruction: string;
  dueAt?: string;
  issuedAt: string;
  issuedBy: Actor;
  answer?: string;
  answeredAt?: string;
  answeredBy?: Actor;
}

export interface ReviewState {
  satisfaction?: Satisfaction;
  solved?: boolean;
  note?: string;
  reviewedAt: string;
}

/** A case folded from its events. `personal` is never part of state: deciders do not need it. */
export interface OpenedCase {
  id: string;
  orgId: string;
  kind: CaseKind;
  number: string;
  status: CaseStatus;
  title: string;
  description: string;
  community: string;
  category?: string;
  urgency: Urgency;
  channel?: PetitionChannel;
  source?: DisputeSource;
  platformTicketNo?: string;
  platformDeadline?: string;
  /** The handling unit the case is dispatched to (kept after resolve; cleared by a return). */
  unit?: string;
  /** `occurredAt` of the dispatch to `unit`: the return window counts from it. Cleared by a return. */
  dispatchedAt?: string;
  registeredAt: string;
  /** `occurredAt` of the latest command event; scheduler events do not count (SPEC §2). */
  lastCommandAt: string;
  deadlines: DeadlineState[];
  extensions: ExtensionState[];
  supervisions: SupervisionState[];
  links: { targetId: string; relation: LinkRelation }[];
  rejection?: { reason: string; referredTo?: string; rejectedAt: string };
  resolution?: CaseResolved['data'] & { resolvedAt: string };
  reviews: ReviewState[];
  reexamination?: {
    reason: string;
    requestedAt: string;
    decision?: ReexaminationDecided['data'] & { decidedAt: string };
  };
  closedAt?: string;
  /** Number of events folded: the stream revision + 1. */
  eventCount: number;
}

export type CaseState = { status: 'none' } | OpenedCase;
export const INITIAL_CASE_STATE: CaseState = { status: 'none' };

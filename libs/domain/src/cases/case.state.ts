import type { Actor } from '../shared/actor';
import type { CaseResolved, ReexaminationDecided } from './case.events';
import type { CaseKind, CaseStatus, DisputeSource, LinkRelation, Milestone, PetitionChannel, Satisfaction, Urgency } from './case.types';

/** The step that ended a deadline episode before its milestone was reached (docs/timeliness-rules.md). */
export type EpisodeEnd = 'return' | 'reopen' | 'restart' | 'late-extension' | 'withdrawal';

/** From `from` on, the handling unit holding the case; without `unit`, none did (not yet dispatched, or returned). */
export interface CustodyChange {
  from: string;
  unit?: string;
}

/**
 * One episode of a milestone's deadline (docs/timeliness-rules.md): from the step that started or
 * restarted its clock to the step that reached the milestone, or to the step that ended it
 * unreached. Times are ISO-8601 business times.
 */
export interface DeadlineEpisode {
  /** 1 for the milestone's first episode, one more for each restart. */
  episode: number;
  startedAt: string;
  /** The episode's deadline: an extension approved before it passed moves it (the final deadline). */
  dueAt: string;
  provisional: boolean;
  reachedAt?: string;
  /** When a step ended the episode before the milestone was reached, and which step. */
  endedAt?: string;
  endedBy?: EpisodeEnd;
  /** Who held the case while the episode ran, oldest first: the first entry is at `startedAt`. */
  custody: CustodyChange[];
}

/**
 * One milestone's deadline: its current episode (the fields it extends, at the latest version)
 * and the earlier episodes, which a restart closed and which still count.
 */
export interface DeadlineState extends DeadlineEpisode {
  milestone: Milestone;
  /** Latest deadline version (`DeadlineSet`), counted across episodes. */
  version: number;
  /** Highest deadline version the scheduler has warned about / recorded a miss for. */
  warnedVersion?: number;
  missedVersion?: number;
  /** Approved extensions of the milestone, across its episodes. */
  extensionsApproved: number;
  /** Earlier episodes, oldest first. */
  earlierEpisodes: DeadlineEpisode[];
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

/** One urge (催办) of the 12345 platform: `urgedAt` is its business time. */
export interface UrgeState {
  urgedAt: string;
  note?: string;
}

/** Why and when the 12345 platform withdrew the ticket (撤单). */
export interface Withdrawal {
  reason: string;
  withdrawnAt: string;
}

export interface ReviewState {
  satisfaction?: Satisfaction;
  solved?: boolean;
  note?: string;
  reviewedAt: string;
}

/** The handling unit holding a case and when it got it: the return window counts from `dispatchedAt`. */
export interface Assignment {
  unit: string;
  dispatchedAt: string;
}

export type Resolution = CaseResolved['data'] & { resolvedAt: string };

export interface Reexamination {
  reason: string;
  requestedAt: string;
  decision?: ReexaminationDecided['data'] & { decidedAt: string };
}

/** What every case knows whatever its status. `personal` is never part of state: deciders do not need it. */
export interface CaseRecord {
  id: string;
  orgId: string;
  kind: CaseKind;
  number: string;
  title: string;
  description: string;
  community: string;
  category?: string;
  urgency: Urgency;
  channel?: PetitionChannel;
  /** A petition's units complained about (被反映单位), which it is not dispatched to without an override. */
  complainedUnits?: string[];
  source?: DisputeSource;
  platformTicketNo?: string;
  platformDeadline?: string;
  registeredAt: string;
  /** `occurredAt` of the latest command event; scheduler events do not count (docs/domain/overview.md, business time). */
  lastCommandAt: string;
  deadlines: DeadlineState[];
  extensions: ExtensionState[];
  supervisions: SupervisionState[];
  links: { targetId: string; relation: LinkRelation }[];
  reviews: ReviewState[];
  /** The platform's urges (催办), oldest first; absent until the first, so a case never urged carries nothing. */
  urges?: UrgeState[];
  /** The case's first close, kept when a re-examination reopens it: first-time resolution is booked then. */
  firstClosedAt?: string;
  /** Number of events folded: the stream revision + 1. */
  eventCount: number;
}

/** The fields only some statuses have; a status that lacks one says so, so the union narrows on `status`. */
interface Unassigned {
  unit?: undefined;
  dispatchedAt?: undefined;
}
interface Unresolved {
  resolution?: undefined;
  closedAt?: undefined;
  rejection?: undefined;
  reexamination?: undefined;
  withdrawal?: undefined;
}

/**
 * A case folded from its events, one shape per status (docs/domain/state-machine.md): the type says
 * what is known in each. A dispatched, in-progress or resolved case has its handling unit; a
 * resolved or closed one has its resolution; a rejected one its rejection.
 */
export type OpenedCase =
  | (CaseRecord & Unassigned & Unresolved & { status: 'registered' })
  | (CaseRecord & Unassigned & Unresolved & { status: 'accepted' })
  | (CaseRecord &
      Unassigned &
      Omit<Unresolved, 'rejection'> & { status: 'rejected'; rejection: { reason: string; referredTo?: string; rejectedAt: string } })
  | (CaseRecord & Assignment & Unresolved & { status: 'dispatched' })
  | (CaseRecord & Assignment & Unresolved & { status: 'in_progress' })
  | (CaseRecord &
      Assignment & {
        status: 'resolved';
        resolution: Resolution;
        closedAt?: undefined;
        rejection?: undefined;
        reexamination?: undefined;
        withdrawal?: undefined;
      })
  | (CaseRecord &
      Assignment & {
        status: 'reexamination';
        resolution: Resolution;
        reexamination: Reexamination;
        closedAt?: undefined;
        rejection?: undefined;
        withdrawal?: undefined;
      })
  | (CaseRecord &
      Assignment & {
        status: 'closed';
        resolution: Resolution;
        closedAt: string;
        reexamination?: Reexamination;
        rejection?: undefined;
        withdrawal?: undefined;
      })
  /** Withdrawn by the platform from wherever the ticket stood: its unit and resolution, if it had them, stay. */
  | (CaseRecord &
      Partial<Assignment> & {
        status: 'withdrawn';
        withdrawal: Withdrawal;
        resolution?: Resolution;
        closedAt?: undefined;
        rejection?: undefined;
        reexamination?: undefined;
      });

/** The case in one of the given statuses. */
export type CaseIn<Status extends CaseStatus> = Extract<OpenedCase, { status: Status }>;

export type CaseState = { status: 'none' } | OpenedCase;
export const INITIAL_CASE_STATE: CaseState = { status: 'none' };

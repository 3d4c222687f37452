import type { DeadlineState, OpenedCase, ReviewState, SupervisionState } from '../cases/case.state';
import type { CaseKind, DisputeOutcome, Milestone, Satisfaction, Urgency } from '../cases/case.types';

/**
 * One milestone's final deadline (after approved extensions; a reopen's fresh deadline replaces
 * the earlier one, as it does in the case state) and when it was reached.
 */
export interface MilestoneFact {
  milestone: Milestone;
  dueAt: string;
  reachedAt?: string;
  /**
   * The handling unit the milestone is attributed to: the unit on the case at the time, as far as
   * the folded state can tell; absent when there was none.
   * - `acceptance` never has one: a case can only be dispatched once accepted, so the acceptance
   *   decision is always the desk's, taken before any unit was on the case.
   * - Every other milestone gets the case's current unit, because the state keeps no dispatch
   *   history. That is the unit at the time unless the case was returned (退单), which only
   *   happens before resolution: while a returned case awaits a new dispatch its milestones show
   *   no unit, and once re-dispatched a petition's reply or a dispute's mediation belongs to the
   *   new unit, which is the one answerable for it. A hotline ticket's sign and resolve restart at
   *   the new dispatch, so their final deadlines are the new unit's anyway.
   */
  unit?: string;
}

/** A hotline call-back (回访) with the citizen's answers. */
export interface CallbackFact {
  reviewedAt: string;
  satisfaction: Satisfaction;
  solved: boolean;
}

export interface ClosureFact {
  /** The latest closure: a re-examined petition's is the one that follows the re-examination decision. */
  closedAt: string;
  /** Not linked as a repeat (`repeat-of`) of an earlier case: 初次信访 for a petition. */
  firstTime: boolean;
  reexaminationRequested: boolean;
}

export interface MediationFact {
  outcome: DisputeOutcome;
  resolvedAt: string;
}

export interface SupervisionFact {
  supervisionId: string;
  instruction: string;
  issuedAt: string;
  dueAt?: string;
  answeredAt?: string;
}

/**
 * What the timeliness KPIs and the monthly report need from one case: small, flat and plain JSON
 * (optional fields are left out, never `undefined`), so a read model can store it per case and
 * recompute it whenever the case changes. Times are the events' business times (`occurredAt`).
 */
export interface CaseFacts {
  caseId: string;
  orgId: string;
  number: string;
  kind: CaseKind;
  title: string;
  community: string;
  urgency: Urgency;
  /** The current handling unit; absent when never dispatched or returned and not yet re-dispatched. */
  unit?: string;
  milestones: MilestoneFact[];
  /** Hotline call-backs only: petition and dispute follow-ups (回访) have no satisfaction scale. */
  callbacks: CallbackFact[];
  /** Present while the case is closed; a re-examination reopens it until its decision closes it again. */
  closure?: ClosureFact;
  /** A dispute's current mediation outcome; absent until resolved and again after a reopen. */
  mediation?: MediationFact;
  /** Ids of the earlier cases this one repeats (重复信访). */
  repeatOf: string[];
  /** Every supervision order (督办), answered or not. */
  supervisions: SupervisionFact[];
}

export function timelinessFacts(state: OpenedCase): CaseFacts {
  const repeatOf = state.links.filter((link) => link.relation === 'repeat-of').map((link) => link.targetId);
  const mediation =
    state.resolution?.kind === 'dispute'
      ? { outcome: state.resolution.outcome, resolvedAt: state.resolution.resolvedAt }
      : undefined;
  return {
    caseId: state.id,
    orgId: state.orgId,
    number: state.number,
    kind: state.kind,
    title: state.title,
    community: state.community,
    urgency: state.urgency,
    ...(state.unit !== undefined && { unit: state.unit }),
    milestones: state.deadlines.map((deadline) => milestoneFact(deadline, state.unit)),
    callbacks: state.kind === 'hotline' ? state.reviews.flatMap(callbackFact) : [],
    ...(state.closedAt !== undefined && {
      closure: {
        closedAt: state.closedAt,
        firstTime: repeatOf.length === 0,
        reexaminationRequested: state.reexamination !== undefined,
      },
    }),
    ...(mediation !== undefined && { mediation }),
    repeatOf,
    supervisions: state.supervisions.map(supervisionFact),
  };
}

function milestoneFact(deadline: DeadlineState, currentUnit: string | undefined): MilestoneFact {
  const unit = deadline.milestone === 'acceptance' ? undefined : currentUnit;
  return {
    milestone: deadline.milestone,
    dueAt: deadline.dueAt,
    ...(deadline.reachedAt !== undefined && { reachedAt: deadline.reachedAt }),
    ...(unit !== undefined && { unit }),
  };
}

/** A hotline review always carries both answers (the decider requires them); one without is not a call-back. */
function callbackFact(review: ReviewState): CallbackFact[] {
  if (review.satisfaction === undefined || review.solved === undefined) return [];
  return [{ reviewedAt: review.reviewedAt, satisfaction: review.satisfaction, solved: review.solved }];
}

function supervisionFact(supervision: SupervisionState): SupervisionFact {
  return {
    supervisionId: supervision.supervisionId,
    instruction: supervision.instruction,
    issuedAt: supervision.issuedAt,
    ...(supervision.dueAt !== undefined && { dueAt: supervision.dueAt }),
    ...(supervision.answeredAt !== undefined && { answeredAt: supervision.answeredAt }),
  };
}

/** On time means reached at or before the final deadline; a milestone not reached is never on time. */
export function reachedOnTime(milestone: MilestoneFact): boolean {
  return milestone.reachedAt !== undefined && Date.parse(milestone.reachedAt) <= Date.parse(milestone.dueAt);
}

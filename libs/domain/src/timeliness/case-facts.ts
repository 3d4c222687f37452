import type { CustodyChange, DeadlineEpisode, OpenedCase, ReviewState, SupervisionState } from '../cases/case.state';
import type { CaseKind, DisputeOutcome, Milestone, Satisfaction, Urgency } from '../cases/case.types';
import { RESOLVING_MILESTONE } from '../cases/case.types';

/**
 * Who owes each milestone (docs/timeliness-rules.md): the handling unit signs, resolves, replies
 * and mediates; the desk decides acceptance, calls back and has re-examinations decided.
 */
export const MILESTONE_OWNERS: Readonly<Record<Milestone, 'unit' | 'desk'>> = {
  sign: 'unit',
  resolve: 'unit',
  reply: 'unit',
  mediation: 'unit',
  acceptance: 'desk',
  callback: 'desk',
  reexamination: 'desk',
};

/** One episode of a milestone's deadline, as the counting rules need it. */
export interface EpisodeFact {
  milestone: Milestone;
  /** 1 for the milestone's first episode, one more for each restart. */
  episode: number;
  /** The episode's final deadline (after extensions approved before it passed). */
  dueAt: string;
  reachedAt?: string;
  /** When a restart (a return, a reopen, a re-dispatch, a late extension) ended it unreached. */
  endedAt?: string;
  /**
   * For a handling unit's milestone, the unit charged with it: the one holding the case when the
   * episode was reached, if on time, otherwise when its deadline passed. Absent for the desk's
   * milestones, and when no unit held the case at that moment.
   */
  unit?: string;
}

/** A hotline call-back (回访) with the citizen's answers. */
export interface CallbackFact {
  reviewedAt: string;
  satisfaction: Satisfaction;
  solved: boolean;
  /** The unit whose work the call-back judged: the one that resolved the ticket last before it. */
  unit?: string;
}

/** A petition's first close (初次信访一次性化解率). */
export interface ClosureFact {
  /** The first close: a later re-examination never moves it. */
  firstClosedAt: string;
  /** Not linked as a repeat (`repeat-of`) of an earlier case. */
  firstTime: boolean;
  reexaminationRequested: boolean;
  /** The unit whose reply the close ended. */
  unit?: string;
}

export interface MediationFact {
  outcome: DisputeOutcome;
  resolvedAt: string;
  unit?: string;
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
 * Nothing here depends on when the figures are asked for: the judging instant is applied later.
 */
export interface CaseFacts {
  caseId: string;
  orgId: string;
  number: string;
  kind: CaseKind;
  title: string;
  community: string;
  urgency: Urgency;
  /** Every episode of every milestone, by milestone (in the order their clocks first started), oldest first. */
  episodes: EpisodeFact[];
  /** Hotline call-backs only: petition and dispute follow-ups (回访) have no satisfaction scale. */
  callbacks: CallbackFact[];
  /** A petition's first close, once it has one. */
  closure?: ClosureFact;
  /** A dispute's current mediation outcome; absent until resolved and again after a reopen. */
  mediation?: MediationFact;
  /** Ids of the earlier cases this one repeats (重复信访). */
  repeatOf: string[];
  /** Every supervision order (督办), answered or not. */
  supervisions: SupervisionFact[];
  /** When the 12345 platform urged the ticket (催办), oldest first; left out when it never did. */
  urges?: string[];
}

export function timelinessFacts(state: OpenedCase): CaseFacts {
  const repeatOf = state.links.filter((link) => link.relation === 'repeat-of').map((link) => link.targetId);
  const resolvingUnit = resolvingUnitAt(state);
  const closedAt = state.kind === 'petition' ? firstClosedAt(state) : undefined;
  const mediation =
    state.resolution?.kind === 'dispute'
      ? compact({
          outcome: state.resolution.outcome,
          resolvedAt: state.resolution.resolvedAt,
          unit: resolvingUnit(state.resolution.resolvedAt),
        })
      : undefined;
  return {
    caseId: state.id,
    orgId: state.orgId,
    number: state.number,
    kind: state.kind,
    title: state.title,
    community: state.community,
    urgency: state.urgency,
    episodes: state.deadlines.flatMap((deadline) =>
      [...deadline.earlierEpisodes, deadline].map((episode) => episodeFact(deadline.milestone, episode)),
    ),
    callbacks: state.kind === 'hotline' ? state.reviews.flatMap((review) => callbackFact(review, resolvingUnit)) : [],
    ...(closedAt !== undefined && {
      closure: compact({
        firstClosedAt: closedAt,
        firstTime: repeatOf.length === 0,
        reexaminationRequested: state.reexamination !== undefined,
        unit: resolvingUnit(closedAt),
      }),
    }),
    ...(mediation !== undefined && { mediation }),
    repeatOf,
    supervisions: state.supervisions.map(supervisionFact),
    ...(state.urges !== undefined && { urges: state.urges.map((urge) => urge.urgedAt) }),
  };
}

function episodeFact(milestone: Milestone, episode: DeadlineEpisode): EpisodeFact {
  const { reachedAt, endedAt, dueAt } = episode;
  return compact({
    milestone,
    episode: episode.episode,
    dueAt,
    reachedAt,
    endedAt,
    unit: MILESTONE_OWNERS[milestone] === 'unit' ? holderAt(episode.custody, settledAt(episode)) : undefined,
  });
}

/** Reached on time: the moment it was reached; otherwise the moment its deadline passed. */
function settledAt(episode: DeadlineEpisode): string {
  const { reachedAt, dueAt } = episode;
  return reachedAt !== undefined && Date.parse(reachedAt) <= Date.parse(dueAt) ? reachedAt : dueAt;
}

/** The unit holding the case at `at`, from the custody the episode recorded while it ran. */
function holderAt(custody: readonly CustodyChange[], at: string): string | undefined {
  const atMs = Date.parse(at);
  let unit: string | undefined;
  for (const change of custody) {
    if (Date.parse(change.from) > atMs) break;
    unit = change.unit;
  }
  return unit;
}

/**
 * The unit whose resolution stood at `at`: the one that reached the case's resolving milestone
 * (reply, resolve, mediation) last at or before it. A call-back, a close and a mediation outcome
 * judge that unit's work: no dispatch can come between a resolution and them.
 */
function resolvingUnitAt(state: OpenedCase): (at: string) => string | undefined {
  const resolving = state.deadlines.find((deadline) => deadline.milestone === RESOLVING_MILESTONE[state.kind]);
  const reached = resolving ? [...resolving.earlierEpisodes, resolving].filter((episode) => episode.reachedAt !== undefined) : [];
  return (at) => {
    const atMs = Date.parse(at);
    const last = reached.filter((episode) => Date.parse(episode.reachedAt as string) <= atMs).at(-1);
    return last && holderAt(last.custody, last.reachedAt as string);
  };
}

/** A petition's first close, also while a re-examination has it open again (docs/timeliness-rules.md). */
function firstClosedAt(state: OpenedCase): string | undefined {
  return state.firstClosedAt;
}

/** A hotline review always carries both answers (the decider requires them); one without is not a call-back. */
function callbackFact(review: ReviewState, resolvingUnit: (at: string) => string | undefined): CallbackFact[] {
  if (review.satisfaction === undefined || review.solved === undefined) return [];
  const { reviewedAt, satisfaction, solved } = review;
  return [compact({ reviewedAt, satisfaction, solved, unit: resolvingUnit(reviewedAt) })];
}

function supervisionFact(supervision: SupervisionState): SupervisionFact {
  const { supervisionId, instruction, issuedAt, dueAt, answeredAt } = supervision;
  return compact({ supervisionId, instruction, issuedAt, dueAt, answeredAt });
}

/**
 * Leaves out undefined fields, so the facts are the same before and after a JSON round trip.
 * Copied key by key: a rebuild computes the facts of every case, and going through
 * `Object.entries` and `Object.fromEntries` cost more than the rest of it (bench/rebuild.bench.ts).
 */
function compact<Value extends object>(value: Value): Value {
  const defined: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) defined[key] = value[key];
  return defined as Value;
}

import type { CaseFacts, EpisodeFact } from './case-facts';

/** An episode's instants in epoch milliseconds; an instant that has not happened is absent. */
export interface EpisodeTimes {
  dueMs: number;
  reachedMs: number | undefined;
  endedMs: number | undefined;
}

/** The instants of one case's facts the counting compares, in epoch milliseconds, in the order of the facts' arrays. */
export interface FactTimes {
  episodes: EpisodeTimes[];
  /** `callbacks[i].reviewedAt`. */
  reviewedMs: number[];
  /** `supervisions[i].issuedAt` and `answeredAt` (absent: not answered). */
  supervisions: { issuedMs: number; answeredMs: number | undefined }[];
  /** `urges[i]`. */
  urgedMs: number[];
  closureMs: number | undefined;
  mediationMs: number | undefined;
}

/**
 * Facts are plain immutable values (CaseFacts), and the statistics count the same facts over and
 * over (the live facts stay in memory between queries): their instants are parsed once per facts
 * object and remembered beside it, rather than every time one is compared. Weakly held, so the
 * entry goes with the facts.
 */
const parsed = new WeakMap<CaseFacts, FactTimes>();

/** The instants of `fact` as numbers, parsed on first use. */
export function factTimes(fact: CaseFacts): FactTimes {
  let times = parsed.get(fact);
  if (times === undefined) {
    times = {
      episodes: fact.episodes.map(episodeTimes),
      reviewedMs: fact.callbacks.map((callback) => Date.parse(callback.reviewedAt)),
      supervisions: fact.supervisions.map((supervision) => ({
        issuedMs: Date.parse(supervision.issuedAt),
        answeredMs: parseIfAny(supervision.answeredAt),
      })),
      urgedMs: (fact.urges ?? []).map((urgedAt) => Date.parse(urgedAt)),
      closureMs: parseIfAny(fact.closure?.firstClosedAt),
      mediationMs: parseIfAny(fact.mediation?.resolvedAt),
    };
    parsed.set(fact, times);
  }
  return times;
}

export function episodeTimes(episode: EpisodeFact): EpisodeTimes {
  return { dueMs: Date.parse(episode.dueAt), reachedMs: parseIfAny(episode.reachedAt), endedMs: parseIfAny(episode.endedAt) };
}

/** Every field of a given shape is set (undefined when absent), so the counting loops see one object layout. */
function parseIfAny(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

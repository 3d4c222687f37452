import { MS_PER_DAY } from '../calendar/china-standard-time';
import type { EpisodeFact } from './case-facts';
import { episodeTimes, type EpisodeTimes } from './fact-times';

/**
 * How one deadline episode counts, judged at an instant (docs/timeliness-rules.md). The KPIs and
 * the monthly report both count through this module, so "due", "on time", "late" and "open and
 * overdue" mean the same in both.
 *
 * - `on-time`: reached at or before its deadline.
 * - `late`: reached after its deadline; or ended by a restart after its deadline had passed; or
 *   still unreached when the judging instant is past its deadline.
 * - `not-due-yet`: unreached, not ended, and its deadline is not past at the judging instant: it
 *   counts nowhere yet.
 * - `void`: ended by a restart before its deadline passed: it never counts.
 *
 * An episode counts in a period when its (final) deadline falls in the period and its verdict is
 * `on-time` or `late`.
 */
export type EpisodeVerdict = 'on-time' | 'late' | 'not-due-yet' | 'void';

export function episodeVerdict(episode: EpisodeFact, judgedAtMs: number): EpisodeVerdict {
  return verdictOfTimes(episodeTimes(episode), judgedAtMs);
}

/** `episodeVerdict` over the episode's instants already parsed (`factTimes`). */
export function verdictOfTimes(times: EpisodeTimes, judgedAtMs: number): EpisodeVerdict {
  const { dueMs, reachedMs, endedMs } = times;
  if (reachedMs !== undefined) return reachedMs <= dueMs ? 'on-time' : 'late';
  if (endedMs !== undefined) return endedMs > dueMs ? 'late' : 'void';
  return judgedAtMs > dueMs ? 'late' : 'not-due-yet';
}

export function isDecided(verdict: EpisodeVerdict): verdict is 'on-time' | 'late' {
  return verdict === 'on-time' || verdict === 'late';
}

/**
 * Open and overdue at `instantMs`, as the episode stood then: its deadline had passed, and it had
 * been neither reached nor ended by a restart. Whatever happened to it later does not matter.
 * At the end of a month, a reach at that very instant belongs to the next month, so it is still
 * open; at the judging instant (`settledAtInstant`), what the log holds has happened, a reach at
 * that instant included.
 */
export function openAndOverdueAt(episode: EpisodeFact, instantMs: number, settledAtInstant = false): boolean {
  return openAndOverdueTimesAt(episodeTimes(episode), instantMs, settledAtInstant);
}

/** `openAndOverdueAt` over the episode's instants already parsed (`factTimes`). */
export function openAndOverdueTimesAt(times: EpisodeTimes, instantMs: number, settledAtInstant = false): boolean {
  const settled = (ms: number | undefined) => ms !== undefined && (settledAtInstant ? ms <= instantMs : ms < instantMs);
  return times.dueMs < instantMs && !settled(times.reachedMs) && !settled(times.endedMs);
}

/** Whole days from the deadline to `instantMs`, a started day counting as a whole one: overdue by an hour reads 1. */
export function daysOverdue(dueAt: string, instantMs: number): number {
  return daysOverdueMs(Date.parse(dueAt), instantMs);
}

export function daysOverdueMs(dueMs: number, instantMs: number): number {
  return Math.ceil((instantMs - dueMs) / MS_PER_DAY);
}

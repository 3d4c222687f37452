import type { CaseKind } from '../cases/case.types';
import { MILESTONE_OWNERS, type CallbackFact, type CaseFacts } from './case-facts';
import { isDecided, verdictOfTimes } from './episode-verdict';
import { factTimes } from './fact-times';
import {
  CALLBACK_KPI_KEYS,
  DEFAULT_KPI_DEFINITIONS,
  KPI_KEYS,
  MILESTONE_KPI_KEYS,
  type CallbackKpiDefinition,
  type KpiDefinitions,
  type KpiKey,
} from './kpi-definitions';
import { msInPeriod, periodBetween } from './reporting-period';
import { chargedLabel, compareCodeUnits, unitLabelOrder } from './unit-label';

export const TIMELINESS_DIMENSIONS = ['kind', 'unit', 'community'] as const;
export type TimelinessDimension = (typeof TIMELINESS_DIMENSIONS)[number];

export interface TimelinessQuery {
  /** Start of the period, inclusive. */
  from: Date;
  /** End of the period, exclusive. */
  to: Date;
  groupBy?: readonly TimelinessDimension[];
  /**
   * The judging instant: a milestone still unreached counts as late once its deadline is past it,
   * and not at all before. The moment asked for the live log; the recording time of the last event
   * for a log position.
   */
  judgedAt: Date;
}

export interface TimelinessOptions {
  /** The desk's label in `groupBy=unit`: the organisation's name. */
  deskLabel: string;
  definitions?: KpiDefinitions;
}

export interface KpiValue {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when the denominator is 0 (no rate, rather than 0% or 100%). */
  ratio: number | null;
}

/** The group's value for each dimension asked for; `unit` is who the item is charged to (`chargedLabel`). */
export interface TimelinessGroupKey {
  kind?: CaseKind;
  unit?: string;
  community?: string;
}

export interface TimelinessGroup {
  group: TimelinessGroupKey;
  kpis: Record<KpiKey, KpiValue>;
}

export interface TimelinessResult {
  groups: TimelinessGroup[];
}

interface Tally {
  group: TimelinessGroupKey;
  counts: Record<KpiKey, { numerator: number; denominator: number }>;
}

/**
 * The KPIs of docs/timeliness-rules.md over [from, to), judged at `query.judgedAt`. Each counted
 * item is grouped by its case's kind and community and by who it is charged to: a milestone
 * episode to whoever owes it (`EpisodeFact.unit` for a unit's, the desk for the desk's), a
 * call-back, a petition's close and a mediation outcome to the unit whose work they judge.
 *
 * - Milestone KPIs count every episode of the KPI's milestone whose final deadline falls in the
 *   period and that is decided at the judging instant (`episodeVerdict`); the numerator keeps the
 *   on-time ones.
 * - Call-back KPIs count the call-backs recorded in the period.
 * - firstTimeResolution counts the first-time petitions first closed in the period; one is a one-off
 *   unless, in the log as it stands, a re-examination was requested or a petition repeats it.
 * - disputeResolution counts the disputes whose current mediation outcome was recorded in the period.
 *
 * `facts` must hold every case of the organisation up to the log position, not only those active
 * in the period: a petition stops being a one-off resolution when a later petition repeats it,
 * whenever that repeat was registered.
 *
 * Without `groupBy` there is exactly one group, `{}`, even when nothing was counted. With
 * `groupBy`, a group appears when at least one item was counted in it (a KPI with a denominator),
 * and groups are sorted by the dimensions in the order asked, each by UTF-16 code units, with the
 * desk and then 未派单 after the units.
 */
export function computeTimeliness(facts: readonly CaseFacts[], query: TimelinessQuery, options: TimelinessOptions): TimelinessResult {
  const definitions = options.definitions ?? DEFAULT_KPI_DEFINITIONS;
  const period = periodBetween(query.from, query.to);
  const judgedAtMs = query.judgedAt.getTime();
  const dimensions = [...new Set(query.groupBy ?? [])];
  const tallies = new Map<string, Tally>();
  if (dimensions.length === 0) tallies.set(groupId({}, dimensions), emptyTally({}));

  const count = (key: KpiKey, fact: CaseFacts, label: string, inNumerator: boolean): void => {
    const group = groupOf(fact, label, dimensions);
    const id = groupId(group, dimensions);
    let tally = tallies.get(id);
    if (tally === undefined) {
      tally = emptyTally(group);
      tallies.set(id, tally);
    }
    tally.counts[key].denominator += 1;
    if (inNumerator) tally.counts[key].numerator += 1;
  };
  const unitLabel = (unit: string | undefined) => chargedLabel('unit', unit, options.deskLabel);

  const repeatedCaseIds = casesRepeatedByAPetition(facts);
  const firstTime = definitions.firstTimeResolution.numerator;
  const disputeOutcomes = definitions.disputeResolution.numerator.outcomes;

  for (const fact of facts) {
    // Every instant compared below is parsed once per facts object (`factTimes`), not per comparison.
    const times = factTimes(fact);
    for (const key of MILESTONE_KPI_KEYS) {
      const { kind, milestone } = definitions[key];
      if (fact.kind !== kind) continue;
      fact.episodes.forEach((episode, index) => {
        const episodeTimes = times.episodes[index];
        if (episode.milestone !== milestone || !msInPeriod(period, episodeTimes.dueMs)) return;
        const verdict = verdictOfTimes(episodeTimes, judgedAtMs);
        if (!isDecided(verdict)) return;
        count(key, fact, chargedLabel(MILESTONE_OWNERS[milestone], episode.unit, options.deskLabel), verdict === 'on-time');
      });
    }
    fact.callbacks.forEach((callback, index) => {
      if (!msInPeriod(period, times.reviewedMs[index])) return;
      for (const key of CALLBACK_KPI_KEYS) count(key, fact, unitLabel(callback.unit), callbackMatches(definitions[key], callback));
    });
    const closure = fact.closure;
    if (fact.kind === 'petition' && closure?.firstTime && msInPeriod(period, times.closureMs)) {
      const oneOff =
        !(firstTime.withoutReexamination && closure.reexaminationRequested) &&
        !(firstTime.withoutRepeatPetition && repeatedCaseIds.has(fact.caseId));
      count('firstTimeResolution', fact, unitLabel(closure.unit), oneOff);
    }
    if (fact.kind === 'dispute' && fact.mediation !== undefined && msInPeriod(period, times.mediationMs)) {
      count('disputeResolution', fact, unitLabel(fact.mediation.unit), disputeOutcomes.includes(fact.mediation.outcome));
    }
  }

  const compareUnits = unitLabelOrder(options.deskLabel);
  const groups = [...tallies.values()]
    .sort((left, right) => compareGroups(left.group, right.group, dimensions, compareUnits))
    .map(({ group, counts }) => ({ group, kpis: withRatios(counts) }));
  return { groups };
}

/**
 * Ids of the cases a petition names in `repeat-of` (the decider refuses a link to the case itself).
 * SPEC §4 speaks of repeat petitions: a hotline ticket linked as a repeat does not count.
 */
function casesRepeatedByAPetition(facts: readonly CaseFacts[]): Set<string> {
  return new Set(facts.filter((fact) => fact.kind === 'petition').flatMap((fact) => fact.repeatOf));
}

function callbackMatches(definition: CallbackKpiDefinition, callback: CallbackFact): boolean {
  const { satisfaction, solved } = definition.numerator;
  return (
    (satisfaction === undefined || satisfaction.includes(callback.satisfaction)) && (solved === undefined || solved === callback.solved)
  );
}

function groupOf(fact: CaseFacts, unit: string, dimensions: readonly TimelinessDimension[]): TimelinessGroupKey {
  const group: TimelinessGroupKey = {};
  for (const dimension of dimensions) {
    if (dimension === 'kind') group.kind = fact.kind;
    else if (dimension === 'unit') group.unit = unit;
    else group.community = fact.community;
  }
  return group;
}

function groupId(group: TimelinessGroupKey, dimensions: readonly TimelinessDimension[]): string {
  return JSON.stringify(dimensions.map((dimension) => group[dimension]));
}

function compareGroups(
  left: TimelinessGroupKey,
  right: TimelinessGroupKey,
  dimensions: readonly TimelinessDimension[],
  compareUnits: (left: string, right: string) => number,
): number {
  for (const dimension of dimensions) {
    // Every group carries every dimension asked for, so the values are always present.
    const leftValue = left[dimension] as string;
    const rightValue = right[dimension] as string;
    const order = dimension === 'unit' ? compareUnits(leftValue, rightValue) : compareCodeUnits(leftValue, rightValue);
    if (order !== 0) return order;
  }
  return 0;
}

function emptyTally(group: TimelinessGroupKey): Tally {
  const counts = Object.fromEntries(KPI_KEYS.map((key) => [key, { numerator: 0, denominator: 0 }]));
  return { group, counts: counts as Tally['counts'] };
}

function withRatios(counts: Tally['counts']): Record<KpiKey, KpiValue> {
  const kpis = Object.fromEntries(
    KPI_KEYS.map((key) => {
      const { numerator, denominator } = counts[key];
      return [key, { numerator, denominator, ratio: denominator === 0 ? null : numerator / denominator }];
    }),
  );
  return kpis as Record<KpiKey, KpiValue>;
}

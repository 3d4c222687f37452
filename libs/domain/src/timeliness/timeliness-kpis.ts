import type { CaseKind } from '../cases/case.types';
import { reachedOnTime, type CallbackFact, type CaseFacts } from './case-facts';
import {
  CALLBACK_KPI_KEYS,
  DEFAULT_KPI_DEFINITIONS,
  KPI_KEYS,
  MILESTONE_KPI_KEYS,
  type CallbackKpiDefinition,
  type KpiDefinitions,
  type KpiKey,
} from './kpi-definitions';
import { inPeriod, periodBetween } from './reporting-period';
import { compareCodeUnits, compareUnitLabels, unitLabel } from './unit-label';

export const TIMELINESS_DIMENSIONS = ['kind', 'unit', 'community'] as const;
export type TimelinessDimension = (typeof TIMELINESS_DIMENSIONS)[number];

export interface TimelinessQuery {
  /** Start of the period, inclusive. */
  from: Date;
  /** End of the period, exclusive. */
  to: Date;
  groupBy?: readonly TimelinessDimension[];
}

export interface KpiValue {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when the denominator is 0 (no rate, rather than 0% or 100%). */
  ratio: number | null;
}

/** The group's value for each dimension asked for; a missing unit is `UNDISPATCHED_UNIT_LABEL`. */
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
 * SPEC §4's KPIs over [from, to), each counted item attributed to the group of its case (kind,
 * community) and of its unit: a milestone's own unit (see `MilestoneFact.unit`), the case's unit
 * for everything else.
 *
 * `facts` must hold every case of the organisation up to the log position, not only those active
 * in the period: a petition stops being a one-off resolution when a later petition repeats it,
 * whenever that repeat was registered.
 *
 * Without `groupBy` there is exactly one group, `{}`, even when nothing was counted. With
 * `groupBy`, a group appears when at least one item was counted in it (a KPI with a denominator),
 * and groups are sorted by the dimensions in the order asked, each by UTF-16 code units, with
 * 未派单 after the units.
 */
export function computeTimeliness(
  facts: readonly CaseFacts[],
  query: TimelinessQuery,
  definitions: KpiDefinitions = DEFAULT_KPI_DEFINITIONS,
): TimelinessResult {
  const period = periodBetween(query.from, query.to);
  const dimensions = [...new Set(query.groupBy ?? [])];
  const tallies = new Map<string, Tally>();
  if (dimensions.length === 0) tallies.set(groupId({}, dimensions), emptyTally({}));

  const count = (key: KpiKey, fact: CaseFacts, unit: string | undefined, inNumerator: boolean): void => {
    const group = groupOf(fact, unit, dimensions);
    const id = groupId(group, dimensions);
    let tally = tallies.get(id);
    if (tally === undefined) {
      tally = emptyTally(group);
      tallies.set(id, tally);
    }
    tally.counts[key].denominator += 1;
    if (inNumerator) tally.counts[key].numerator += 1;
  };

  const repeatedCaseIds = casesRepeatedByAPetition(facts);
  const firstTime = definitions.firstTimeResolution.numerator;
  const disputeOutcomes = definitions.disputeResolution.numerator.outcomes;

  for (const fact of facts) {
    for (const key of MILESTONE_KPI_KEYS) {
      const { kind, milestone } = definitions[key];
      if (fact.kind !== kind) continue;
      const due = fact.milestones.find((candidate) => candidate.milestone === milestone);
      if (due !== undefined && inPeriod(period, due.dueAt)) count(key, fact, due.unit, reachedOnTime(due));
    }
    for (const callback of fact.callbacks) {
      if (!inPeriod(period, callback.reviewedAt)) continue;
      for (const key of CALLBACK_KPI_KEYS) count(key, fact, fact.unit, callbackMatches(definitions[key], callback));
    }
    if (fact.kind === 'petition' && fact.closure?.firstTime && inPeriod(period, fact.closure.closedAt)) {
      const oneOff =
        !(firstTime.withoutReexamination && fact.closure.reexaminationRequested) &&
        !(firstTime.withoutRepeatPetition && repeatedCaseIds.has(fact.caseId));
      count('firstTimeResolution', fact, fact.unit, oneOff);
    }
    if (fact.kind === 'dispute' && fact.mediation !== undefined && inPeriod(period, fact.mediation.resolvedAt)) {
      count('disputeResolution', fact, fact.unit, disputeOutcomes.includes(fact.mediation.outcome));
    }
  }

  const groups = [...tallies.values()]
    .sort((left, right) => compareGroups(left.group, right.group, dimensions))
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
    (satisfaction === undefined || satisfaction.includes(callback.satisfaction)) &&
    (solved === undefined || solved === callback.solved)
  );
}

function groupOf(
  fact: CaseFacts,
  unit: string | undefined,
  dimensions: readonly TimelinessDimension[],
): TimelinessGroupKey {
  const group: TimelinessGroupKey = {};
  for (const dimension of dimensions) {
    if (dimension === 'kind') group.kind = fact.kind;
    else if (dimension === 'unit') group.unit = unitLabel(unit);
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
): number {
  for (const dimension of dimensions) {
    // Every group carries every dimension asked for, so the values are always present.
    const leftValue = left[dimension] as string;
    const rightValue = right[dimension] as string;
    const order =
      dimension === 'unit' ? compareUnitLabels(leftValue, rightValue) : compareCodeUnits(leftValue, rightValue);
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

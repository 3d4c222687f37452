import { MILESTONE_OWNERS, type CaseFacts } from './case-facts';
import type { MonthlyReport } from './monthly-report';

/*
 * What a handling unit's user reads of the statistics and the monthly report (docs/security.md,
 * "What a unit sees"): its own figures and its rank, never another unit's figures or lists.
 */

/**
 * The facts with only what is charged to `unit` left in them: the episodes of a unit's milestone
 * charged to it (`EpisodeFact.unit`), the call-backs, the first close and the mediation outcome
 * that judge its work. The desk's milestones and everything charged to another unit or to 未派单
 * go. Every case stays, with its `repeatOf`: whether a petition it closed was a one-off depends on
 * later petitions naming it, whoever handled those.
 *
 * `computeTimeliness` over the result gives the KPIs over exactly the items the unit is charged
 * with, the same numbers as its own group of `groupBy=unit` over all the facts.
 */
export function factsChargedToUnit(facts: readonly CaseFacts[], unit: string): CaseFacts[] {
  return facts.map((fact) => {
    const { closure, mediation, ...rest } = fact;
    return {
      ...rest,
      episodes: fact.episodes.filter((episode) => MILESTONE_OWNERS[episode.milestone] === 'unit' && episode.unit === unit),
      callbacks: fact.callbacks.filter((callback) => callback.unit === unit),
      ...(closure !== undefined && closure.unit === unit && { closure }),
      ...(mediation !== undefined && mediation.unit === unit && { mediation }),
    };
  });
}

/** How a report narrowed to one unit says whose it is and where the unit stands. */
export interface MonthlyReportScope {
  /** The unit the report is narrowed to. */
  unit: string;
  /** The unit's rank among the ranked handling units (1 = best), or null when it has no on-time rate this month. */
  rank: number | null;
  /** How many handling units were ranked this month: the unit is `rank` out of `rankedUnits`. */
  rankedUnits: number;
}

export type UnitMonthlyReport<Report extends MonthlyReport = MonthlyReport> = Report & { scope: MonthlyReportScope };

/**
 * The monthly report as one handling unit reads it: its own row of `units` (with the rank it holds
 * among all the units, computed over everyone) and how many units were ranked; the overdue list
 * and the unsatisfied call-backs charged to it. Other units' rows and lists, the desk's row and
 * 未派单 are withheld: the unit learns where it stands, not who stands where.
 */
export function monthlyReportForUnit<Report extends MonthlyReport>(report: Report, unit: string): UnitMonthlyReport<Report> {
  const own = report.units.find((row) => row.unit === unit);
  return {
    ...report,
    units: own === undefined ? [] : [own],
    overdue: report.overdue.filter((row) => row.unit === unit),
    unsatisfied: report.unsatisfied.filter((row) => row.unit === unit),
    scope: { unit, rank: own?.rank ?? null, rankedUnits: report.units.filter((row) => row.rank !== null).length },
  };
}

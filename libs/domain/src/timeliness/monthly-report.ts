import { MILESTONES, type CaseKind, type Milestone } from '../cases/case.types';
import { MILESTONE_OWNERS, type CaseFacts, type EpisodeFact, type SupervisionFact } from './case-facts';
import { daysOverdue, episodeVerdict, isDecided, openAndOverdueAt } from './episode-verdict';
import { inPeriod, periodBetween, shanghaiMonth } from './reporting-period';
import { chargedLabel, compareCodeUnits, isHandlingUnitLabel, unitLabelOrder } from './unit-label';

export interface MonthlyUnitRow {
  /** A handling unit, the desk (the organisation's name) or 未派单. */
  unit: string;
  /** Milestone episodes whose final deadline falls in the month and that are decided at the judging instant. */
  due: number;
  /** Of those, reached at or before the deadline. */
  onTime: number;
  /** Of those, the rest: reached late, ended by a restart after the deadline, or unreached past it. `due = onTime + late`. */
  late: number;
  /** Episodes open and overdue at the end of the month, whatever month they fell due in. */
  openOverdue: number;
  /** Hotline call-backs answered 不满意 in the month, charged to the unit whose work they judged. */
  unsatisfied: number;
  /** onTime / due; null when nothing fell due. */
  onTimeRate: number | null;
  /** 1 = best among the handling units with a rate; null for the others, the desk and 未派单. */
  rank: number | null;
}

export interface SupervisionAtMonthEnd {
  instruction: string;
  issuedAt: string;
  dueAt: string | null;
  /** Answered before the end of the month. */
  answered: boolean;
}

export interface OverdueMilestoneRow {
  caseId: string;
  number: string;
  kind: CaseKind;
  title: string;
  unit: string;
  milestone: Milestone;
  deadline: string;
  /** Whole days from the deadline to the end of the month, rounded up: overdue by an hour reads 1. */
  daysOverdue: number;
  supervisions: SupervisionAtMonthEnd[];
  /** How often the 12345 platform had urged the ticket (催办) by the end of the month; 0 for other kinds. */
  urged: number;
}

export interface UnsatisfiedCallbackRow {
  caseId: string;
  number: string;
  title: string;
  unit: string;
  reviewedAt: string;
}

export interface MonthlyReport {
  month: string;
  /** The judging instant: when the live log was asked, or the recording time of the event at the log position asked for. */
  judgedAt: string;
  units: MonthlyUnitRow[];
  overdue: OverdueMilestoneRow[];
  unsatisfied: UnsatisfiedCallbackRow[];
}

export interface MonthlyReportOptions {
  /** The judging instant (see `MonthlyReport.judgedAt`). */
  judgedAt: Date;
  /** The desk's row label: the organisation's name. */
  deskLabel: string;
}

type UnitCounts = Omit<MonthlyUnitRow, 'onTimeRate' | 'rank'>;

/**
 * The monthly overdue-ticket report (月度通报) of docs/timeliness-rules.md for `month` ('YYYY-MM'),
 * the month taken in Asia/Shanghai time: [first day 00:00+08:00, next month's first day
 * 00:00+08:00), counted from facts at the log position the caller replayed to and judged at
 * `options.judgedAt`. "The end of the month" is the month's end, or the judging instant for a
 * month still running then.
 *
 * - `units` has a row for everyone with something to report (a milestone due, an open overdue
 *   milestone or an unsatisfied call-back): the handling units, the desk (what it owes: acceptance,
 *   call-back, re-examination) and 未派单 (a unit's milestone no unit held the case for). `due`,
 *   `onTime` and `late` count as the KPIs count (`episodeVerdict`), so a unit's row and its KPIs
 *   for the month agree. Order: handling units with a rate by rate, best first, ties by name; then
 *   handling units without a rate by name; then the desk; then 未派单. Rank is competition ranking
 *   over the handling units with a rate (1, 1, 3); the others have rank null.
 * - `overdue` lists every episode open and overdue at the end of the month, as it stood then
 *   (`openAndOverdueAt`): a later reach or restart does not take it off. By unit (as `units`), then
 *   deadline, then case number, then milestone. `supervisions` are the case's orders issued before
 *   the end of the month, in issue order; `urged` counts the platform's urges made before it.
 * - `unsatisfied` lists every 不满意 call-back in the month, one row per call-back (a ticket
 *   answered 不满意 twice in the month appears twice, as it counts twice in `units`), by unit,
 *   then time, then case number.
 */
export function computeMonthlyReport(facts: readonly CaseFacts[], month: string, options: MonthlyReportOptions): MonthlyReport {
  const { from, to } = shanghaiMonth(month);
  const period = periodBetween(from, to);
  const judgedAtMs = options.judgedAt.getTime();
  const monthEndMs = Math.max(period.fromMs, Math.min(period.toMs, judgedAtMs));
  // A month still running ends, for now, at the judging instant: what the log holds happened by then.
  const stillRunning = monthEndMs < period.toMs;
  const { deskLabel } = options;
  const unitCounts = new Map<string, UnitCounts>();
  const countsOf = (unit: string): UnitCounts => {
    let counts = unitCounts.get(unit);
    if (counts === undefined) {
      counts = { unit, due: 0, onTime: 0, late: 0, openOverdue: 0, unsatisfied: 0 };
      unitCounts.set(unit, counts);
    }
    return counts;
  };
  const overdue: OverdueMilestoneRow[] = [];
  const unsatisfied: UnsatisfiedCallbackRow[] = [];

  for (const fact of facts) {
    for (const episode of fact.episodes) {
      const unit = chargedLabel(MILESTONE_OWNERS[episode.milestone], episode.unit, deskLabel);
      if (inPeriod(period, episode.dueAt)) {
        const verdict = episodeVerdict(episode, judgedAtMs);
        if (isDecided(verdict)) {
          const counts = countsOf(unit);
          counts.due += 1;
          if (verdict === 'on-time') counts.onTime += 1;
          else counts.late += 1;
        }
      }
      if (openAndOverdueAt(episode, monthEndMs, stillRunning)) {
        countsOf(unit).openOverdue += 1;
        overdue.push(overdueRow(fact, episode, unit, monthEndMs));
      }
    }
    for (const callback of fact.callbacks) {
      if (callback.satisfaction !== 'unsatisfied' || !inPeriod(period, callback.reviewedAt)) continue;
      const unit = chargedLabel('unit', callback.unit, deskLabel);
      countsOf(unit).unsatisfied += 1;
      const { caseId, number, title } = fact;
      unsatisfied.push({ caseId, number, title, unit, reviewedAt: callback.reviewedAt });
    }
  }

  const compareUnits = unitLabelOrder(deskLabel);
  return {
    month,
    judgedAt: options.judgedAt.toISOString(),
    units: rankUnits([...unitCounts.values()], deskLabel, compareUnits),
    overdue: overdue.sort((left, right) => compareOverdueRows(left, right, compareUnits)),
    unsatisfied: unsatisfied.sort((left, right) => compareUnsatisfiedRows(left, right, compareUnits)),
  };
}

function overdueRow(fact: CaseFacts, episode: EpisodeFact, unit: string, monthEndMs: number): OverdueMilestoneRow {
  return {
    caseId: fact.caseId,
    number: fact.number,
    kind: fact.kind,
    title: fact.title,
    unit,
    milestone: episode.milestone,
    deadline: episode.dueAt,
    daysOverdue: daysOverdue(episode.dueAt, monthEndMs),
    supervisions: fact.supervisions
      .filter((supervision) => Date.parse(supervision.issuedAt) < monthEndMs)
      .map((supervision) => supervisionAt(supervision, monthEndMs)),
    urged: (fact.urges ?? []).filter((urgedAt) => Date.parse(urgedAt) < monthEndMs).length,
  };
}

function supervisionAt(supervision: SupervisionFact, monthEndMs: number): SupervisionAtMonthEnd {
  return {
    instruction: supervision.instruction,
    issuedAt: supervision.issuedAt,
    dueAt: supervision.dueAt ?? null,
    answered: supervision.answeredAt !== undefined && Date.parse(supervision.answeredAt) < monthEndMs,
  };
}

function rankUnits(
  counts: readonly UnitCounts[],
  deskLabel: string,
  compareUnits: (left: string, right: string) => number,
): MonthlyUnitRow[] {
  const rated = counts.filter((row) => row.due > 0 && isHandlingUnitLabel(row.unit, deskLabel));
  const unrated = counts.filter((row) => !rated.includes(row));
  rated.sort((left, right) => compareRates(right, left) || compareCodeUnits(left.unit, right.unit));
  unrated.sort((left, right) => compareUnits(left.unit, right.unit));
  const rankedRows: MonthlyUnitRow[] = [];
  rated.forEach((row, index) => {
    // Competition ranking: a tie takes the rank of the unit it ties with, so the next rank skips.
    const tiesPrevious = index > 0 && compareRates(rated[index - 1], row) === 0;
    const rank = tiesPrevious ? rankedRows[index - 1].rank : index + 1;
    rankedRows.push({ ...row, onTimeRate: row.onTime / row.due, rank });
  });
  const unrankedRows = unrated.map((row) => ({
    ...row,
    onTimeRate: row.due === 0 ? null : row.onTime / row.due,
    rank: null,
  }));
  return [...rankedRows, ...unrankedRows];
}

/**
 * Compares onTime/due exactly by cross-multiplying whole numbers, so 2/4 and 1/2 tie without
 * relying on floating-point division. Both rows have due > 0.
 */
function compareRates(left: UnitCounts, right: UnitCounts): number {
  return Math.sign(left.onTime * right.due - right.onTime * left.due);
}

function compareOverdueRows(
  left: OverdueMilestoneRow,
  right: OverdueMilestoneRow,
  compareUnits: (left: string, right: string) => number,
): number {
  return (
    compareUnits(left.unit, right.unit) ||
    Date.parse(left.deadline) - Date.parse(right.deadline) ||
    compareCodeUnits(left.number, right.number) ||
    MILESTONES.indexOf(left.milestone) - MILESTONES.indexOf(right.milestone)
  );
}

function compareUnsatisfiedRows(
  left: UnsatisfiedCallbackRow,
  right: UnsatisfiedCallbackRow,
  compareUnits: (left: string, right: string) => number,
): number {
  return (
    compareUnits(left.unit, right.unit) ||
    Date.parse(left.reviewedAt) - Date.parse(right.reviewedAt) ||
    compareCodeUnits(left.number, right.number)
  );
}

import { MS_PER_DAY } from '../calendar/china-standard-time';
import { MILESTONES, type CaseKind, type Milestone } from '../cases/case.types';
import { reachedOnTime, type CaseFacts, type MilestoneFact, type SupervisionFact } from './case-facts';
import { inPeriod, periodBetween, shanghaiMonth } from './reporting-period';
import { compareCodeUnits, compareUnitLabels, UNDISPATCHED_UNIT_LABEL, unitLabel } from './unit-label';

export interface MonthlyUnitRow {
  unit: string;
  /** Milestones whose final deadline falls in the month. */
  due: number;
  /** Of those, reached at or before the deadline. */
  onTime: number;
  /** Of those, the rest: reached after the deadline or not reached at all. `due = onTime + late`. */
  late: number;
  /** Milestones, due in this month or any earlier one, still unreached at the end of the month. */
  openOverdue: number;
  /** Hotline call-backs answered 不满意 in the month. */
  unsatisfied: number;
  /** onTime / due; null when nothing fell due. */
  onTimeRate: number | null;
  /** 1 = best; see `computeMonthlyReport` for the order. Null for a unit without a rate, and for 未派单. */
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
  /** Days from the deadline to the end of the month, a started day counting as a whole one. */
  daysOverdue: number;
  supervisions: SupervisionAtMonthEnd[];
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
  /** The instant the month is judged at: its end, or earlier for a month still running. */
  judgedAt: string;
  units: MonthlyUnitRow[];
  overdue: OverdueMilestoneRow[];
  unsatisfied: UnsatisfiedCallbackRow[];
}

type UnitCounts = Omit<MonthlyUnitRow, 'onTimeRate' | 'rank'>;

/**
 * SPEC §5's monthly overdue-ticket report (月度通报) for `month` ('YYYY-MM'), the month taken in
 * Asia/Shanghai time: [first day 00:00+08:00, next month's first day 00:00+08:00). Everything is
 * as it stood at the end of the month, judged from facts at the log position the caller replayed
 * to. For a month not yet over at `judgedAt` (when the report is asked for), the month is cut at
 * `judgedAt`: milestones due later in the month are not counted yet, and "overdue at the end of
 * the month" means overdue at `judgedAt`.
 *
 * - `units` has a row for every unit with something to report (a milestone due, an open overdue
 *   milestone or an unsatisfied call-back), plus 未派单 for what no unit was responsible for.
 *   Order: units with a rate by rate, best first, ties by unit name; then units without a rate
 *   (nothing fell due) by name; then 未派单. Rank is competition ranking over the rated units only
 *   (1, 1, 3: equal rates share a rank and the next rank skips); units without a rate and 未派单
 *   (not a unit, so not ranked against them) have rank null. Names compare by UTF-16 code units.
 * - `overdue` lists every milestone still unreached at the end of the month whose deadline had
 *   passed by then, by unit (as `units`, 未派单 last), then deadline, then case number, then
 *   milestone. `daysOverdue` rounds up: the end of a month is a Shanghai midnight, so rounding up
 *   the elapsed time equals counting the calendar days from the deadline's day to the month's end,
 *   and a milestone overdue by an hour reads 1, never 0. `supervisions` are the case's orders
 *   issued before the end of the month, in issue order.
 * - `unsatisfied` lists every 不满意 call-back in the month, one row per call-back (a ticket
 *   answered 不满意 twice in the month appears twice, as it counts twice in `units`), by unit,
 *   then time, then case number.
 */
export function computeMonthlyReport(facts: readonly CaseFacts[], month: string, judgedAt?: Date): MonthlyReport {
  const { from, to: monthEnd } = shanghaiMonth(month);
  // A month still running is judged as it stands at `judgedAt`: only what fell due by then counts.
  const to = judgedAt !== undefined && judgedAt.getTime() < monthEnd.getTime() ? new Date(Math.max(judgedAt.getTime(), from.getTime())) : monthEnd;
  const period = periodBetween(from, to);
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
    for (const milestone of fact.milestones) {
      const unit = unitLabel(milestone.unit);
      if (inPeriod(period, milestone.dueAt)) {
        const counts = countsOf(unit);
        counts.due += 1;
        if (reachedOnTime(milestone)) counts.onTime += 1;
        else counts.late += 1;
      }
      if (openAndOverdueAt(milestone, period.toMs)) {
        countsOf(unit).openOverdue += 1;
        overdue.push(overdueRow(fact, milestone, unit, period.toMs));
      }
    }
    for (const callback of fact.callbacks) {
      if (callback.satisfaction !== 'unsatisfied' || !inPeriod(period, callback.reviewedAt)) continue;
      const unit = unitLabel(fact.unit);
      countsOf(unit).unsatisfied += 1;
      const { caseId, number, title } = fact;
      unsatisfied.push({ caseId, number, title, unit, reviewedAt: callback.reviewedAt });
    }
  }

  return {
    month,
    judgedAt: to.toISOString(),
    units: rankUnits([...unitCounts.values()]),
    overdue: overdue.sort(compareOverdueRows),
    unsatisfied: unsatisfied.sort(compareUnsatisfiedRows),
  };
}

/** The deadline passed before `instantMs` and the milestone was not reached before it either. */
function openAndOverdueAt(milestone: MilestoneFact, instantMs: number): boolean {
  const notReachedYet = milestone.reachedAt === undefined || Date.parse(milestone.reachedAt) >= instantMs;
  return notReachedYet && Date.parse(milestone.dueAt) < instantMs;
}

function overdueRow(fact: CaseFacts, milestone: MilestoneFact, unit: string, monthEndMs: number): OverdueMilestoneRow {
  return {
    caseId: fact.caseId,
    number: fact.number,
    kind: fact.kind,
    title: fact.title,
    unit,
    milestone: milestone.milestone,
    deadline: milestone.dueAt,
    daysOverdue: Math.ceil((monthEndMs - Date.parse(milestone.dueAt)) / MS_PER_DAY),
    supervisions: fact.supervisions
      .filter((supervision) => Date.parse(supervision.issuedAt) < monthEndMs)
      .map((supervision) => supervisionAt(supervision, monthEndMs)),
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

function rankUnits(counts: readonly UnitCounts[]): MonthlyUnitRow[] {
  const rated = counts.filter((row) => row.due > 0 && row.unit !== UNDISPATCHED_UNIT_LABEL);
  const unrated = counts.filter((row) => !rated.includes(row));
  rated.sort((left, right) => compareRates(right, left) || compareCodeUnits(left.unit, right.unit));
  unrated.sort((left, right) => compareUnitLabels(left.unit, right.unit));
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

function compareOverdueRows(left: OverdueMilestoneRow, right: OverdueMilestoneRow): number {
  return (
    compareUnitLabels(left.unit, right.unit) ||
    Date.parse(left.deadline) - Date.parse(right.deadline) ||
    compareCodeUnits(left.number, right.number) ||
    MILESTONES.indexOf(left.milestone) - MILESTONES.indexOf(right.milestone)
  );
}

function compareUnsatisfiedRows(left: UnsatisfiedCallbackRow, right: UnsatisfiedCallbackRow): number {
  return (
    compareUnitLabels(left.unit, right.unit) ||
    Date.parse(left.reviewedAt) - Date.parse(right.reviewedAt) ||
    compareCodeUnits(left.number, right.number)
  );
}

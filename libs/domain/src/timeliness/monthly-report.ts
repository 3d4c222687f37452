import { MILESTONES, type CaseKind, type Milestone } from '../cases/case.types';
import { MILESTONE_OWNERS, type CaseFacts, type EpisodeFact, type SupervisionFact } from './case-facts';
import { daysOverdueMs, isDecided, openAndOverdueTimesAt, verdictOfTimes } from './episode-verdict';
import { factTimes, type FactTimes } from './fact-times';
import { msInPeriod, periodBetween, shanghaiMonth } from './reporting-period';
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
  // Rows with the instant they sort by, kept as a number so the sort never parses.
  const overdue: Sortable<OverdueMilestoneRow>[] = [];
  const unsatisfied: Sortable<UnsatisfiedCallbackRow>[] = [];

  for (const fact of facts) {
    // Every instant compared below is parsed once per facts object (`factTimes`), not per comparison.
    const times = factTimes(fact);
    fact.episodes.forEach((episode, index) => {
      const episodeTimes = times.episodes[index];
      const unit = chargedLabel(MILESTONE_OWNERS[episode.milestone], episode.unit, deskLabel);
      if (msInPeriod(period, episodeTimes.dueMs)) {
        const verdict = verdictOfTimes(episodeTimes, judgedAtMs);
        if (isDecided(verdict)) {
          const counts = countsOf(unit);
          counts.due += 1;
          if (verdict === 'on-time') counts.onTime += 1;
          else counts.late += 1;
        }
      }
      if (openAndOverdueTimesAt(episodeTimes, monthEndMs, stillRunning)) {
        countsOf(unit).openOverdue += 1;
        overdue.push({ row: overdueRow(fact, times, episode, episodeTimes.dueMs, unit, monthEndMs), atMs: episodeTimes.dueMs });
      }
    });
    fact.callbacks.forEach((callback, index) => {
      const reviewedMs = times.reviewedMs[index];
      if (callback.satisfaction !== 'unsatisfied' || !msInPeriod(period, reviewedMs)) return;
      const unit = chargedLabel('unit', callback.unit, deskLabel);
      countsOf(unit).unsatisfied += 1;
      const { caseId, number, title } = fact;
      unsatisfied.push({ row: { caseId, number, title, unit, reviewedAt: callback.reviewedAt }, atMs: reviewedMs });
    });
  }

  const compareUnits = unitLabelOrder(deskLabel);
  return {
    month,
    judgedAt: options.judgedAt.toISOString(),
    units: rankUnits([...unitCounts.values()], deskLabel, compareUnits),
    overdue: overdue.sort((left, right) => compareOverdueRows(left, right, compareUnits)).map(({ row }) => row),
    unsatisfied: unsatisfied.sort((left, right) => compareUnsatisfiedRows(left, right, compareUnits)).map(({ row }) => row),
  };
}

/** A row and the instant it sorts by (the deadline, the call-back), in epoch milliseconds. */
interface Sortable<Row> {
  row: Row;
  atMs: number;
}

function overdueRow(
  fact: CaseFacts,
  times: FactTimes,
  episode: EpisodeFact,
  dueMs: number,
  unit: string,
  monthEndMs: number,
): OverdueMilestoneRow {
  const supervisions: SupervisionAtMonthEnd[] = [];
  fact.supervisions.forEach((supervision, index) => {
    const { issuedMs, answeredMs } = times.supervisions[index];
    if (issuedMs < monthEndMs) supervisions.push(supervisionAt(supervision, answeredMs !== undefined && answeredMs < monthEndMs));
  });
  return {
    caseId: fact.caseId,
    number: fact.number,
    kind: fact.kind,
    title: fact.title,
    unit,
    milestone: episode.milestone,
    deadline: episode.dueAt,
    daysOverdue: daysOverdueMs(dueMs, monthEndMs),
    supervisions,
    urged: times.urgedMs.filter((urgedMs) => urgedMs < monthEndMs).length,
  };
}

function supervisionAt(supervision: SupervisionFact, answered: boolean): SupervisionAtMonthEnd {
  return {
    instruction: supervision.instruction,
    issuedAt: supervision.issuedAt,
    dueAt: supervision.dueAt ?? null,
    answered,
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
  left: Sortable<OverdueMilestoneRow>,
  right: Sortable<OverdueMilestoneRow>,
  compareUnits: (left: string, right: string) => number,
): number {
  return (
    compareUnits(left.row.unit, right.row.unit) ||
    left.atMs - right.atMs ||
    compareCodeUnits(left.row.number, right.row.number) ||
    MILESTONES.indexOf(left.row.milestone) - MILESTONES.indexOf(right.row.milestone)
  );
}

function compareUnsatisfiedRows(
  left: Sortable<UnsatisfiedCallbackRow>,
  right: Sortable<UnsatisfiedCallbackRow>,
  compareUnits: (left: string, right: string) => number,
): number {
  return compareUnits(left.row.unit, right.row.unit) || left.atMs - right.atMs || compareCodeUnits(left.row.number, right.row.number);
}

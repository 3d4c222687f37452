import type {
  MonthlyReport as ComputedMonthlyReport,
  MonthlyReportScope,
  MonthlyUnitRow,
  OverdueMilestoneRow,
  SupervisionAtMonthEnd,
  UnsatisfiedCallbackRow,
} from '@cases/domain';

/**
 * The monthly overdue/unsatisfied report (月度超期/不满意工单通报) as SPEC §5 defines its JSON: the
 * domain's computation plus the global log position it was computed at. The renderers only
 * present it, so every figure, every ordering and the ranking arrive here already decided.
 */
export interface MonthlyReport extends ComputedMonthlyReport {
  /** The global log position the report was computed at, as a decimal string (it may exceed 2^53). */
  position: string;
  /** Present when the report is narrowed to one handling unit (a `unit` user asked): whose it is and its rank out of how many. */
  scope?: MonthlyReportScope;
}

export type UnitTimeliness = MonthlyUnitRow;
export type OverdueMilestone = OverdueMilestoneRow;
export type SupervisionOrder = SupervisionAtMonthEnd;
export type UnsatisfiedCallback = UnsatisfiedCallbackRow;

/** What the report does not carry but every rendering shows. */
export interface ReportRenderContext {
  /** The organisation the report is for, e.g. 大雁塔街道. */
  orgName: string;
  generatedAt: Date;
}

import type { CaseKind, Milestone } from '@cases/domain';

/**
 * The monthly overdue/unsatisfied report (月度超期/不满意工单通报) as SPEC §5 defines its JSON. The
 * computing side produces it from a prefix of the global log; the renderers only present it, so
 * every figure, every ordering and the ranking arrive here already decided.
 */
export interface MonthlyReport {
  /** The reporting month in Asia/Shanghai time, 'YYYY-MM'. */
  month: string;
  /** The global log position the report was computed at, as a decimal string (it may exceed 2^53). */
  position: string;
  /** One row per handling unit, best to worst. */
  units: UnitTimeliness[];
  /** Every milestone still open and overdue at the end of the month. */
  overdue: OverdueMilestone[];
  /** Every hotline ticket with an unsatisfied call-back in the month. */
  unsatisfied: UnsatisfiedCallback[];
}

export interface UnitTimeliness {
  unit: string;
  /** Milestones whose final deadline fell in the month. */
  due: number;
  onTime: number;
  late: number;
  /** Milestones open and overdue at the end of the month, whatever month they fell due. */
  openOverdue: number;
  /** Unsatisfied call-backs recorded in the month. */
  unsatisfied: number;
  /** onTime / due between 0 and 1; null when nothing fell due (never shown as 0% or 100%). */
  onTimeRate: number | null;
  rank: number;
}

export interface OverdueMilestone {
  caseId: string;
  /** The human-readable case number, e.g. XF2026-0001. */
  number: string;
  kind: CaseKind;
  title: string;
  unit: string;
  milestone: Milestone;
  /** ISO-8601 instant. */
  deadline: string;
  /** Days overdue at the end of the month. */
  daysOverdue: number;
  supervisions: SupervisionOrder[];
}

/** A supervision order (督办) issued on the overdue case. */
export interface SupervisionOrder {
  instruction: string;
  /** ISO-8601 instant. */
  issuedAt: string;
  /** ISO-8601 instant; absent when the order set no time limit. */
  dueAt?: string;
  answered: boolean;
}

export interface UnsatisfiedCallback {
  caseId: string;
  number: string;
  title: string;
  unit: string;
  /** ISO-8601 instant of the call-back. */
  reviewedAt: string;
}

/** What the report does not carry but every rendering shows. */
export interface ReportRenderContext {
  /** The organisation the report is for, e.g. 大雁塔街道. */
  orgName: string;
  generatedAt: Date;
}

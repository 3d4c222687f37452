import type { CaseKind, Milestone } from '@cases/domain';
import type { MonthlyReport, SupervisionOrder } from './monthly-report.types';

/** Shown where a value does not exist, e.g. an on-time rate with nothing due. */
export const NOT_APPLICABLE = '—';

export const KIND_LABELS: Record<CaseKind, string> = {
  petition: '信访',
  hotline: '12345工单',
  dispute: '矛盾纠纷',
};

export const MILESTONE_LABELS: Record<Milestone, string> = {
  acceptance: '受理告知',
  reply: '办结答复',
  sign: '签收',
  resolve: '办结',
  callback: '回访',
  mediation: '调解',
  reexamination: '复查',
};

/**
 * China has kept one fixed UTC+08:00 offset since 1991, so shifting by eight hours is exact for
 * every instant a report can contain and no time-zone database is needed.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * A Date whose UTC fields read as the Shanghai wall-clock time of the instant. Spreadsheet dates
 * carry no zone, so this is what a cell must hold for a reader anywhere to see Shanghai time.
 */
export function shanghaiWallClock(instant: string | Date): Date {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return new Date(ms + SHANGHAI_OFFSET_MS);
}

/** 'YYYY-MM-DD HH:mm' in Asia/Shanghai. */
export function formatShanghaiMinute(instant: string | Date): string {
  return shanghaiWallClock(instant).toISOString().slice(0, 16).replace('T', ' ');
}

/** A ratio between 0 and 1 as a percentage with one decimal (0.923 → '92.3%'), null as '—'. */
export function formatRate(ratio: number | null): string {
  return ratio === null ? NOT_APPLICABLE : `${(ratio * 100).toFixed(1)}%`;
}

/** '2026-03' → '2026年3月'. */
export function formatMonth(month: string): string {
  const match = YEAR_MONTH.exec(month);
  if (!match) throw new RangeError(`month must be 'YYYY-MM', got '${month}'`);
  return `${match[1]}年${Number(match[2])}月`;
}

/** The heading every rendering opens with, e.g. '大雁塔街道 2026年3月 超期/不满意工单通报'. */
export function reportTitle(orgName: string, month: string): string {
  return `${orgName} ${formatMonth(month)} 超期/不满意工单通报`;
}

export function formatPosition(position: string): string {
  return `日志位置：${position}`;
}

/** A report narrowed to one unit says so: '本单位：曲江社区', then '排名：2 / 5' after an ideographic space (rank '—' without an on-time rate). */
export function formatScope(scope: NonNullable<MonthlyReport['scope']>): string {
  return `本单位：${scope.unit}　排名：${scope.rank ?? NOT_APPLICABLE} / ${scope.rankedUnits}`;
}

export function formatGeneratedAt(generatedAt: Date): string {
  return `生成时间：${formatShanghaiMinute(generatedAt)}`;
}

/** One line per order: '2026-03-24 09:30 请于3日内办结（限 2026-03-27 18:00；未答复）'. */
export function formatSupervision(order: SupervisionOrder): string {
  const limit = order.dueAt === null ? '' : `限 ${formatShanghaiMinute(order.dueAt)}；`;
  return `${formatShanghaiMinute(order.issuedAt)} ${order.instruction}（${limit}${order.answered ? '已答复' : '未答复'}）`;
}

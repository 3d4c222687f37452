import { assertValidInstant, instantAt, MS_PER_DAY } from '../calendar/china-standard-time';

/**
 * A half-open interval [from, to) of instants, in epoch milliseconds. Every period the KPIs and
 * the monthly report use is half-open, so consecutive periods never count an instant twice and
 * an instant exactly at `to` belongs to the next period.
 */
export interface ReportingPeriod {
  readonly fromMs: number;
  readonly toMs: number;
}

const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function periodBetween(from: Date, to: Date): ReportingPeriod {
  assertValidInstant(from, 'from');
  assertValidInstant(to, 'to');
  if (from.getTime() > to.getTime()) {
    throw new RangeError(`from (${from.toISOString()}) must not be after to (${to.toISOString()})`);
  }
  return { fromMs: from.getTime(), toMs: to.getTime() };
}

/**
 * The month 'YYYY-MM' in Asia/Shanghai time: [first day 00:00+08:00, next month's first day
 * 00:00+08:00). Returned as instants so a caller can echo the period or ask the timeliness KPIs
 * for exactly the same month.
 */
export function shanghaiMonth(month: string): { from: Date; to: Date } {
  const match = YEAR_MONTH.exec(month);
  if (!match) throw new RangeError(`month must be 'YYYY-MM', got '${month}'`);
  const year = Number(match[1]);
  const monthIndex = Number(match[2]) - 1;
  // Date.UTC rolls month 12 over into January of the next year.
  return { from: shanghaiMidnightOfFirstDay(year, monthIndex), to: shanghaiMidnightOfFirstDay(year, monthIndex + 1) };
}

function shanghaiMidnightOfFirstDay(year: number, monthIndex: number): Date {
  return instantAt(Date.UTC(year, monthIndex, 1) / MS_PER_DAY, 0);
}

/** Whether an ISO-8601 instant falls in the period; an absent instant (not happened) never does. */
export function inPeriod(period: ReportingPeriod, iso: string | undefined): boolean {
  return iso !== undefined && msInPeriod(period, Date.parse(iso));
}

/** `inPeriod` for an instant already parsed (`factTimes`); undefined (not happened) never is. */
export function msInPeriod(period: ReportingPeriod, ms: number | undefined): boolean {
  return ms !== undefined && ms >= period.fromMs && ms < period.toMs;
}

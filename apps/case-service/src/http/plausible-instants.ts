import { RequestValidationError } from './problem-details';

/**
 * Every instant the service accepts (a business time, a platform deadline, a supervision's due
 * time, a query's asOf, from or to, a report's month) lies from 2000-01-01 (Asia/Shanghai) to five
 * years after the server's clock. Nothing the service records happened before it could have been
 * recorded electronically, and no deadline or query looks decades ahead; an instant outside the
 * range is a typo (0100 for 2026) or a probe, refused with 400 before it can back-date a case,
 * give a case number a year of other than four digits, or make a report walk centuries.
 *
 * The upper bound reads the system clock rather than the service's injectable clock: it is a
 * sanity bound, not a business rule (the rules — no business time in the future — use the
 * injected clock).
 */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00+08:00';
export const FUTURE_YEARS = 5;
export const PLAUSIBLE_RANGE = `from 2000-01-01 to ${FUTURE_YEARS} years from now`;

const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function latestPlausibleMs(now = Date.now()): number {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + FUTURE_YEARS);
  return latest.getTime();
}

/** Milliseconds of an ISO-8601 date (midnight in Asia/Shanghai) or date-time; NaN when it does not parse. */
export function instantMs(value: string): number {
  return Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00+08:00` : value);
}

export function isPlausibleInstant(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const ms = instantMs(value);
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= latestPlausibleMs();
}

/**
 * An ISO-8601 date (YYYY-MM-DD) or a date-time with seconds optional and an explicit offset.
 * Whether the day and time exist is `namesExistingTime`'s to say.
 */
const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** The shape of an instant in a query, naming a day and a time that exist. */
export function isExistingInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT_SHAPE.test(value) && namesExistingTime(value);
}

const FIELDS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2})))?/;

/**
 * Whether the date-time a well-shaped ISO-8601 string writes exists: a month 01-12, a day the
 * month has (2026-02-30 does not, 2024-02-29 does), hours 00-23, minutes and seconds 00-59, an
 * offset within ±23:59. JavaScript's Date would roll an impossible day over into the next month;
 * this is checked on the digits, before any Date is made.
 */
export function namesExistingTime(value: string): boolean {
  const match = FIELDS.exec(value);
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** A report month `YYYY-MM`: why it is refused, or undefined. It must have begun (Asia/Shanghai) at `now`. */
export function reportMonthProblem(month: string, now: Date): string | undefined {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return 'expected a month as YYYY-MM';
  const start = Date.parse(`${month}-01T00:00:00+08:00`);
  if (start < EARLIEST_MS) return 'the month must be 2000-01 or later';
  if (start > now.getTime()) return 'the month has not begun yet';
  return undefined;
}

/** A query parameter naming an instant, as a Date; a 400 naming the field when it does not exist or is out of range. */
export function parseInstantParameter(value: string, field: string): Date {
  if (!isExistingInstant(value)) {
    throw new RequestValidationError([
      {
        field,
        message: `${field} must be a date that exists (YYYY-MM-DD, midnight in Asia/Shanghai) or an ISO-8601 date-time with a UTC offset`,
      },
    ]);
  }
  if (!isPlausibleInstant(value)) throw new RequestValidationError([{ field, message: `${field} must lie ${PLAUSIBLE_RANGE}` }]);
  return new Date(instantMs(value));
}

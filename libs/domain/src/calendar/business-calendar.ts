import { CHINESE_DAYS_HOLIDAY_DATA } from './chinese-days-holidays';
import {
  assertValidInstant,
  dayOf,
  formatIsoDate,
  instantAt,
  isWeekend,
  MS_PER_DAY,
  MS_PER_MINUTE,
  parseIsoDate,
  yearOf,
  type Day,
} from './china-standard-time';
import { ConfigIssueCollector } from './config-validation';
import { EMPTY_HOLIDAY_DATA, type HolidayData } from './holiday-data';

/** One stretch of office time on a working day, Shanghai wall-clock 'HH:MM' (end may be '24:00'). */
export interface OfficeHoursInterval {
  readonly start: string;
  readonly end: string;
}

export const DEFAULT_OFFICE_HOURS: readonly OfficeHoursInterval[] = Object.freeze([
  Object.freeze({ start: '09:00', end: '12:00' }),
  Object.freeze({ start: '14:00', end: '18:00' }),
]);

export interface BusinessCalendarOptions {
  /** Published holiday data; `createBusinessCalendar` passes the pinned package's. */
  readonly holidayData: HolidayData;
  /** The operator's additions and corrections; where it disagrees with `holidayData`, it wins. */
  readonly override?: HolidayData;
  /** Ascending, non-overlapping; default 09:00–12:00 and 14:00–18:00. */
  readonly officeHours?: readonly OfficeHoursInterval[];
}

/**
 * A run of this many consecutive days without office time means the configuration is broken
 * (every day overridden as a holiday); stop instead of looping for ever.
 */
const MAX_DAYS_WITHOUT_OFFICE_TIME = 366;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const HH_MM = /^(\d{2}):(\d{2})$/;

interface OfficeInterval {
  startMinute: number;
  endMinute: number;
}

/**
 * Working days and office hours of a mainland-China government office, Asia/Shanghai (fixed
 * UTC+08:00, see china-standard-time.ts). A day is a working day when it is listed as one (a
 * make-up day), else when it is Monday–Friday and not a holiday. Immutable and pure: every
 * answer depends only on the arguments and the data given at construction.
 */
export class BusinessCalendar {
  private readonly holidays: ReadonlySet<Day>;
  private readonly workingDays: ReadonlySet<Day>;
  private readonly coveredYears: ReadonlySet<number>;
  private readonly officeIntervals: readonly OfficeInterval[];
  /** Last year with published data (package or override); later dates are provisional. */
  readonly lastPublishedYear: number | null;

  constructor(options: BusinessCalendarOptions) {
    const issues = new ConfigIssueCollector();
    const base = toDays(options.holidayData, 'holidayData', issues);
    const override = toDays(options.override ?? EMPTY_HOLIDAY_DATA, 'override', issues);
    this.officeIntervals = parseOfficeHours(options.officeHours ?? DEFAULT_OFFICE_HOURS, issues);
    issues.throwIfAny('business calendar');

    // The override wins: a day it lists on one side is removed from the package's other side.
    this.holidays = new Set([...base.holidays].filter((day) => !override.workingDays.has(day)).concat([...override.holidays]));
    this.workingDays = new Set([...base.workingDays].filter((day) => !override.holidays.has(day)).concat([...override.workingDays]));
    this.coveredYears = new Set([...options.holidayData.years, ...(options.override?.years ?? [])]);
    this.lastPublishedYear = this.coveredYears.size > 0 ? Math.max(...this.coveredYears) : null;
  }

  /** Whether the day (a 'YYYY-MM-DD' date, or the Shanghai day of an instant) is a working day. */
  isWorkingDay(date: Date | string): boolean {
    return this.isWorkingDayNumber(toDay(date));
  }

  /** The same wall-clock time `days` calendar days later (a fixed offset makes that exactly `days` × 24 h). */
  addCalendarDays(instant: Date, days: number): Date {
    assertValidInstant(instant);
    assertWholeNumber(days, 'days', 0);
    return new Date(instant.getTime() + days * MS_PER_DAY);
  }

  /**
   * The end of office hours on the `days`-th working day after the instant's day, whatever the
   * time of day of the instant and whether its own day is a working day. This is how 12345
   * platforms and the Civil Code (Arts. 201, 203: the starting day is not counted; the last day
   * ends when business stops) count "N 个工作日": dispatched Wednesday 17:30 with 2 working days
   * is due Friday 18:00.
   */
  addWorkingDays(instant: Date, days: number): Date {
    assertValidInstant(instant);
    assertWholeNumber(days, 'days', 1);
    let day = dayOf(instant);
    for (let counted = 0; counted < days; counted += 1) day = this.nextWorkingDayAfter(day);
    return this.endOfOfficeDay(day);
  }

  /**
   * The earliest instant at which `hours` of office time have passed since `instant`. Only office
   * minutes of working days count: an instant outside office hours starts counting at the next
   * opening, and lunch breaks, nights, weekends and holidays are skipped. A count that uses up
   * a morning exactly ends at the lunch break (12:00), not after it.
   */
  addWorkingHours(instant: Date, hours: number): Date {
    assertValidInstant(instant);
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a non-negative number, got ${hours}`);
    let remainingMs = Math.round(hours * MS_PER_HOUR);
    if (remainingMs === 0) return instant;
    const startMs = instant.getTime();
    let day = dayOf(instant);
    for (let idleDays = 0; idleDays <= MAX_DAYS_WITHOUT_OFFICE_TIME; day += 1) {
      const periods = this.officePeriods(day);
      idleDays = periods.length === 0 ? idleDays + 1 : 0;
      for (const [periodStart, periodEnd] of periods) {
        const from = Math.max(periodStart, startMs);
        if (from >= periodEnd) continue;
        if (remainingMs <= periodEnd - from) return new Date(from + remainingMs);
        remainingMs -= periodEnd - from;
      }
    }
    throw noWorkingDayError(day);
  }

  /**
   * Office time between two instants, in minutes (fractional when the instants carry seconds).
   * Antisymmetric: negative when `to` is before `from`.
   */
  workingTimeBetween(from: Date, to: Date): number {
    assertValidInstant(from, 'from');
    assertValidInstant(to, 'to');
    if (to.getTime() < from.getTime()) return -this.workingTimeBetween(to, from);
    let totalMs = 0;
    for (let day = dayOf(from); day <= dayOf(to); day += 1) {
      for (const [periodStart, periodEnd] of this.officePeriods(day)) {
        totalMs += Math.max(0, Math.min(periodEnd, to.getTime()) - Math.max(periodStart, from.getTime()));
      }
    }
    return totalMs / MS_PER_MINUTE;
  }

  /**
   * "Urgent: the same working day": the end of office hours of the instant's day when that is a
   * working day and office hours have not ended yet (before opening and lunch still count as
   * the same day); otherwise the end of office hours of the next working day.
   */
  sameWorkingDayEnd(instant: Date): Date {
    assertValidInstant(instant);
    const day = dayOf(instant);
    if (this.isWorkingDayNumber(day) && instant.getTime() < this.endOfOfficeDay(day).getTime()) {
      return this.endOfOfficeDay(day);
    }
    return this.endOfOfficeDay(this.nextWorkingDayAfter(day));
  }

  /** The instant itself on a working day; otherwise the same wall-clock time on the next working day. */
  rollForwardToWorkingDay(instant: Date): Date {
    assertValidInstant(instant);
    const day = dayOf(instant);
    if (this.isWorkingDayNumber(day)) return instant;
    return new Date(instant.getTime() + (this.nextWorkingDayAfter(day) - day) * MS_PER_DAY);
  }

  /**
   * Whether the instant falls in a year no published data covers (neither the package nor the
   * override), so its working days were guessed from weekdays alone and may change once the
   * State Council publishes that year's notice.
   */
  isProvisional(instant: Date): boolean {
    assertValidInstant(instant);
    return !this.coveredYears.has(yearOf(dayOf(instant)));
  }

  private isWorkingDayNumber(day: Day): boolean {
    if (this.workingDays.has(day)) return true;
    return !isWeekend(day) && !this.holidays.has(day);
  }

  private nextWorkingDayAfter(day: Day): Day {
    for (let candidate = day + 1; candidate <= day + MAX_DAYS_WITHOUT_OFFICE_TIME; candidate += 1) {
      if (this.isWorkingDayNumber(candidate)) return candidate;
    }
    throw noWorkingDayError(day);
  }

  private endOfOfficeDay(day: Day): Date {
    return instantAt(day, this.officeIntervals[this.officeIntervals.length - 1].endMinute);
  }

  /** The day's office intervals as [start, end) epoch milliseconds; none on a non-working day. */
  private officePeriods(day: Day): Array<[number, number]> {
    if (!this.isWorkingDayNumber(day)) return [];
    return this.officeIntervals.map(({ startMinute, endMinute }) => [
      instantAt(day, startMinute).getTime(),
      instantAt(day, endMinute).getTime(),
    ]);
  }
}

/** The business calendar over the pinned `chinese-days` data, with the operator's override and office hours. */
export function createBusinessCalendar(
  options: { override?: HolidayData; officeHours?: readonly OfficeHoursInterval[] } = {},
): BusinessCalendar {
  return new BusinessCalendar({ holidayData: CHINESE_DAYS_HOLIDAY_DATA, ...options });
}

function toDay(date: Date | string): Day {
  if (typeof date === 'string') {
    const day = parseIsoDate(date);
    if (day === null) throw new RangeError(`expected a date YYYY-MM-DD, got '${date}'`);
    return day;
  }
  assertValidInstant(date, 'date');
  return dayOf(date);
}

function toDays(data: HolidayData, path: string, issues: ConfigIssueCollector): { holidays: Set<Day>; workingDays: Set<Day> } {
  const collect = (dates: readonly string[], listPath: string): Set<Day> => {
    const days = new Set<Day>();
    dates.forEach((date, index) => {
      const day = parseIsoDate(date);
      if (day === null) issues.add(`${listPath}[${index}]`, 'expected a date YYYY-MM-DD');
      else days.add(day);
    });
    return days;
  };
  const holidays = collect(data.holidays, `${path}.holidays`);
  const workingDays = collect(data.workingDays, `${path}.workingDays`);
  for (const day of workingDays) {
    if (holidays.has(day)) issues.add(`${path}.workingDays`, `${formatIsoDate(day)} is also listed as a holiday`);
  }
  return { holidays, workingDays };
}

function parseOfficeHours(intervals: readonly OfficeHoursInterval[], issues: ConfigIssueCollector): OfficeInterval[] {
  if (intervals.length === 0) issues.add('officeHours', 'expected at least one interval');
  const parsed: OfficeInterval[] = [];
  intervals.forEach((interval, index) => {
    const path = `officeHours[${index}]`;
    const startMinute = parseClock(interval.start, `${path}.start`, issues);
    const endMinute = parseClock(interval.end, `${path}.end`, issues);
    if (startMinute === null || endMinute === null) return;
    if (endMinute <= startMinute) issues.add(path, 'end must be after start');
    const previous = parsed[parsed.length - 1];
    if (previous && startMinute < previous.endMinute) issues.add(path, 'must start at or after the previous interval ends');
    parsed.push({ startMinute, endMinute });
  });
  return parsed;
}

function parseClock(text: unknown, path: string, issues: ConfigIssueCollector): number | null {
  const match = typeof text === 'string' ? HH_MM.exec(text) : null;
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) > 59 || minutes > 24 * 60) {
    issues.add(path, "expected a time 'HH:MM' between 00:00 and 24:00");
    return null;
  }
  return minutes;
}

function assertWholeNumber(value: number, name: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be a whole number of at least ${minimum}, got ${value}`);
  }
}

function noWorkingDayError(day: Day): Error {
  return new RangeError(
    `the business calendar has no working day within ${MAX_DAYS_WITHOUT_OFFICE_TIME} days after ${formatIsoDate(day)}; check the holiday override`,
  );
}

import { ConfigIssueCollector, ConfigValidationError } from './config-validation';
import { parseIsoDate } from './china-standard-time';

/**
 * Statutory holidays and make-up working days (调休) as published by the State Council, one notice
 * per year. The package data and the operator override share this shape.
 */
export interface HolidayData {
  /**
   * Years whose notice this data holds. Inside these years a date that is listed nowhere is an
   * ordinary day (Monday–Friday working, weekend off); outside them the calendar still answers
   * that way, but flags the result as provisional.
   */
  readonly years: readonly number[];
  /** 'YYYY-MM-DD' days off, including the weekend days inside a holiday break. */
  readonly holidays: readonly string[];
  /** 'YYYY-MM-DD' days that are working days whatever the weekday: make-up days (调休上班) on a weekend. */
  readonly workingDays: readonly string[];
}

export const EMPTY_HOLIDAY_DATA: HolidayData = Object.freeze({ years: [], holidays: [], workingDays: [] });

const SUBJECT = 'holiday override';
const OVERRIDE_KEYS = ['years', 'holidays', 'workingDays'] as const;

/**
 * Validates the operator's override (a year not yet in the package, or a late change to a
 * published one). Every key is optional; a date may not be both a holiday and a working day.
 */
export function parseHolidayOverride(json: unknown, path = 'override'): HolidayData {
  const issues = new ConfigIssueCollector();
  const root = issues.object(json, path);
  if (!root) throw new ConfigValidationError(SUBJECT, issues.issues);
  issues.onlyKeys(root, OVERRIDE_KEYS, path);
  // Before 1992 China still had daylight saving time, which the fixed +08:00 offset does not model.
  const years = readList(root.years, `${path}.years`, issues, (item) =>
    Number.isInteger(item) && (item as number) >= 1992 && (item as number) <= 9999 ? null : 'expected a year (a whole number from 1992)',
  ) as number[];
  const holidays = readList(root.holidays, `${path}.holidays`, issues, dateProblem) as string[];
  const workingDays = readList(root.workingDays, `${path}.workingDays`, issues, dateProblem) as string[];
  const holidaySet = new Set(holidays);
  workingDays.forEach((date, index) => {
    if (holidaySet.has(date)) issues.add(`${path}.workingDays[${index}]`, `${date} is also listed as a holiday`);
  });
  issues.throwIfAny(SUBJECT);
  return Object.freeze({ years: Object.freeze(years), holidays: Object.freeze(holidays), workingDays: Object.freeze(workingDays) });
}

function dateProblem(item: unknown): string | null {
  return typeof item === 'string' && parseIsoDate(item) !== null ? null : 'expected a date YYYY-MM-DD';
}

function readList(value: unknown, path: string, issues: ConfigIssueCollector, problemWith: (item: unknown) => string | null): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.add(path, 'expected an array');
    return [];
  }
  value.forEach((item, index) => {
    const problem = problemWith(item);
    if (problem) issues.add(`${path}[${index}]`, problem);
  });
  return [...value];
}

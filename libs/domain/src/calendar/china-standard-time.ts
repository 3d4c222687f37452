/**
 * Day arithmetic in Asia/Shanghai. China has used one zone at a fixed UTC+08:00 all year since it
 * stopped daylight saving time in 1991, and the holiday data starts in 2004, so a fixed offset is
 * exact for every date the calendar can answer for; no time-zone database is needed.
 *
 * A "day" here is a whole number: days since 1970-01-01 in Shanghai. Integers make "the next day"
 * and set look-ups cheap, which matters at millions of tickets a year.
 */
const UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
const MS_PER_DAY = 24 * 60 * 60 * 1000;
const MS_PER_MINUTE = 60 * 1000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Day = number;

export function assertValidInstant(instant: Date, name = 'instant'): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`${name} must be a valid Date`);
  }
}

/** The Shanghai calendar day an instant falls on. */
export function dayOf(instant: Date): Day {
  return Math.floor((instant.getTime() + UTC_OFFSET_MS) / MS_PER_DAY);
}

/** The instant at `minuteOfDay` minutes after midnight, Shanghai time, on `day`. */
export function instantAt(day: Day, minuteOfDay: number): Date {
  return new Date(day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE - UTC_OFFSET_MS);
}

/** 0 = Sunday … 6 = Saturday, as `Date#getDay`. 1970-01-01 was a Thursday. */
export function weekdayOf(day: Day): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: Day): boolean {
  const weekday = weekdayOf(day);
  return weekday === 0 || weekday === 6;
}

export function yearOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** Parses a real calendar date 'YYYY-MM-DD' (rejecting 2026-02-30); null when it is not one. */
export function parseIsoDate(text: string): Day | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcMidnight = Date.UTC(year, month - 1, dayOfMonth);
  const roundTrip = new Date(utcMidnight);
  if (roundTrip.getUTCMonth() !== month - 1 || roundTrip.getUTCDate() !== dayOfMonth) return null;
  return utcMidnight / MS_PER_DAY;
}

export function formatIsoDate(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export { MS_PER_DAY, MS_PER_MINUTE };

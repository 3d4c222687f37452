import chineseDaysJson from 'chinese-days/dist/chinese-days.json';
import type { HolidayData } from './holiday-data';

/**
 * The holiday data of the pinned `chinese-days` package (1.5.7: State Council notices 2004–2026).
 * Read once, from the JSON file the package publishes for non-JS consumers, rather than through
 * its functions: those parse dates in the host's local time zone and fall back to the clock,
 * both of which the domain must not depend on.
 */
export const CHINESE_DAYS_HOLIDAY_DATA: HolidayData = fromChineseDays(chineseDaysJson);

interface ChineseDaysJson {
  /** Date → "English name,中文名,festival id"; only the dates' keys matter here. */
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

function fromChineseDays(data: ChineseDaysJson): HolidayData {
  const holidays = Object.keys(data.holidays).sort();
  const workingDays = Object.keys(data.workdays).sort();
  const years = [...new Set([...holidays, ...workingDays].map((date) => Number(date.slice(0, 4))))].sort((a, b) => a - b);
  return Object.freeze({ years: Object.freeze(years), holidays: Object.freeze(holidays), workingDays: Object.freeze(workingDays) });
}

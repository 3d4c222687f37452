import chineseDaysPackage from 'chinese-days/package.json';
import { BusinessCalendar, createBusinessCalendar } from './business-calendar';
import { CHINESE_DAYS_HOLIDAY_DATA } from './chinese-days-holidays';
import { ConfigValidationError } from './config-validation';
import { parseHolidayOverride } from './holiday-data';

/** Formats an instant as Shanghai wall-clock time, so expectations read like the hand computation. */
function shanghai(instant: Date): string {
  return `${new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}
const at = (iso: string): Date => new Date(iso);

const calendar = createBusinessCalendar();

describe('holiday data of the pinned chinese-days package', () => {
  // The expectations below were checked against this exact version; a bump must re-check them.
  it('is version 1.5.7, covering 2004 to 2026', () => {
    expect(chineseDaysPackage.version).toBe('1.5.7');
    expect(CHINESE_DAYS_HOLIDAY_DATA.years[0]).toBe(2004);
    expect(CHINESE_DAYS_HOLIDAY_DATA.years).toHaveLength(2026 - 2004 + 1);
    expect(calendar.lastPublishedYear).toBe(2026);
  });

  it('has National Day 2026 as 1–7 October with make-up working days Sunday 20 September and Saturday 10 October', () => {
    const octoberHolidays = CHINESE_DAYS_HOLIDAY_DATA.holidays.filter((date) => date.startsWith('2026-10'));
    expect(octoberHolidays).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']);
    const autumnWorkingDays = CHINESE_DAYS_HOLIDAY_DATA.workingDays.filter((date) => date >= '2026-09' && date < '2026-11');
    expect(autumnWorkingDays).toEqual(['2026-09-20', '2026-10-10']);
  });

  it('has the Spring Festival 2026 break as 15–23 February with make-up Saturdays 14 and 28 February', () => {
    const februaryHolidays = CHINESE_DAYS_HOLIDAY_DATA.holidays.filter((date) => date.startsWith('2026-02'));
    expect(februaryHolidays).toEqual([
      '2026-02-15',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
      '2026-02-23',
    ]);
    expect(CHINESE_DAYS_HOLIDAY_DATA.workingDays.filter((date) => date.startsWith('2026-02'))).toEqual(['2026-02-14', '2026-02-28']);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-09-30', true], // Wednesday before National Day
    ['2026-10-01', false], // National Day
    ['2026-10-07', false],
    ['2026-10-08', true],
    ['2026-10-10', true], // Saturday, make-up working day
    ['2026-10-11', false], // ordinary Sunday
    ['2026-09-20', true], // Sunday, make-up working day
    ['2026-09-25', false], // Friday, Mid-Autumn Festival
    ['2026-02-14', true], // Saturday, make-up working day
    ['2026-02-16', false], // Monday in the Spring Festival break
    ['2026-02-24', true],
  ])('%s → %s', (date, working) => {
    expect(calendar.isWorkingDay(date)).toBe(working);
  });

  it('takes the Shanghai day of an instant, not the UTC day', () => {
    expect(calendar.isWorkingDay(at('2026-10-10T00:30:00+08:00'))).toBe(true); // still 9 Oct in UTC
    expect(calendar.isWorkingDay(at('2026-10-11T07:00:00+08:00'))).toBe(false); // still 10 Oct in UTC
  });

  it('refuses a string that is not a real date', () => {
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('addCalendarDays', () => {
  it('keeps the wall-clock time, across holidays', () => {
    expect(shanghai(calendar.addCalendarDays(at('2026-09-30T17:30:00+08:00'), 3))).toBe('2026-10-03T17:30:00+08:00');
  });
});

describe('addWorkingDays: end of office hours of the Nth working day after the start day', () => {
  const dispatchedBeforeNationalDay = at('2026-09-30T17:30:00+08:00');

  it('skips the National Day holiday and counts the make-up Saturday', () => {
    expect(shanghai(calendar.addWorkingDays(dispatchedBeforeNationalDay, 1))).toBe('2026-10-08T18:00:00+08:00');
    expect(shanghai(calendar.addWorkingDays(dispatchedBeforeNationalDay, 3))).toBe('2026-10-10T18:00:00+08:00');
    expect(shanghai(calendar.addWorkingDays(dispatchedBeforeNationalDay, 5))).toBe('2026-10-13T18:00:00+08:00');
  });

  it('never counts the start day, even when it starts before opening', () => {
    expect(shanghai(calendar.addWorkingDays(at('2026-09-30T08:00:00+08:00'), 1))).toBe('2026-10-08T18:00:00+08:00');
  });

  it('starting on a holiday counts from the first working day after it', () => {
    expect(shanghai(calendar.addWorkingDays(at('2026-10-03T10:00:00+08:00'), 1))).toBe('2026-10-08T18:00:00+08:00');
  });

  it('crosses the Spring Festival break', () => {
    const fridayBeforeBreak = at('2026-02-13T10:00:00+08:00');
    expect(shanghai(calendar.addWorkingDays(fridayBeforeBreak, 1))).toBe('2026-02-14T18:00:00+08:00');
    expect(shanghai(calendar.addWorkingDays(fridayBeforeBreak, 2))).toBe('2026-02-24T18:00:00+08:00');
  });

  it('refuses anything but a positive whole number', () => {
    expect(() => calendar.addWorkingDays(dispatchedBeforeNationalDay, 0)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(dispatchedBeforeNationalDay, 1.5)).toThrow(RangeError);
  });
});

describe('addWorkingHours: office minutes only', () => {
  it.each([
    ['crossing National Day', '2026-09-30T17:30:00+08:00', 2, '2026-10-08T10:30:00+08:00'],
    ['half an hour to closing', '2026-09-30T17:30:00+08:00', 0.5, '2026-09-30T18:00:00+08:00'],
    ['crossing lunch', '2026-03-02T11:00:00+08:00', 2, '2026-03-02T15:00:00+08:00'],
    ['starting during lunch', '2026-03-02T12:30:00+08:00', 1, '2026-03-02T15:00:00+08:00'],
    ['using up the morning ends at 12:00, not 14:00', '2026-03-02T10:00:00+08:00', 2, '2026-03-02T12:00:00+08:00'],
    ['starting before opening', '2026-03-02T07:00:00+08:00', 1, '2026-03-02T10:00:00+08:00'],
    ['crossing a night', '2026-03-02T17:00:00+08:00', 3, '2026-03-03T11:00:00+08:00'],
    ['starting at night', '2026-03-02T20:00:00+08:00', 1, '2026-03-03T10:00:00+08:00'],
    ['crossing a weekend', '2026-03-06T17:00:00+08:00', 2, '2026-03-09T10:00:00+08:00'],
    ['into a make-up Saturday', '2026-10-09T17:00:00+08:00', 3, '2026-10-10T11:00:00+08:00'],
    ['from a make-up Saturday across the Spring Festival', '2026-02-14T17:00:00+08:00', 2, '2026-02-24T10:00:00+08:00'],
  ])('%s: %s + %s h → %s', (_case, start, hours, expected) => {
    expect(shanghai(calendar.addWorkingHours(at(start), hours))).toBe(expected);
  });

  it('adding nothing is the instant itself', () => {
    expect(shanghai(calendar.addWorkingHours(at('2026-10-03T10:00:00+08:00'), 0))).toBe('2026-10-03T10:00:00+08:00');
  });

  it('follows configured office hours', () => {
    const longDay = createBusinessCalendar({ officeHours: [{ start: '08:30', end: '17:30' }] });
    expect(shanghai(longDay.addWorkingHours(at('2026-03-02T17:00:00+08:00'), 1))).toBe('2026-03-03T09:00:00+08:00');
    expect(shanghai(longDay.addWorkingDays(at('2026-03-02T17:00:00+08:00'), 1))).toBe('2026-03-03T17:30:00+08:00');
  });
});

describe('workingTimeBetween, in minutes', () => {
  it('counts only office time across lunch, nights and holidays', () => {
    expect(calendar.workingTimeBetween(at('2026-03-02T11:00:00+08:00'), at('2026-03-03T10:00:00+08:00'))).toBe(60 + 240 + 60);
    expect(calendar.workingTimeBetween(at('2026-09-30T17:30:00+08:00'), at('2026-10-08T10:30:00+08:00'))).toBe(120);
    // Friday 13 and make-up Saturday 14 February, then nothing until Tuesday 24 February.
    expect(calendar.workingTimeBetween(at('2026-02-13T09:00:00+08:00'), at('2026-02-24T09:00:00+08:00'))).toBe(2 * 420);
  });

  it('is negative when the end is before the start', () => {
    expect(calendar.workingTimeBetween(at('2026-10-08T10:30:00+08:00'), at('2026-09-30T17:30:00+08:00'))).toBe(-120);
  });

  it('undoes addWorkingHours', () => {
    const start = at('2026-09-30T15:10:00+08:00');
    expect(calendar.workingTimeBetween(start, calendar.addWorkingHours(start, 7.25))).toBe(435);
  });
});

describe('sameWorkingDayEnd (urgent: same working day)', () => {
  it.each([
    ['before closing', '2026-09-30T17:30:00+08:00', '2026-09-30T18:00:00+08:00'],
    ['before opening', '2026-09-30T08:00:00+08:00', '2026-09-30T18:00:00+08:00'],
    ['during lunch', '2026-09-30T12:30:00+08:00', '2026-09-30T18:00:00+08:00'],
    ['at closing time', '2026-09-30T18:00:00+08:00', '2026-10-08T18:00:00+08:00'],
    ['after hours before a holiday', '2026-09-30T19:00:00+08:00', '2026-10-08T18:00:00+08:00'],
    ['on a holiday', '2026-10-03T10:00:00+08:00', '2026-10-08T18:00:00+08:00'],
    ['on a make-up Saturday', '2026-10-10T10:00:00+08:00', '2026-10-10T18:00:00+08:00'],
  ])('%s: %s → %s', (_case, start, expected) => {
    expect(shanghai(calendar.sameWorkingDayEnd(at(start)))).toBe(expected);
  });
});

describe('rollForwardToWorkingDay', () => {
  it('moves a day off to the same time on the next working day and leaves a working day alone', () => {
    expect(shanghai(calendar.rollForwardToWorkingDay(at('2026-10-01T10:00:00+08:00')))).toBe('2026-10-08T10:00:00+08:00');
    expect(shanghai(calendar.rollForwardToWorkingDay(at('2026-02-16T09:30:00+08:00')))).toBe('2026-02-24T09:30:00+08:00');
    expect(shanghai(calendar.rollForwardToWorkingDay(at('2026-09-30T10:00:00+08:00')))).toBe('2026-09-30T10:00:00+08:00');
  });
});

describe('operator override', () => {
  it('wins over the package in both directions', () => {
    const corrected = createBusinessCalendar({
      override: { years: [], holidays: ['2026-10-08', '2026-10-10'], workingDays: ['2026-10-07', '2026-10-11'] },
    });
    expect(corrected.isWorkingDay('2026-10-08')).toBe(false); // extra holiday on a weekday
    expect(corrected.isWorkingDay('2026-10-10')).toBe(false); // make-up Saturday cancelled
    expect(corrected.isWorkingDay('2026-10-07')).toBe(true); // package holiday cancelled
    expect(corrected.isWorkingDay('2026-10-11')).toBe(true); // extra make-up Sunday
  });
});

describe('isProvisional: past the last year with published data', () => {
  const lastHoursOf2026 = at('2026-12-31T17:00:00+08:00');

  it('flags 2027 until an override adds that year', () => {
    expect(calendar.isProvisional(at('2026-12-31T23:59:59+08:00'))).toBe(false);
    expect(calendar.isProvisional(at('2027-01-01T00:00:00+08:00'))).toBe(true);
    // 2027 starts at 16:00 UTC on 31 December 2026: the Shanghai year is what counts.
    expect(calendar.isProvisional(at('2026-12-31T16:30:00Z'))).toBe(true);

    const with2027 = createBusinessCalendar({ override: { years: [2027], holidays: ['2027-01-01'], workingDays: [] } });
    expect(with2027.lastPublishedYear).toBe(2027);
    expect(with2027.isProvisional(at('2027-01-05T10:00:00+08:00'))).toBe(false);
    expect(with2027.isProvisional(at('2028-01-05T10:00:00+08:00'))).toBe(true);
  });

  it('without 2027 data guesses from weekdays; the override replaces the guess', () => {
    // Friday 1 January 2027 is an ordinary weekday to a calendar that knows nothing of 2027.
    expect(shanghai(calendar.addWorkingHours(lastHoursOf2026, 2))).toBe('2027-01-01T10:00:00+08:00');
    const with2027 = createBusinessCalendar({ override: { years: [2027], holidays: ['2027-01-01'], workingDays: [] } });
    expect(shanghai(with2027.addWorkingHours(lastHoursOf2026, 2))).toBe('2027-01-04T10:00:00+08:00');
  });
});

describe('configuration errors name the bad entry', () => {
  it('office hours', () => {
    const build = (): BusinessCalendar =>
      createBusinessCalendar({
        officeHours: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '25:00' },
        ],
      });
    expect(build).toThrow(ConfigValidationError);
    expect(build).toThrow("officeHours[1].end: expected a time 'HH:MM' between 00:00 and 24:00");
    expect(() =>
      createBusinessCalendar({
        officeHours: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '18:00' },
        ],
      }),
    ).toThrow('officeHours[1]: must start at or after the previous interval ends');
    expect(() => createBusinessCalendar({ officeHours: [] })).toThrow('officeHours: expected at least one interval');
  });

  it('the holiday override file, every problem at once', () => {
    let error: unknown;
    try {
      parseHolidayOverride({ years: [2027, '2028'], holidays: ['2027-02-30', '2027-01-01'], workingDays: ['2027-01-01'], note: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual([
      { path: 'override.note', message: 'unknown key (expected one of years, holidays, workingDays)' },
      { path: 'override.years[1]', message: 'expected a year (a whole number from 1992)' },
      { path: 'override.holidays[0]', message: 'expected a date YYYY-MM-DD' },
      { path: 'override.workingDays[0]', message: '2027-01-01 is also listed as a holiday' },
    ]);
  });

  it('a valid override parses, with missing lists empty', () => {
    expect(parseHolidayOverride({ years: [2027], holidays: ['2027-01-01'] })).toEqual({
      years: [2027],
      holidays: ['2027-01-01'],
      workingDays: [],
    });
  });
});

import { createBusinessCalendar } from '../calendar/business-calendar';
import type { CaseKind, Milestone, Urgency } from '../cases/case.types';
import { DomainError } from '../shared/errors';
import { ConfiguredDeadlinePolicy, createDefaultPolicy } from './configured-deadline-policy';
import { DEFAULT_POLICY_CONFIG } from './default-policy-config';
import type { PolicyConfig } from './policy-config';

function shanghai(instant: Date): string {
  return `${new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}
const at = (iso: string): Date => new Date(iso);

const policy = createDefaultPolicy();
const policyMovingOffHolidays = new ConfiguredDeadlinePolicy(
  { ...DEFAULT_POLICY_CONFIG, calendarDayDeadlineMovesToNextWorkingDay: true },
  createBusinessCalendar(),
);

function due(kind: CaseKind, milestone: Milestone, from: string, urgency: Urgency = 'normal', platformDeadline?: string): string {
  const { dueAt } = policy.milestoneDeadline({
    kind,
    urgency,
    milestone,
    from: at(from),
    platformDeadline: platformDeadline === undefined ? undefined : at(platformDeadline),
  });
  return shanghai(dueAt);
}

describe('hotline ticket dispatched at 17:30 on Wednesday 30 September 2026, before the National Day break (1–7 Oct)', () => {
  const dispatchedAt = '2026-09-30T17:30:00+08:00';

  it('sign: 2 working hours = 30 minutes that day and 90 minutes on Thursday 8 October', () => {
    expect(policy.milestoneDeadline({ kind: 'hotline', urgency: 'normal', milestone: 'sign', from: at(dispatchedAt) })).toEqual({
      dueAt: at('2026-10-08T10:30:00+08:00'),
      provisional: false,
    });
  });

  it('urgent sign: 30 working minutes, closing time the same day', () => {
    expect(due('hotline', 'sign', dispatchedAt, 'urgent')).toBe('2026-09-30T18:00:00+08:00');
  });

  it('resolve: 5 working days = 8, 9, 10 (make-up Saturday), 12, 13 October, at closing time', () => {
    expect(due('hotline', 'resolve', dispatchedAt)).toBe('2026-10-13T18:00:00+08:00');
  });

  it('urgent resolve: the same working day, or the next one when dispatched after hours', () => {
    expect(due('hotline', 'resolve', dispatchedAt, 'urgent')).toBe('2026-09-30T18:00:00+08:00');
    expect(due('hotline', 'resolve', '2026-09-30T18:30:00+08:00', 'urgent')).toBe('2026-10-08T18:00:00+08:00');
  });

  it("the platform's deadline replaces the resolve limit at either urgency", () => {
    const platformDeadline = '2026-10-20T12:00:00+08:00';
    expect(due('hotline', 'resolve', dispatchedAt, 'normal', platformDeadline)).toBe(platformDeadline);
    expect(due('hotline', 'resolve', dispatchedAt, 'urgent', platformDeadline)).toBe(platformDeadline);
    expect(due('hotline', 'sign', dispatchedAt, 'normal', platformDeadline)).toBe('2026-10-08T10:30:00+08:00');
  });

  it('return is allowed until closing time on the 2nd working day', () => {
    expect(shanghai(policy.windowEnd('hotline', 'normal', 'return', at(dispatchedAt))!)).toBe('2026-10-09T18:00:00+08:00');
  });

  it('one extension of at most 10 working days, counted from the current deadline', () => {
    expect(policy.extendableMilestone('hotline')).toBe('resolve');
    expect(policy.maxExtensionDays('hotline', 'resolve')).toBe(10);
    expect(policy.maxExtensions('hotline', 'resolve')).toBe(1);
    const extended = policy.extendedDeadline({
      kind: 'hotline',
      urgency: 'normal',
      milestone: 'resolve',
      dueAt: at('2026-10-13T18:00:00+08:00'),
      days: 10,
    });
    expect(shanghai(extended.dueAt)).toBe('2026-10-27T18:00:00+08:00');
  });
});

describe('make-up working days', () => {
  it('callback: resolved on Friday 9 October, the make-up Saturday counts, due Monday 12 October', () => {
    expect(due('hotline', 'callback', '2026-10-09T16:00:00+08:00')).toBe('2026-10-12T18:00:00+08:00');
  });
});

describe('Spring Festival 2026 (15–23 February; make-up Saturdays 14 and 28 February)', () => {
  it('sign from the make-up Saturday: 1 hour that day, 1 hour on Tuesday 24 February', () => {
    expect(due('hotline', 'sign', '2026-02-14T17:00:00+08:00')).toBe('2026-02-24T10:00:00+08:00');
  });

  it('resolve from Friday 13 February: 14 Feb, then 24–27 Feb', () => {
    expect(due('hotline', 'resolve', '2026-02-13T10:00:00+08:00')).toBe('2026-02-27T18:00:00+08:00');
  });

  it('a calendar-day limit ending inside the break runs on by default, and moves to 24 February when switched', () => {
    const request = { kind: 'petition', urgency: 'normal', milestone: 'acceptance', from: at('2026-02-01T09:30:00+08:00') } as const;
    expect(shanghai(policy.milestoneDeadline(request).dueAt)).toBe('2026-02-16T09:30:00+08:00');
    expect(shanghai(policyMovingOffHolidays.milestoneDeadline(request).dueAt)).toBe('2026-02-24T09:30:00+08:00');
  });
});

describe('calendar-day limits: the same wall-clock instant N days later', () => {
  it('petition acceptance 15 days, reply 60 days (ending on Labour Day), re-examination 30 days', () => {
    expect(due('petition', 'acceptance', '2026-03-02T10:15:00+08:00')).toBe('2026-03-17T10:15:00+08:00');
    expect(due('petition', 'reply', '2026-03-02T10:15:00+08:00')).toBe('2026-05-01T10:15:00+08:00');
    expect(due('petition', 'reexamination', '2026-06-01T09:00:00+08:00')).toBe('2026-07-01T09:00:00+08:00');
  });

  it('with the switch on, the reply due on Labour Day (1–5 May) moves to Wednesday 6 May', () => {
    const { dueAt } = policyMovingOffHolidays.milestoneDeadline({
      kind: 'petition',
      urgency: 'normal',
      milestone: 'reply',
      from: at('2026-03-02T10:15:00+08:00'),
    });
    expect(shanghai(dueAt)).toBe('2026-05-06T10:15:00+08:00');
  });

  it('dispute mediation due on National Day: stays under the default, moves to 8 October when switched', () => {
    const request = { kind: 'dispute', urgency: 'normal', milestone: 'mediation', from: at('2026-09-01T10:00:00+08:00') } as const;
    expect(shanghai(policy.milestoneDeadline(request).dueAt)).toBe('2026-10-01T10:00:00+08:00');
    expect(shanghai(policyMovingOffHolidays.milestoneDeadline(request).dueAt)).toBe('2026-10-08T10:00:00+08:00');
  });

  it('petition reply extension: one, of at most 30 calendar days', () => {
    expect(policy.extendableMilestone('petition')).toBe('reply');
    expect(policy.maxExtensionDays('petition', 'reply')).toBe(30);
    expect(policy.maxExtensions('petition', 'reply')).toBe(1);
    const extended = policy.extendedDeadline({
      kind: 'petition',
      urgency: 'normal',
      milestone: 'reply',
      dueAt: at('2026-05-01T10:15:00+08:00'),
      days: 30,
    });
    expect(shanghai(extended.dueAt)).toBe('2026-05-31T10:15:00+08:00');
  });
});

describe('windows', () => {
  it('petition: return within 5 working days of dispatch, re-examination request within 30 days of the reply', () => {
    expect(shanghai(policy.windowEnd('petition', 'normal', 'return', at('2026-09-30T17:30:00+08:00'))!)).toBe('2026-10-13T18:00:00+08:00');
    expect(shanghai(policy.windowEnd('petition', 'normal', 'reexamination-request', at('2026-06-01T09:00:00+08:00'))!)).toBe(
      '2026-07-01T09:00:00+08:00',
    );
  });

  it('dispute: judicial confirmation within 30 days of the agreement; no return window', () => {
    expect(shanghai(policy.windowEnd('dispute', 'normal', 'judicial-confirmation', at('2026-03-02T15:00:00+08:00'))!)).toBe(
      '2026-04-01T15:00:00+08:00',
    );
    expect(policy.windowEnd('dispute', 'normal', 'return', at('2026-03-02T15:00:00+08:00'))).toBeNull();
    expect(policy.windowEnd('hotline', 'urgent', 'reexamination-request', at('2026-03-02T15:00:00+08:00'))).toBeNull();
  });
});

describe('extensions the policy refuses', () => {
  const resolveDue = at('2026-10-13T18:00:00+08:00');

  it('longer than the maximum, or not a whole positive number', () => {
    for (const days of [11, 0, 2.5]) {
      expect(() => policy.extendedDeadline({ kind: 'hotline', urgency: 'normal', milestone: 'resolve', dueAt: resolveDue, days })).toThrow(
        DomainError,
      );
    }
  });

  it('a milestone without an extension rule', () => {
    expect(policy.extendableMilestone('dispute')).toBeNull();
    expect(policy.maxExtensionDays('hotline', 'sign')).toBeNull();
    expect(policy.maxExtensions('hotline', 'sign')).toBe(0);
    expect(() => policy.extendedDeadline({ kind: 'hotline', urgency: 'normal', milestone: 'sign', dueAt: resolveDue, days: 1 })).toThrow(
      "A hotline case's sign cannot be extended",
    );
  });

  it('a milestone the kind does not have', () => {
    expect(() => due('hotline', 'acceptance', '2026-03-02T10:00:00+08:00')).toThrow('no acceptance milestone for a hotline case');
  });
});

describe('provisional deadlines (the package publishes up to 2026)', () => {
  const dispatchedMonday = '2026-12-28T10:00:00+08:00';

  it('a deadline in 2027 is provisional, and counts 1 January 2027 as an ordinary Friday', () => {
    expect(policy.milestoneDeadline({ kind: 'hotline', urgency: 'normal', milestone: 'resolve', from: at(dispatchedMonday) })).toEqual({
      dueAt: at('2027-01-04T18:00:00+08:00'), // 29, 30, 31 Dec, 1 Jan, 4 Jan
      provisional: true,
    });
  });

  it('is no longer provisional once the operator override adds 2027', () => {
    const calendarWith2027 = createBusinessCalendar({ override: { years: [2027], holidays: ['2027-01-01'], workingDays: [] } });
    const policyWith2027 = new ConfiguredDeadlinePolicy(DEFAULT_POLICY_CONFIG, calendarWith2027);
    expect(
      policyWith2027.milestoneDeadline({ kind: 'hotline', urgency: 'normal', milestone: 'resolve', from: at(dispatchedMonday) }),
    ).toEqual({ dueAt: at('2027-01-05T18:00:00+08:00'), provisional: false }); // 29, 30, 31 Dec, 4, 5 Jan
  });

  it("a platform deadline is the platform's own and never provisional", () => {
    const deadline = policy.milestoneDeadline({
      kind: 'hotline',
      urgency: 'normal',
      milestone: 'resolve',
      from: at(dispatchedMonday),
      platformDeadline: at('2027-01-08T18:00:00+08:00'),
    });
    expect(deadline.provisional).toBe(false);
  });
});

describe('warningAt', () => {
  it('is 75% of the way from start to deadline by default', () => {
    // 15 days = 360 h; 75% = 270 h = 11 days 6 hours.
    expect(shanghai(policy.warningAt(at('2026-03-02T10:00:00+08:00'), at('2026-03-17T10:00:00+08:00')))).toBe('2026-03-13T16:00:00+08:00');
  });

  it('follows the configured share', () => {
    const config: PolicyConfig = { ...DEFAULT_POLICY_CONFIG, warningShare: 0.5 };
    const halfway = new ConfiguredDeadlinePolicy(config, createBusinessCalendar());
    expect(shanghai(halfway.warningAt(at('2026-09-30T17:30:00+08:00'), at('2026-10-08T10:30:00+08:00')))).toBe('2026-10-04T14:00:00+08:00');
  });
});

describe('construction', () => {
  it('validates a hand-built configuration like a parsed file', () => {
    const broken = { ...DEFAULT_POLICY_CONFIG, warningShare: 2 };
    expect(() => new ConfiguredDeadlinePolicy(broken, createBusinessCalendar())).toThrow('policy.warningShare');
  });
});

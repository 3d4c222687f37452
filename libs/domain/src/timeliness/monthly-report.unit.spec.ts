import type { CaseFacts } from './case-facts';
import { computeMonthlyReport } from './monthly-report';
import { shanghaiMonth } from './reporting-period';
import { caseFacts } from './testing/case-facts-builder';
import { UNDISPATCHED_UNIT_LABEL } from './unit-label';

const QUJIANG = '曲江社区';
const YANNAN = '雁南社区';
const URBAN_MANAGEMENT = '城管执法中队';
const CIVIL_AFFAIRS = '民政办';
const DESK = '大雁塔街道';
/** Judged on 1 May: every milestone due in March or April is decided by then. */
const AFTER_APRIL = { judgedAt: new Date('2026-05-01T00:00:00+08:00'), deskLabel: DESK };

// ---- Nine cases in four units, plus one never accepted. Acceptance and call-back episodes carry
// no unit, as timelinessFacts leaves them: the desk owes them. ----

const RX1 = caseFacts({
  caseId: 'rx1',
  number: 'RX2026-0001',
  kind: 'hotline',
  title: '夜间施工噪音扰民',
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-03-02T11:00:00+08:00', reachedAt: '2026-03-02T10:00:00+08:00', unit: QUJIANG },
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T18:00:00+08:00', reachedAt: '2026-03-09T18:00:00+08:00', unit: QUJIANG },
    { milestone: 'callback', episode: 1, dueAt: '2026-03-11T18:00:00+08:00', reachedAt: '2026-03-10T10:00:00+08:00' },
  ],
  callbacks: [{ reviewedAt: '2026-03-10T10:00:00+08:00', satisfaction: 'satisfied', solved: true, unit: QUJIANG }],
});
const RX2 = caseFacts({
  caseId: 'rx2',
  number: 'RX2026-0002',
  kind: 'hotline',
  title: '小区垃圾清运不及时',
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-02-24T11:00:00+08:00', reachedAt: '2026-02-24T10:00:00+08:00', unit: QUJIANG },
    { milestone: 'resolve', episode: 1, dueAt: '2026-02-28T18:00:00+08:00', reachedAt: '2026-02-27T10:00:00+08:00', unit: QUJIANG },
    { milestone: 'callback', episode: 1, dueAt: '2026-03-02T18:00:00+08:00', reachedAt: '2026-03-02T10:00:00+08:00' },
  ],
  callbacks: [{ reviewedAt: '2026-03-02T10:00:00+08:00', satisfaction: 'unsatisfied', solved: false, unit: QUJIANG }],
});
const RX3 = caseFacts({
  caseId: 'rx3',
  number: 'RX2026-0003',
  kind: 'hotline',
  title: '路灯不亮',
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-03-20T11:00:00+08:00', reachedAt: '2026-03-20T09:30:00+08:00', unit: YANNAN },
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-31T23:30:00+08:00', reachedAt: '2026-03-31T20:00:00+08:00', unit: YANNAN },
    { milestone: 'callback', episode: 1, dueAt: '2026-04-02T18:00:00+08:00', reachedAt: '2026-03-31T23:30:00+08:00' },
  ],
  // 2026-03-31T15:30Z: March, in Shanghai as in UTC.
  callbacks: [{ reviewedAt: '2026-03-31T23:30:00+08:00', satisfaction: 'unsatisfied', solved: false, unit: YANNAN }],
});
const RX4 = caseFacts({
  caseId: 'rx4',
  number: 'RX2026-0004',
  kind: 'hotline',
  title: '共享单车乱停放',
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-02-27T11:00:00+08:00', reachedAt: '2026-02-27T10:00:00+08:00', unit: YANNAN },
    // The platform's deadline, 2026-02-28T23:00Z: February in UTC, March in Shanghai.
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-01T07:00:00+08:00', reachedAt: '2026-02-28T20:00:00+08:00', unit: YANNAN },
    { milestone: 'callback', episode: 1, dueAt: '2026-03-03T18:00:00+08:00', reachedAt: '2026-03-02T10:00:00+08:00' },
  ],
  callbacks: [{ reviewedAt: '2026-03-02T10:00:00+08:00', satisfaction: 'satisfied', solved: true, unit: YANNAN }],
});
const RX5 = caseFacts({
  caseId: 'rx5',
  number: 'RX2026-0005',
  kind: 'hotline',
  title: '楼道堆物',
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-03-30T11:00:00+08:00', reachedAt: '2026-03-30T10:00:00+08:00', unit: YANNAN },
    { milestone: 'resolve', episode: 1, dueAt: '2026-04-06T18:00:00+08:00', reachedAt: '2026-03-31T16:00:00+08:00', unit: YANNAN },
    { milestone: 'callback', episode: 1, dueAt: '2026-04-02T18:00:00+08:00', reachedAt: '2026-04-01T07:00:00+08:00' },
  ],
  // 2026-03-31T23:00Z: March in UTC, April in Shanghai.
  callbacks: [{ reviewedAt: '2026-04-01T07:00:00+08:00', satisfaction: 'unsatisfied', solved: false, unit: YANNAN }],
});
const XF1 = caseFacts({
  caseId: 'xf1',
  number: 'XF2026-0001',
  kind: 'petition',
  title: '占道经营影响通行',
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-03-03T09:00:00+08:00', reachedAt: '2026-03-02T15:00:00+08:00' },
    // Replied after the end of March: late, and still open at the end of March.
    {
      milestone: 'reply',
      episode: 1,
      dueAt: '2026-03-28T09:00:00+08:00',
      reachedAt: '2026-04-02T10:00:00+08:00',
      unit: URBAN_MANAGEMENT,
    },
  ],
  supervisions: [
    {
      supervisionId: 'sup-1',
      instruction: '请3月28日前答复',
      issuedAt: '2026-03-25T10:00:00+08:00',
      dueAt: '2026-03-27T18:00:00+08:00',
      answeredAt: '2026-04-01T09:00:00+08:00',
    },
  ],
});
const JF1 = caseFacts({
  caseId: 'jf1',
  number: 'JF2026-0001',
  kind: 'dispute',
  title: '商铺噪音纠纷',
  episodes: [
    {
      milestone: 'mediation',
      episode: 1,
      dueAt: '2026-03-15T10:00:00+08:00',
      reachedAt: '2026-03-16T10:00:00+08:00',
      unit: URBAN_MANAGEMENT,
    },
  ],
});
/** Overdue since February and still not replied. */
const XF2 = caseFacts({
  caseId: 'xf2',
  number: 'XF2026-0002',
  kind: 'petition',
  title: '低保资格复核',
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-01-20T09:00:00+08:00', reachedAt: '2026-01-19T10:00:00+08:00' },
    { milestone: 'reply', episode: 1, dueAt: '2026-02-20T09:00:00+08:00', unit: CIVIL_AFFAIRS },
  ],
  supervisions: [
    {
      supervisionId: 'sup-2',
      instruction: '限期答复',
      issuedAt: '2026-02-25T10:00:00+08:00',
      dueAt: '2026-03-05T18:00:00+08:00',
      answeredAt: '2026-03-06T10:00:00+08:00',
    },
    { supervisionId: 'sup-3', instruction: '再次督办', issuedAt: '2026-04-03T09:00:00+08:00' },
  ],
});
/** Registered, never accepted: nothing but the desk's acceptance, overdue since 10:00 on March 31. */
const XF3 = caseFacts({
  caseId: 'xf3',
  number: 'XF2026-0003',
  kind: 'petition',
  title: '物业费争议',
  episodes: [{ milestone: 'acceptance', episode: 1, dueAt: '2026-03-31T10:00:00+08:00' }],
});

const FACTS: CaseFacts[] = [RX1, RX2, RX3, RX4, RX5, XF1, JF1, XF2, XF3];

describe('computeMonthlyReport for 2026-03', () => {
  const report = computeMonthlyReport(FACTS, '2026-03', AFTER_APRIL);

  it('echoes the month and states the judging instant', () => {
    expect(report.month).toBe('2026-03');
    expect(report.judgedAt).toBe('2026-04-30T16:00:00.000Z');
  });

  it("units: every column by hand; two units tie at rank 1, the next is 3; no rate unranked; the desk's row last", () => {
    expect(report.units).toEqual([
      // RX1 sign and resolve (reached exactly at 18:00). RX2's call-back was 不满意: it counts against the unit.
      { unit: QUJIANG, due: 2, onTime: 2, late: 0, openOverdue: 0, unsatisfied: 1, onTimeRate: 1, rank: 1 },
      // RX3 sign and resolve (due 23:30 on March 31); RX4 resolve (due 07:00 on March 1); RX5 sign.
      // RX3's 不满意 at 23:30 on March 31 is March's; RX5's at 07:00 on April 1 is April's.
      { unit: YANNAN, due: 4, onTime: 4, late: 0, openOverdue: 0, unsatisfied: 1, onTimeRate: 1, rank: 1 },
      // XF1 reply (replied in April) and JF1 mediation (a day late) are late; XF1's reply is open at month end.
      { unit: URBAN_MANAGEMENT, due: 2, onTime: 0, late: 2, openOverdue: 1, unsatisfied: 0, onTimeRate: 0, rank: 3 },
      // Nothing fell due in March; XF2's February reply is still open.
      { unit: CIVIL_AFFAIRS, due: 0, onTime: 0, late: 0, openOverdue: 1, unsatisfied: 0, onTimeRate: null, rank: null },
      // The desk: XF1's acceptance on time, XF3's not reached; the call-backs of RX1, RX2 and RX4 on time.
      { unit: DESK, due: 5, onTime: 4, late: 1, openOverdue: 1, unsatisfied: 0, onTimeRate: 0.8, rank: null },
    ]);
  });

  it('overdue: every milestone open at the end of March, by unit then deadline, with the orders issued by then', () => {
    expect(report.overdue).toEqual([
      {
        caseId: 'xf1',
        number: 'XF2026-0001',
        kind: 'petition',
        title: '占道经营影响通行',
        unit: URBAN_MANAGEMENT,
        milestone: 'reply',
        deadline: '2026-03-28T09:00:00+08:00',
        // 3 days 15 hours to 2026-04-01T00:00+08:00, rounded up.
        daysOverdue: 4,
        // Answered on April 1: not yet at the end of March.
        supervisions: [
          {
            instruction: '请3月28日前答复',
            issuedAt: '2026-03-25T10:00:00+08:00',
            dueAt: '2026-03-27T18:00:00+08:00',
            answered: false,
          },
        ],
        urged: 0,
      },
      {
        caseId: 'xf2',
        number: 'XF2026-0002',
        kind: 'petition',
        title: '低保资格复核',
        unit: CIVIL_AFFAIRS,
        milestone: 'reply',
        deadline: '2026-02-20T09:00:00+08:00',
        // 8 days 15 hours left in February, then 31 days of March: 39 days 15 hours, rounded up.
        daysOverdue: 40,
        // The order of April 3 was not issued yet.
        supervisions: [
          { instruction: '限期答复', issuedAt: '2026-02-25T10:00:00+08:00', dueAt: '2026-03-05T18:00:00+08:00', answered: true },
        ],
        urged: 0,
      },
      {
        caseId: 'xf3',
        number: 'XF2026-0003',
        kind: 'petition',
        title: '物业费争议',
        unit: DESK,
        milestone: 'acceptance',
        deadline: '2026-03-31T10:00:00+08:00',
        // 14 hours: a started day counts as a whole one.
        daysOverdue: 1,
        supervisions: [],
        urged: 0,
      },
    ]);
  });

  it('unsatisfied: the 不满意 call-backs of March, by unit', () => {
    expect(report.unsatisfied).toEqual([
      { caseId: 'rx2', number: 'RX2026-0002', title: '小区垃圾清运不及时', unit: QUJIANG, reviewedAt: '2026-03-02T10:00:00+08:00' },
      { caseId: 'rx3', number: 'RX2026-0003', title: '路灯不亮', unit: YANNAN, reviewedAt: '2026-03-31T23:30:00+08:00' },
    ]);
  });

  it('does not depend on the order of the facts', () => {
    expect(computeMonthlyReport([...FACTS].reverse(), '2026-03', AFTER_APRIL)).toEqual(report);
  });
});

describe('computeMonthlyReport for 2026-04, on the same facts', () => {
  const report = computeMonthlyReport(FACTS, '2026-04', AFTER_APRIL);

  it('units: RX5 resolve due in April; RX3 and RX5 call-backs the desk’s; RX5’s 不满意 at 07:00 on April 1 is April’s', () => {
    expect(report.units).toEqual([
      { unit: YANNAN, due: 1, onTime: 1, late: 0, openOverdue: 0, unsatisfied: 1, onTimeRate: 1, rank: 1 },
      { unit: CIVIL_AFFAIRS, due: 0, onTime: 0, late: 0, openOverdue: 1, unsatisfied: 0, onTimeRate: null, rank: null },
      // Two call-backs on time; XF3's acceptance still open.
      { unit: DESK, due: 2, onTime: 2, late: 0, openOverdue: 1, unsatisfied: 0, onTimeRate: 1, rank: null },
    ]);
  });

  it('overdue: the February reply still listed, now with the April order; XF1 replied on April 2 is gone', () => {
    const rows = report.overdue.map(({ number, milestone, daysOverdue, supervisions }) => ({
      number,
      milestone,
      daysOverdue,
      supervisions,
    }));
    expect(rows).toEqual([
      {
        number: 'XF2026-0002',
        milestone: 'reply',
        // 39 days 15 hours to the end of March, and 30 days of April.
        daysOverdue: 70,
        supervisions: [
          { instruction: '限期答复', issuedAt: '2026-02-25T10:00:00+08:00', dueAt: '2026-03-05T18:00:00+08:00', answered: true },
          { instruction: '再次督办', issuedAt: '2026-04-03T09:00:00+08:00', dueAt: null, answered: false },
        ],
      },
      // 30 days 14 hours.
      { number: 'XF2026-0003', milestone: 'acceptance', daysOverdue: 31, supervisions: [] },
    ]);
  });

  it('unsatisfied: RX5 only', () => {
    expect(report.unsatisfied).toEqual([
      { caseId: 'rx5', number: 'RX2026-0005', title: '楼道堆物', unit: YANNAN, reviewedAt: '2026-04-01T07:00:00+08:00' },
    ]);
  });
});

describe('computeMonthlyReport ranking', () => {
  /** A unit's milestones due in March 2026: `onTime` reached early, the rest never reached. */
  function unitWith(unit: string | undefined, onTime: number, due: number): CaseFacts {
    const episodes = Array.from({ length: due }, (_, index) => ({
      milestone: 'sign' as const,
      episode: 1,
      dueAt: `2026-03-${String(index + 2).padStart(2, '0')}T11:00:00+08:00`,
      ...(index < onTime && { reachedAt: `2026-03-${String(index + 2).padStart(2, '0')}T10:00:00+08:00` }),
      ...(unit !== undefined && { unit }),
    }));
    const name = unit ?? 'none';
    return caseFacts({ caseId: `case-${name}`, number: `RX-${name}`, kind: 'hotline', episodes });
  }

  it('best rate first; 2/4 ties 1/2 and the next rank skips; 0 is a rate, ranked; no rate, the desk and 未派单 unranked', () => {
    const report = computeMonthlyReport(
      [
        unitWith('D科', 0, 1),
        unitWith('B社区', 2, 4),
        unitWith(undefined, 1, 1),
        unitWith('A社区', 1, 2),
        unitWith('C社区', 3, 4),
        // Only open overdue, from February: no rate.
        caseFacts({
          caseId: 'case-E',
          number: 'RX-E',
          kind: 'hotline',
          episodes: [{ milestone: 'resolve', episode: 1, dueAt: '2026-02-20T18:00:00+08:00', unit: 'E站' }],
        }),
        // The desk's call-back, reached on time: its own row, after the units and before 未派单.
        caseFacts({
          caseId: 'case-F',
          number: 'RX-F',
          kind: 'hotline',
          episodes: [{ milestone: 'callback', episode: 1, dueAt: '2026-03-05T18:00:00+08:00', reachedAt: '2026-03-04T10:00:00+08:00' }],
        }),
      ],
      '2026-03',
      AFTER_APRIL,
    );
    expect(report.units.map(({ unit, onTimeRate, rank }) => ({ unit, onTimeRate, rank }))).toEqual([
      { unit: 'C社区', onTimeRate: 0.75, rank: 1 },
      { unit: 'A社区', onTimeRate: 0.5, rank: 2 },
      { unit: 'B社区', onTimeRate: 0.5, rank: 2 },
      { unit: 'D科', onTimeRate: 0, rank: 4 },
      { unit: 'E站', onTimeRate: null, rank: null },
      { unit: DESK, onTimeRate: 1, rank: null },
      { unit: UNDISPATCHED_UNIT_LABEL, onTimeRate: 1, rank: null },
    ]);
  });
});

describe('computeMonthlyReport for a month still running', () => {
  const facts = [
    caseFacts({
      caseId: 'c',
      number: 'RX-C',
      kind: 'hotline',
      episodes: [
        { milestone: 'sign', episode: 1, dueAt: '2026-03-10T11:00:00+08:00', unit: 'C社区' },
        { milestone: 'resolve', episode: 1, dueAt: '2026-03-20T18:00:00+08:00', unit: 'C社区' },
      ],
    }),
    // Due later in March, already resolved on time.
    caseFacts({
      caseId: 'd',
      number: 'RX-D',
      kind: 'hotline',
      episodes: [
        { milestone: 'resolve', episode: 1, dueAt: '2026-03-25T18:00:00+08:00', reachedAt: '2026-03-12T10:00:00+08:00', unit: 'C社区' },
      ],
    }),
  ];

  it('counts what is decided at the judging instant, and overdue as of then', () => {
    // Judged 2026-03-15 12:00: sign (due 03-10 11:00) is 5 days 1 hour overdue → 6 days rounded up;
    // RX-C's resolve (due 03-20) is not due yet and not counted; RX-D's resolve, met already, counts.
    const report = computeMonthlyReport(facts, '2026-03', { judgedAt: new Date('2026-03-15T12:00:00+08:00'), deskLabel: DESK });
    expect(report.units).toEqual([{ unit: 'C社区', due: 2, onTime: 1, late: 1, openOverdue: 1, unsatisfied: 0, onTimeRate: 0.5, rank: 1 }]);
    expect(report.overdue.map((row) => [row.number, row.milestone, row.daysOverdue])).toEqual([['RX-C', 'sign', 6]]);
    expect(report.judgedAt).toBe('2026-03-15T04:00:00.000Z');
  });

  it('a finished month judged later, with nothing new recorded, gives the same figures', () => {
    const atMonthEnd = computeMonthlyReport(facts, '2026-03', { judgedAt: new Date('2026-04-01T00:00:00+08:00'), deskLabel: DESK });
    const inJune = computeMonthlyReport(facts, '2026-03', { judgedAt: new Date('2026-06-01T00:00:00+08:00'), deskLabel: DESK });
    expect({ ...inJune, judgedAt: atMonthEnd.judgedAt }).toEqual(atMonthEnd);
    expect(atMonthEnd.units).toEqual([
      { unit: 'C社区', due: 3, onTime: 1, late: 2, openOverdue: 2, unsatisfied: 0, onTimeRate: 1 / 3, rank: 1 },
    ]);
  });
});

describe('computeMonthlyReport month boundaries', () => {
  it('a milestone due at the first instant of the month and never reached: a whole month overdue', () => {
    const facts = caseFacts({
      caseId: 'a',
      number: 'RX-A',
      kind: 'hotline',
      episodes: [{ milestone: 'resolve', episode: 1, dueAt: '2026-03-01T00:00:00+08:00', unit: 'A社区' }],
    });
    const [row] = computeMonthlyReport([facts], '2026-03', AFTER_APRIL).overdue;
    expect(row.daysOverdue).toBe(31);
  });

  it('reached at the first instant of the next month: still open at the end of this one', () => {
    const facts = caseFacts({
      caseId: 'b',
      number: 'RX-B',
      kind: 'hotline',
      episodes: [
        {
          milestone: 'resolve',
          episode: 1,
          dueAt: '2026-03-31T23:59:59+08:00',
          reachedAt: '2026-04-01T00:00:00+08:00',
          unit: 'B社区',
        },
      ],
    });
    const march = computeMonthlyReport([facts], '2026-03', AFTER_APRIL);
    expect(march.units).toEqual([{ unit: 'B社区', due: 1, onTime: 0, late: 1, openOverdue: 1, unsatisfied: 0, onTimeRate: 0, rank: 1 }]);
    expect(march.overdue.map((row) => row.daysOverdue)).toEqual([1]);
    expect(computeMonthlyReport([facts], '2026-04', AFTER_APRIL)).toEqual({
      month: '2026-04',
      judgedAt: '2026-04-30T16:00:00.000Z',
      units: [],
      overdue: [],
      unsatisfied: [],
    });
  });

  it('months are Shanghai months, December running into January', () => {
    expect(shanghaiMonth('2026-03')).toEqual({
      from: new Date('2026-02-28T16:00:00.000Z'),
      to: new Date('2026-03-31T16:00:00.000Z'),
    });
    expect(shanghaiMonth('2026-12')).toEqual({
      from: new Date('2026-11-30T16:00:00.000Z'),
      to: new Date('2026-12-31T16:00:00.000Z'),
    });
  });

  it.each(['2026-13', '2026-3', '2026-00', 'March'])('refuses the month %s', (month) => {
    expect(() => computeMonthlyReport(FACTS, month, AFTER_APRIL)).toThrow(RangeError);
  });
});

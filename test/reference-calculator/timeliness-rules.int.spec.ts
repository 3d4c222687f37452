/**
 * Hand-computed fixtures for each rule of docs/timeliness-rules.md, checked on the service's code
 * (fold → timeliness facts → KPIs and report) and on the reference calculator alike: both must give
 * the figure worked out by hand in the comments.
 *
 * Every deadline is written into the events by hand (as `DeadlineSet`), so each figure follows from
 * the rules alone. Times are Asia/Shanghai wall-clock times. In 2026, 2 March is a Monday and
 * 4–6 April is 清明.
 */
import {
  computeMonthlyReport,
  computeTimeliness,
  KPI_KEYS,
  type Actor,
  type CaseEvent,
  type CaseEventType,
  type DeadlineSet,
  type KpiKey,
  type Milestone,
} from '@cases/domain';
import { ReferenceCalculator, type KpiCount, type LoggedEvent } from './reference-calculator';
import { serviceFacts } from './service-side';

const DESK_LABEL = '大雁塔街道';
const DESK: Actor = { id: 'desk-1', role: 'desk' };
const SUPERVISOR: Actor = { id: 'supervisor-1', role: 'supervisor' };

/** A Shanghai wall-clock time ('2026-03-02T09:00') as the ISO instant events carry. */
function sh(wallClock: string): string {
  return new Date(`${wallClock}:00+08:00`).toISOString();
}

type EventOf<Type extends CaseEventType> = Extract<CaseEvent, { type: Type }>;

/** One case's events, written step by step. */
class CaseScript {
  readonly log: LoggedEvent[] = [];
  private readonly versions = new Map<Milestone, number>();

  constructor(
    readonly caseId: string,
    readonly number: string,
  ) {}

  add<Type extends CaseEventType>(type: Type, data: EventOf<Type>['data'], wallClock: string, actor: Actor = DESK): this {
    this.log.push({ caseId: this.caseId, event: { type, data, occurredAt: sh(wallClock), actor } as EventOf<Type> });
    return this;
  }

  /** A `DeadlineSet` recorded at `wallClock`; `startedAt` is the same instant unless the deadline is extended. */
  deadline(
    milestone: Milestone,
    dueWallClock: string,
    wallClock: string,
    cause: DeadlineSet['data']['cause'] = 'started',
    startedWallClock = wallClock,
  ): this {
    const version = (this.versions.get(milestone) ?? 0) + 1;
    this.versions.set(milestone, version);
    return this.add(
      'DeadlineSet',
      { milestone, version, startedAt: sh(startedWallClock), dueAt: sh(dueWallClock), provisional: false, cause },
      wallClock,
    );
  }

  hotline(wallClock: string): this {
    const data = {
      caseId: this.caseId,
      orgId: 'org-1',
      number: this.number,
      title: `${this.number} 标题`,
      description: '描述',
      community: '雁塔社区',
    };
    return this.add(
      'HotlineTicketReceived',
      { ...data, kind: 'hotline', platformTicketNo: `GD-${this.number}`, urgency: 'normal' },
      wallClock,
    );
  }

  petition(wallClock: string): this {
    const data = {
      caseId: this.caseId,
      orgId: 'org-1',
      number: this.number,
      title: `${this.number} 标题`,
      description: '描述',
      community: '雁塔社区',
    };
    return this.add('PetitionRegistered', { ...data, kind: 'petition', channel: 'visit' }, wallClock);
  }

  /** A dispatch of a hotline ticket: the unit, and its sign and resolve deadlines. */
  dispatchHotline(unit: string, wallClock: string, signDue: string, resolveDue: string): this {
    const restart = this.versions.has('sign') ? 'restarted' : 'started';
    return this.add('CaseDispatched', { unit }, wallClock)
      .deadline('sign', signDue, wallClock, restart)
      .deadline('resolve', resolveDue, wallClock, restart);
  }

  resolveHotline(wallClock: string, callbackDue: string, unit: string): this {
    const restart = this.versions.has('callback') ? 'restarted' : 'started';
    return this.add('CaseResolved', { kind: 'hotline', reply: '已处理' }, wallClock, unitUser(unit)).deadline(
      'callback',
      callbackDue,
      wallClock,
      restart,
    );
  }
}

function unitUser(unit: string): Actor {
  return { id: `user-of-${unit}`, role: 'unit', unit };
}

function logOf(...scripts: CaseScript[]): LoggedEvent[] {
  // Each case's events in order; the cases one after the other (no rule depends on interleaving).
  return scripts.flatMap((script) => script.log);
}

function monthBounds(month: string): { from: Date; to: Date } {
  const [year, monthNumber] = month.split('-').map(Number);
  return { from: new Date(`${month}-01T00:00:00+08:00`), to: new Date(Date.UTC(year, monthNumber, 1) - 8 * 3_600_000) };
}

type Expected = Record<string, Partial<Record<KpiKey, [numerator: number, denominator: number]>>>;

/** The KPIs of `month` by unit ('' = all together), from both calculators, as { label: { kpi: [n, d] } }. */
function kpisOfBoth(log: LoggedEvent[], month: string, judgedAt: string, byUnit: boolean): { service: Expected; reference: Expected } {
  const { from, to } = monthBounds(month);
  const judged = new Date(sh(judgedAt));
  const service: Expected = {};
  const { groups } = computeTimeliness(
    serviceFacts(log),
    { from, to, judgedAt: judged, ...(byUnit && { groupBy: ['unit'] }) },
    { deskLabel: DESK_LABEL },
  );
  for (const { group, kpis } of groups) {
    const figures: Partial<Record<KpiKey, [number, number]>> = {};
    for (const key of KPI_KEYS) if (kpis[key].denominator > 0) figures[key] = [kpis[key].numerator, kpis[key].denominator];
    if (Object.keys(figures).length > 0) service[group.unit ?? ''] = figures;
  }
  const reference: Expected = {};
  for (const [label, kpis] of new ReferenceCalculator(log, DESK_LABEL).kpis(from.getTime(), to.getTime(), judged.getTime(), byUnit)) {
    reference[label] = Object.fromEntries([...kpis].map(([key, count]: [string, KpiCount]) => [key, [count.numerator, count.denominator]]));
  }
  return { service, reference };
}

function expectKpis(log: LoggedEvent[], month: string, judgedAt: string, byUnit: boolean, expected: Expected): void {
  const { service, reference } = kpisOfBoth(log, month, judgedAt, byUnit);
  expect(service).toEqual(expected);
  expect(reference).toEqual(expected);
}

interface ExpectedReport {
  units: {
    unit: string;
    due: number;
    onTime: number;
    late: number;
    openOverdue: number;
    unsatisfied: number;
    onTimeRate: number | null;
    rank: number | null;
  }[];
  overdue: {
    number: string;
    unit: string;
    milestone: Milestone;
    deadline: string;
    daysOverdue: number;
    supervisions: { issuedAt: string; answered: boolean }[];
  }[];
  unsatisfied: { number: string; unit: string; reviewedAt: string }[];
}

function expectReport(log: LoggedEvent[], month: string, judgedAt: string, expected: ExpectedReport): void {
  const judged = new Date(sh(judgedAt));
  const service = computeMonthlyReport(serviceFacts(log), month, { judgedAt: judged, deskLabel: DESK_LABEL });
  const reference = new ReferenceCalculator(log, DESK_LABEL).report(month, judged.getTime());
  for (const report of [service, reference]) {
    expect({
      units: report.units,
      overdue: report.overdue.map(({ number, unit, milestone, deadline, daysOverdue, supervisions }) => ({
        number,
        unit,
        milestone,
        deadline,
        daysOverdue,
        supervisions: supervisions.map(({ issuedAt, answered }) => ({ issuedAt, answered })),
      })),
      unsatisfied: report.unsatisfied.map(({ number, unit, reviewedAt }) => ({ number, unit, reviewedAt })),
    }).toEqual(expected);
  }
}

const row = (
  unit: string,
  due: number,
  onTime: number,
  late: number,
  openOverdue: number,
  unsatisfied: number,
  onTimeRate: number | null,
  rank: number | null,
) => ({
  unit,
  due,
  onTime,
  late,
  openOverdue,
  unsatisfied,
  onTimeRate,
  rank,
});

describe('episodes: a reopen after a missed deadline counts both times (section 2)', () => {
  // RX-0101 (市政所): dispatched Mon 2 Mar 09:30; sign due 11:30, signed 10:00 (on time);
  // resolve #1 due Mon 9 Mar 18:00, resolved Wed 11 Mar 10:00 (late); call-back #1 due Fri 13 Mar
  // 18:00, called back 11 Mar 15:00, 不满意 (on time, the desk's); reopened Thu 12 Mar 09:00:
  // resolve #2 due Thu 19 Mar 18:00, resolved Tue 17 Mar 10:00 (on time); call-back #2 due
  // Thu 19 Mar 18:00, called back Wed 18 Mar 10:00, 满意 → closed (on time).
  const ticket = new CaseScript('case-0101', 'RX-0101')
    .hotline('2026-03-02T09:00')
    .dispatchHotline('市政所', '2026-03-02T09:30', '2026-03-02T11:30', '2026-03-09T18:00')
    .add('CaseSigned', { unit: '市政所' }, '2026-03-02T10:00', unitUser('市政所'))
    .resolveHotline('2026-03-11T10:00', '2026-03-13T18:00', '市政所')
    .add('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, '2026-03-11T15:00')
    .add('CaseReopened', { reason: '群众不满意' }, '2026-03-12T09:00')
    .deadline('resolve', '2026-03-19T18:00', '2026-03-12T09:00', 'restarted')
    .resolveHotline('2026-03-17T10:00', '2026-03-19T18:00', '市政所')
    .add('CaseReviewed', { satisfaction: 'satisfied', solved: true }, '2026-03-18T10:00')
    .add('CaseClosed', { by: 'review' }, '2026-03-18T10:00');

  it('March 按期办结率 for 市政所 is 1/2: once late, once on time', () => {
    expectKpis(logOf(ticket), '2026-03', '2026-04-20T10:00', true, {
      // Sign on time; resolve #1 late, #2 on time; call-backs 不满意 then 满意, 未解决 then 已解决.
      市政所: { response: [1, 1], onTimeResolution: [1, 2], satisfaction: [1, 2], solved: [1, 2] },
    });
  });

  it("March report: 市政所 2 of 3 on time, the desk's two call-backs on time, nothing overdue", () => {
    expectReport(logOf(ticket), '2026-03', '2026-04-20T10:00', {
      units: [row('市政所', 3, 2, 1, 0, 1, 2 / 3, 1), row(DESK_LABEL, 2, 2, 0, 0, 0, 1, null)],
      overdue: [],
      unsatisfied: [{ number: 'RX-0101', unit: '市政所', reviewedAt: sh('2026-03-11T15:00') }],
    });
  });

  // RX-0102 (市政所): resolved Wed 4 Mar 10:00 on time (due 9 Mar 18:00); call-back #1 due Fri 6 Mar
  // 18:00, never made; the desk reopens Mon 9 Mar 09:00, after that deadline: call-back #1 ends late.
  // Resolve #2 due Mon 16 Mar 18:00, resolved Fri 13 Mar 10:00; call-back #2 due Tue 17 Mar 18:00,
  // never made: open and overdue at the end of March, 17 Mar 18:00 → 1 Apr 00:00 = 14 d 6 h → 15.
  const reopenedUncalled = new CaseScript('case-0102', 'RX-0102')
    .hotline('2026-03-02T09:00')
    .dispatchHotline('市政所', '2026-03-02T09:30', '2026-03-02T11:30', '2026-03-09T18:00')
    .add('CaseSigned', { unit: '市政所' }, '2026-03-02T10:00', unitUser('市政所'))
    .resolveHotline('2026-03-04T10:00', '2026-03-06T18:00', '市政所')
    .add('CaseReopened', { reason: '核查未完成' }, '2026-03-09T09:00')
    .deadline('resolve', '2026-03-16T18:00', '2026-03-09T09:00', 'restarted')
    .resolveHotline('2026-03-13T10:00', '2026-03-17T18:00', '市政所');

  it('a reopen ends a call-back still owed: late if its deadline had passed, and the desk answers for it', () => {
    expectReport(logOf(reopenedUncalled), '2026-03', '2026-04-20T10:00', {
      units: [row('市政所', 3, 3, 0, 0, 0, 1, 1), row(DESK_LABEL, 2, 0, 2, 1, 0, 0, null)],
      overdue: [
        { number: 'RX-0102', unit: DESK_LABEL, milestone: 'callback', deadline: sh('2026-03-17T18:00'), daysOverdue: 15, supervisions: [] },
      ],
      unsatisfied: [],
    });
  });
});

describe('returns and extensions (section 2)', () => {
  // RX-0201: dispatched to 社区A Mon 2 Mar 09:30 (sign due 11:30), returned 10:30 before the
  // deadline: sign #1 never counts. Dispatched to 社区B 14:00 (sign due 16:00), signed 15:00: on time.
  const returnedInTime = new CaseScript('case-0201', 'RX-0201')
    .hotline('2026-03-02T09:00')
    .dispatchHotline('社区A', '2026-03-02T09:30', '2026-03-02T11:30', '2026-03-09T18:00')
    .add('CaseReturned', { unit: '社区A', reason: '不属于本社区' }, '2026-03-02T10:30', unitUser('社区A'))
    .dispatchHotline('社区B', '2026-03-02T14:00', '2026-03-02T16:00', '2026-03-09T18:00')
    .add('CaseSigned', { unit: '社区B' }, '2026-03-02T15:00', unitUser('社区B'));
  // RX-0202: dispatched to 社区A Tue 3 Mar 09:30 (sign due 11:30), returned unsigned 15:00, after
  // the deadline: sign #1 late, charged to 社区A. Dispatched to 社区B 16:00 (sign due Wed 10:00),
  // signed Wed 09:30: on time.
  const returnedLate = new CaseScript('case-0202', 'RX-0202')
    .hotline('2026-03-03T09:00')
    .dispatchHotline('社区A', '2026-03-03T09:30', '2026-03-03T11:30', '2026-03-10T18:00')
    .add('CaseReturned', { unit: '社区A', reason: '不属于本社区' }, '2026-03-03T15:00', unitUser('社区A'))
    .dispatchHotline('社区B', '2026-03-03T16:00', '2026-03-04T10:00', '2026-03-10T18:00')
    .add('CaseSigned', { unit: '社区B' }, '2026-03-04T09:30', unitUser('社区B'));
  // RX-0203 (社区C): resolve due Mon 9 Mar 18:00; an extension approved Fri 6 Mar moves it to
  // Mon 16 Mar 18:00 (same episode); resolved Fri 13 Mar: on time, counted once.
  const extendedInTime = new CaseScript('case-0203', 'RX-0203')
    .hotline('2026-03-02T09:00')
    .dispatchHotline('社区C', '2026-03-02T09:30', '2026-03-02T11:30', '2026-03-09T18:00')
    .add('CaseSigned', { unit: '社区C' }, '2026-03-02T10:00', unitUser('社区C'))
    .deadline('resolve', '2026-03-16T18:00', '2026-03-06T10:00', 'extended', '2026-03-02T09:30')
    .add('CaseResolved', { kind: 'hotline', reply: '已处理' }, '2026-03-13T10:00', unitUser('社区C'));
  // RX-0204 (社区C): resolve due Mon 9 Mar 18:00; the extension is approved only Tue 10 Mar 10:00,
  // to Fri 20 Mar 18:00: episode #1 ends late; episode #2 (due 20 Mar) resolved Wed 18 Mar: on time.
  const extendedLate = new CaseScript('case-0204', 'RX-0204')
    .hotline('2026-03-02T09:00')
    .dispatchHotline('社区C', '2026-03-02T09:30', '2026-03-02T11:30', '2026-03-09T18:00')
    .add('CaseSigned', { unit: '社区C' }, '2026-03-02T10:00', unitUser('社区C'))
    .deadline('resolve', '2026-03-20T18:00', '2026-03-10T10:00', 'extended', '2026-03-02T09:30')
    .add('CaseResolved', { kind: 'hotline', reply: '已处理' }, '2026-03-18T10:00', unitUser('社区C'));

  it('a return before the sign deadline voids it; after it, the returning unit is late', () => {
    expectKpis(logOf(returnedInTime, returnedLate), '2026-03', '2026-04-20T10:00', true, {
      社区A: { response: [0, 1] },
      // Both re-dispatched resolves (due 9 and 10 Mar) are unreached and past due on 20 April: late.
      社区B: { response: [2, 2], onTimeResolution: [0, 2] },
    });
    // The resolve episodes the returns ended had not fallen due: they count nowhere.
    expectKpis(logOf(returnedInTime, returnedLate), '2026-03', '2026-04-20T10:00', false, {
      '': { response: [2, 3], onTimeResolution: [0, 2] },
    });
  });

  it('an extension approved in time moves the deadline; approved late, it cannot undo the miss', () => {
    expectKpis(logOf(extendedInTime, extendedLate), '2026-03', '2026-04-20T10:00', true, {
      // Sign 2/2; resolve: RX-0203 on time (once), RX-0204 #1 late and #2 on time → 2/3.
      社区C: { response: [2, 2], onTimeResolution: [2, 3] },
    });
  });
});

describe('decided milestones only: a period still running (section 3)', () => {
  // Three tickets of 市政所 with resolve deadlines in April; the figures are asked Mon 20 Apr 10:00.
  // RX-0301: due Sat 25 Apr 18:00, unresolved: not due yet, counts nowhere.
  // RX-0302: due Tue 28 Apr 18:00, resolved Wed 15 Apr: on time, counts although its deadline is ahead.
  // RX-0303: due Fri 10 Apr 18:00, unresolved: late, and open and overdue at the judging instant:
  //          10 Apr 18:00 → 20 Apr 10:00 = 9 d 16 h → 10 days.
  const script = (caseId: string, number: string, resolveDue: string) =>
    new CaseScript(caseId, number)
      .hotline('2026-04-01T09:00')
      .dispatchHotline('市政所', '2026-04-01T09:30', '2026-04-01T11:30', resolveDue)
      .add('CaseSigned', { unit: '市政所' }, '2026-04-01T10:00', unitUser('市政所'));
  const log = logOf(
    script('case-0301', 'RX-0301', '2026-04-25T18:00'),
    script('case-0302', 'RX-0302', '2026-04-28T18:00').add(
      'CaseResolved',
      { kind: 'hotline', reply: '已处理' },
      '2026-04-15T10:00',
      unitUser('市政所'),
    ),
    script('case-0303', 'RX-0303', '2026-04-10T18:00'),
  );

  it('asked on 20 April, April counts what has been decided: 按期办结率 1/2', () => {
    expectKpis(log, '2026-04', '2026-04-20T10:00', false, { '': { response: [3, 3], onTimeResolution: [1, 2] } });
  });

  it('asked on 1 May, the deadline of 25 April has passed unmet: 1/3', () => {
    expectKpis(log, '2026-04', '2026-05-01T10:00', false, { '': { response: [3, 3], onTimeResolution: [1, 3] } });
  });

  it("April's report asked on 20 April: the end of the month is the judging instant", () => {
    expectReport(log, '2026-04', '2026-04-20T10:00', {
      units: [row('市政所', 5, 4, 1, 1, 0, 0.8, 1)],
      overdue: [
        { number: 'RX-0303', unit: '市政所', milestone: 'resolve', deadline: sh('2026-04-10T18:00'), daysOverdue: 10, supervisions: [] },
      ],
      unsatisfied: [],
    });
  });
});

describe('the report as it stood at the end of the month: a ticket reopened after the month it was overdue in (section 6)', () => {
  // RX-0401 (城管执法中队): dispatched Mon 23 Mar 09:30, signed 10:00 (sign due 11:30, on time);
  // resolve #1 due Mon 30 Mar 18:00, unresolved at the end of March; 督办 issued Tue 31 Mar 09:00,
  // answered Thu 2 Apr. Resolved Fri 3 Apr 10:00 (late); call-back due Wed 8 Apr 18:00, made Tue
  // 7 Apr 10:00, 不满意; reopened 7 Apr 15:00: resolve #2 due Tue 14 Apr 18:00, resolved Mon 13 Apr.
  const ticket = new CaseScript('case-0401', 'RX-0401')
    .hotline('2026-03-23T09:00')
    .dispatchHotline('城管执法中队', '2026-03-23T09:30', '2026-03-23T11:30', '2026-03-30T18:00')
    .add('CaseSigned', { unit: '城管执法中队' }, '2026-03-23T10:00', unitUser('城管执法中队'))
    .add('SupervisionIssued', { supervisionId: 'order-1', instruction: '请尽快办结' }, '2026-03-31T09:00', SUPERVISOR);
  const endOfMarch = logOf(ticket);
  ticket
    .add('SupervisionAnswered', { supervisionId: 'order-1', answer: '正在办理' }, '2026-04-02T10:00', unitUser('城管执法中队'))
    .resolveHotline('2026-04-03T10:00', '2026-04-08T18:00', '城管执法中队')
    .add('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, '2026-04-07T10:00')
    .add('CaseReopened', { reason: '群众不满意' }, '2026-04-07T15:00')
    .deadline('resolve', '2026-04-14T18:00', '2026-04-07T15:00', 'restarted')
    .resolveHotline('2026-04-13T10:00', '2026-04-15T18:00', '城管执法中队');
  const later = logOf(ticket);

  // Resolve #1: 30 Mar 18:00 → 1 Apr 00:00 = 30 h → 2 days; the order was not answered by then.
  const march: ExpectedReport = {
    units: [row('城管执法中队', 2, 1, 1, 1, 0, 0.5, 1)],
    overdue: [
      {
        number: 'RX-0401',
        unit: '城管执法中队',
        milestone: 'resolve',
        deadline: sh('2026-03-30T18:00'),
        daysOverdue: 2,
        supervisions: [{ issuedAt: sh('2026-03-31T09:00'), answered: false }],
      },
    ],
    unsatisfied: [],
  };

  it('asked on 1 April, March lists the open, overdue resolve', () => {
    expectReport(endOfMarch, '2026-03', '2026-04-01T08:00', march);
  });

  it('asked in May, after the late resolve, the answer, the call-back and the reopen: March is unchanged', () => {
    expectReport(later, '2026-03', '2026-05-06T10:00', march);
  });

  it('April has the call-back (the desk on time), the 不满意 against the unit, and the reopened resolve', () => {
    expectReport(later, '2026-04', '2026-05-06T10:00', {
      // 城管执法中队: resolve #2 due 14 Apr, on time. The desk: call-back #1 due 8 Apr, made 7 Apr
      // (on time); call-back #2 due 15 Apr, never made: late, and open and overdue at the end of
      // April (15 Apr 18:00 → 1 May 00:00 = 15 d 6 h → 16 days).
      units: [row('城管执法中队', 1, 1, 0, 0, 1, 1, 1), row(DESK_LABEL, 2, 1, 1, 1, 0, 0.5, null)],
      overdue: [
        {
          number: 'RX-0401',
          unit: DESK_LABEL,
          milestone: 'callback',
          deadline: sh('2026-04-15T18:00'),
          daysOverdue: 16,
          supervisions: [{ issuedAt: sh('2026-03-31T09:00'), answered: true }],
        },
      ],
      unsatisfied: [{ number: 'RX-0401', unit: '城管执法中队', reviewedAt: sh('2026-04-07T10:00') }],
    });
  });
});

describe('first-time one-off resolution: a petition re-examined the month after its close (section 5)', () => {
  // XF-0501 (司法所): registered Mon 2 Mar 09:00, acceptance due Tue 17 Mar 09:00, accepted Tue 3 Mar
  // 10:00; reply due Sat 2 May 10:00; dispatched 3 Mar 11:00; replied Fri 20 Mar; the follow-up
  // closes it Wed 25 Mar 10:00. Re-examination asked Fri 10 Apr (due Sun 10 May 10:00), decided
  // Wed 6 May → closed again.
  const petition = new CaseScript('case-0501', 'XF-0501')
    .petition('2026-03-02T09:00')
    .deadline('acceptance', '2026-03-17T09:00', '2026-03-02T09:00')
    .add('CaseAccepted', {}, '2026-03-03T10:00')
    .deadline('reply', '2026-05-02T10:00', '2026-03-03T10:00')
    .add('CaseDispatched', { unit: '司法所' }, '2026-03-03T11:00')
    .add('CaseSigned', { unit: '司法所' }, '2026-03-03T14:00', unitUser('司法所'))
    .add('CaseResolved', { kind: 'petition', outcome: 'explained', reply: '已答复' }, '2026-03-20T10:00', unitUser('司法所'))
    .add('CaseReviewed', { note: '回访' }, '2026-03-25T10:00')
    .add('CaseClosed', { by: 'review' }, '2026-03-25T10:00');
  const endOfMarch = logOf(petition);
  petition
    .add('ReexaminationRequested', { reason: '不服答复' }, '2026-04-10T10:00')
    .deadline('reexamination', '2026-05-10T10:00', '2026-04-10T10:00');
  const pending = logOf(petition);
  petition
    .add('ReexaminationDecided', { decision: 'upheld', opinion: '维持' }, '2026-05-06T10:00')
    .add('CaseClosed', { by: 'reexamination' }, '2026-05-06T10:00');
  const decided = logOf(petition);

  it('asked on 31 March: March 1/1, a one-off', () => {
    expectKpis(endOfMarch, '2026-03', '2026-03-31T12:00', true, {
      司法所: { firstTimeResolution: [1, 1] },
      [DESK_LABEL]: { timelyAcceptance: [1, 1] },
    });
  });

  it('asked on 20 April, the re-examination pending: March 0/1; April counts nothing', () => {
    expectKpis(pending, '2026-03', '2026-04-20T10:00', false, { '': { timelyAcceptance: [1, 1], firstTimeResolution: [0, 1] } });
    expectKpis(pending, '2026-04', '2026-04-20T10:00', false, {});
  });

  it('asked in May, the re-examination decided and the petition closed again: still March 0/1, nothing in May', () => {
    expectKpis(decided, '2026-03', '2026-05-20T10:00', false, { '': { timelyAcceptance: [1, 1], firstTimeResolution: [0, 1] } });
    // May: the reply (due 2 May, on time) and the re-examination (due 10 May, decided 6 May, the desk's).
    expectKpis(decided, '2026-05', '2026-05-20T10:00', false, { '': { onTimeReply: [1, 1] } });
    expectReport(decided, '2026-05', '2026-05-20T10:00', {
      units: [row('司法所', 1, 1, 0, 0, 0, 1, 1), row(DESK_LABEL, 1, 1, 0, 0, 0, 1, null)],
      overdue: [],
      unsatisfied: [],
    });
  });

  it('a repeat petition registered later lowers the month of the first close too', () => {
    const repeat = new CaseScript('case-0502', 'XF-0502')
      .petition('2026-04-15T09:00')
      .deadline('acceptance', '2026-04-30T09:00', '2026-04-15T09:00')
      .add('CaseLinked', { targetId: 'case-0501', relation: 'repeat-of' }, '2026-04-15T09:10');
    const withRepeat = [...endOfMarch, ...repeat.log];
    expectKpis(withRepeat, '2026-03', '2026-04-20T10:00', false, { '': { timelyAcceptance: [1, 1], firstTimeResolution: [0, 1] } });
  });
});

describe('who owes what (section 4)', () => {
  // Two petitions: acceptance due Tue 17 Mar 09:00, accepted Fri 20 Mar 10:00 (late, the desk's);
  // reply due Tue 19 May 10:00; dispatched to 小寨社区 Mon 23 Mar, returned Tue 24 Mar.
  const base = (caseId: string, number: string) =>
    new CaseScript(caseId, number)
      .petition('2026-03-02T09:00')
      .deadline('acceptance', '2026-03-17T09:00', '2026-03-02T09:00')
      .add('CaseAccepted', {}, '2026-03-20T10:00')
      .deadline('reply', '2026-05-19T10:00', '2026-03-20T10:00')
      .add('CaseDispatched', { unit: '小寨社区' }, '2026-03-23T09:00')
      .add('CaseReturned', { unit: '小寨社区', reason: '不属于本社区' }, '2026-03-24T10:00', unitUser('小寨社区'));
  // XF-0601: dispatched to 司法所 Wed 25 Mar, replied Wed 20 May: late, charged to 司法所, which
  // held it when the deadline passed.
  const heldAtDeadline = base('case-0601', 'XF-0601')
    .add('CaseDispatched', { unit: '司法所' }, '2026-03-25T09:00')
    .add('CaseResolved', { kind: 'petition', outcome: 'explained', reply: '已答复' }, '2026-05-20T10:00', unitUser('司法所'));
  // XF-0602: dispatched again only Thu 21 May: nobody held it on 19 May, so the late reply is 未派单's.
  const unheldAtDeadline = base('case-0602', 'XF-0602')
    .add('CaseDispatched', { unit: '司法所' }, '2026-05-21T09:00')
    .add('CaseResolved', { kind: 'petition', outcome: 'explained', reply: '已答复' }, '2026-05-22T10:00', unitUser('司法所'));
  const log = logOf(heldAtDeadline, unheldAtDeadline);

  it("the late reply is charged to whoever held the petition when its deadline passed; the acceptance is the desk's", () => {
    expectKpis(log, '2026-05', '2026-06-01T10:00', true, {
      司法所: { onTimeReply: [0, 1] },
      未派单: { onTimeReply: [0, 1] },
    });
    expectKpis(log, '2026-03', '2026-06-01T10:00', true, { [DESK_LABEL]: { timelyAcceptance: [0, 2] } });
  });

  it('in the report, the desk and 未派单 follow the ranked units, unranked', () => {
    // Both replies were reached before the end of May: nothing open and overdue.
    expectReport(log, '2026-05', '2026-06-01T10:00', {
      units: [row('司法所', 1, 0, 1, 0, 0, 0, 1), row('未派单', 1, 0, 1, 0, 0, 0, null)],
      overdue: [],
      unsatisfied: [],
    });
    // Both acceptances late in March, and reached before its end.
    expectReport(log, '2026-03', '2026-06-01T10:00', {
      units: [row(DESK_LABEL, 2, 0, 2, 0, 0, 0, null)],
      overdue: [],
      unsatisfied: [],
    });
  });

  it('daysOverdue rounds up: an hour overdue at the end of the month reads 1', () => {
    // RX-0603: resolve due Tue 31 Mar 23:00, unresolved: at 1 Apr 00:00 it is one hour overdue.
    const ticket = new CaseScript('case-0603', 'RX-0603')
      .hotline('2026-03-24T09:00')
      .dispatchHotline('市政所', '2026-03-24T09:30', '2026-03-24T11:30', '2026-03-31T23:00')
      .add('CaseSigned', { unit: '市政所' }, '2026-03-24T10:00', unitUser('市政所'));
    expectReport(logOf(ticket), '2026-03', '2026-04-20T10:00', {
      units: [row('市政所', 2, 1, 1, 1, 0, 0.5, 1)],
      overdue: [
        { number: 'RX-0603', unit: '市政所', milestone: 'resolve', deadline: sh('2026-03-31T23:00'), daysOverdue: 1, supervisions: [] },
      ],
      unsatisfied: [],
    });
  });
});

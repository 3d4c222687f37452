/**
 * SPEC §3–§5 end to end: timeliness KPIs (GET /api/stats/timeliness), the what-if replay under
 * another deadline policy, and the monthly overdue-ticket report (月度通报) in every format, each
 * computed at a stated log position and reproducible with `?position=`. Real HTTP stack, real
 * SQLite event store and read models, a hand-moved clock, the deadline scheduler switched off so
 * that nothing but these commands writes to the log.
 *
 * Every expected figure is hand-computed from SPEC §3's default policy over the 2026 China
 * calendar (March 2026 has no holiday or make-up day; 1 March is a Sunday, so the Mondays are
 * 2, 9, 16, 23 and 30 March; 4–6 April is 清明), office hours 09:00–12:00 and 14:00–18:00:
 *   hotline sign     = 2 office hours from the dispatch
 *   hotline resolve  = 18:00 of the 5th working day after the dispatch day
 *   hotline callback = 18:00 of the 2nd working day after the resolution day
 *   petition acceptance = registration + 15 × 24 h; petition reply = acceptance + 60 × 24 h
 *   dispute mediation   = acceptance + 30 × 24 h
 * All times below are Asia/Shanghai (+08:00) unless written as ISO-8601 UTC (…Z = Shanghai − 8 h).
 *
 * The March 2026 fixture (two handling units, 城市管理科 = A and 小寨社区 = B):
 *
 * RX2026-0001 H1 (A)  intake 02 Mar 09:00, dispatch 02 Mar 09:30
 *                     sign     due 02 Mar 11:30 (09:30 + 2 h)            reached 02 Mar 10:00  on time
 *                     resolve  due 09 Mar 18:00 (3,4,5,6,9 Mar)          reached 05 Mar 16:00  on time
 *                     callback due 09 Mar 18:00 (6, 9 Mar)               reached 06 Mar 10:00  on time; 满意, 已解决 → closed
 * RX2026-0002 H2 (B)  intake 10 Mar 14:00, dispatch 10 Mar 14:30
 *                     sign     due 10 Mar 16:30 (14:30 + 2 h)            reached 11 Mar 09:30  late
 *                     resolve  due 17 Mar 18:00 (11,12,13,16,17 Mar)     reached 19 Mar 11:00  late
 *                     callback due 23 Mar 18:00 (20, 23 Mar)             reached 20 Mar 15:00  on time; 不满意, 未解决 → stays resolved
 * RX2026-0003 H3 (A)  intake 23 Mar 09:00, dispatch 23 Mar 17:00, never signed in March
 *                     sign     due 24 Mar 10:00 (17:00–18:00 = 1 h, then 09:00–10:00 next day)   open
 *                     resolve  due 30 Mar 18:00 (24,25,26,27,30 Mar)     open
 *                     督办 issued 25 Mar 09:30 by a supervisor, answer due 27 Mar 18:00, never answered
 * XF2026-0001 P1 (B)  registered 02 Mar 09:40; acceptance due 17 Mar 09:40, accepted 03 Mar 10:00 (on time)
 *                     reply due 02 May 10:00 (03 Mar + 60 d), replied 06 Mar 15:00; follow-up 09 Mar 10:00 → closed
 * XF2026-0002 P2 (—)  registered 10 Mar 10:00, linked repeat-of P1 at 10:05; acceptance due 25 Mar 10:00,
 *                     accepted 26 Mar 09:00 (late); reply due 25 May 09:00; never dispatched
 * JF2026-0001 D1 (B)  registered/accepted 03 Mar 09:00/09:30, mediation due 02 Apr 09:30; mediated 20 Mar 16:00
 * JF2026-0002 D2 (A)  registered/accepted 05 Mar 09:00/09:30, mediation due 04 Apr 09:30; failed 25 Mar 15:00, referred to court
 *
 * The clock then stands at Monday 20 April 2026 10:00 for every query: the live figures are judged
 * then (docs/timeliness-rules.md). Acceptance and call-backs are the desk's, reported under the
 * organisation's name (大雁塔街道); sign, resolve, reply and mediation are the handling unit's.
 */
import { Workbook } from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { DEFAULT_POLICY_CONFIG } from '@cases/domain';
import { disputeBody, hotlineBody, petitionBody } from './support/bodies';
import { DESK, SUPERVISOR, TestApp, expectProblem, expectStatus, unitUser, type TestActor } from './support/test-app';
import { TestClock } from './support/test-clock';

const UNIT_A = '城市管理科';
const UNIT_B = '小寨社区';
const DESK_ROW = '大雁塔街道';
const A = unitUser(UNIT_A, 'unit-chengguan-1');
const B = unitUser(UNIT_B, 'unit-xiaozhai-1');

const MARCH = { from: '2026-03-01', to: '2026-04-01' };
const QUERY_TIME = '2026-04-20T10:00:00+08:00';
/** QUERY_TIME as the answers state it. */
const JUDGED_AT = '2026-04-20T02:00:00.000Z';
const H3_SUPERVISION = '请立即签收并于3月27日前办结';

interface Kpi {
  numerator: number;
  denominator: number;
  ratio: number | null;
}

/** Every ratio is written by hand next to its numerator and denominator; the helper only builds the object. */
function kpi(numerator: number, denominator: number, ratio: number | null): Kpi {
  return { numerator, denominator, ratio };
}
const NONE = kpi(0, 0, null);

function allNone() {
  return {
    timelyAcceptance: NONE,
    onTimeReply: NONE,
    response: NONE,
    onTimeResolution: NONE,
    satisfaction: NONE,
    solved: NONE,
    firstTimeResolution: NONE,
    disputeResolution: NONE,
  };
}

/** The KPIs of March 2026 over the whole fixture (no groupBy), as recorded before any later event. */
const MARCH_KPIS = {
  // P1 acceptance due 17 Mar, reached 03 Mar (on time); P2 due 25 Mar, reached 26 Mar (late): 1 / 2.
  timelyAcceptance: kpi(1, 2, 0.5),
  // Replies fall due 02 May (P1) and 25 May (P2): none in March → null, not 0% or 100%.
  onTimeReply: kpi(0, 0, null),
  // Sign: H1 on time, H2 late, H3 unreached: 1 / 3.
  response: kpi(1, 3, 1 / 3),
  // Resolve: H1 on time (09 Mar), H2 late (17 Mar), H3 unreached (30 Mar): 1 / 3.
  onTimeResolution: kpi(1, 3, 1 / 3),
  // Call-backs in March: H1 满意 (06 Mar), H2 不满意 (20 Mar): 1 / 2.
  satisfaction: kpi(1, 2, 0.5),
  // H1 已解决, H2 未解决: 1 / 2.
  solved: kpi(1, 2, 0.5),
  // First-time petitions closed in March: P1 (09 Mar); P2 repeats it, so it is not a one-off: 0 / 1.
  firstTimeResolution: kpi(0, 1, 0),
  // Mediation outcomes in March: D1 mediated, D2 failed: 1 / 2.
  disputeResolution: kpi(1, 2, 0.5),
};

/** The March report JSON as first computed live (before H3 is signed and RX2026-0004 is added). */
function marchReport(ids: Record<string, string>, position: string) {
  const h3Supervisions = [
    // Issued 25 Mar 09:30 = 01:30Z, due 27 Mar 18:00 = 10:00Z, not answered by the end of March.
    { instruction: H3_SUPERVISION, issuedAt: '2026-03-25T01:30:00.000Z', dueAt: '2026-03-27T10:00:00.000Z', answered: false },
  ];
  return {
    month: '2026-03',
    // Judged when asked, 20 Apr 10:00; March is over, so "the end of March" is 1 Apr 00:00 (+08:00).
    judgedAt: JUDGED_AT,
    position,
    units: [
      // A: due in March = H1 sign, H1 resolve (on time) + H3 sign, H3 resolve (unreached, past due on 20 Apr)
      //    → due 4, onTime 2, late 2; open and overdue at 1 Apr 00:00 = H3 sign + H3 resolve = 2; rate 2/4 = 0.5.
      { unit: UNIT_A, due: 4, onTime: 2, late: 2, openOverdue: 2, unsatisfied: 0, onTimeRate: 0.5, rank: 1 },
      // B: H2 sign (late), H2 resolve (late) → due 2, onTime 0, late 2; H2's 不满意 counts against B; rate 0.
      //    (P1's reply falls due in May and D1's mediation on 02 Apr: not March's.)
      { unit: UNIT_B, due: 2, onTime: 0, late: 2, openOverdue: 0, unsatisfied: 1, onTimeRate: 0, rank: 2 },
      // The desk: acceptances P1 (on time) and P2 (late), call-backs H1 (due 09 Mar) and H2 (due 23 Mar),
      // both on time → due 4, onTime 3, late 1; rate 0.75; not ranked.
      { unit: DESK_ROW, due: 4, onTime: 3, late: 1, openOverdue: 0, unsatisfied: 0, onTimeRate: 0.75, rank: null },
    ],
    overdue: [
      {
        caseId: ids.h3,
        number: 'RX2026-0003',
        kind: 'hotline',
        title: '人行道井盖缺失',
        unit: UNIT_A,
        milestone: 'sign',
        // 24 Mar 10:00 +08:00.
        deadline: '2026-03-24T02:00:00.000Z',
        // 24 Mar 10:00 → 1 Apr 00:00 = 7 d 14 h, rounded up = 8 (the calendar days 24…31 Mar).
        daysOverdue: 8,
        supervisions: h3Supervisions,
        urged: 0,
      },
      {
        caseId: ids.h3,
        number: 'RX2026-0003',
        kind: 'hotline',
        title: '人行道井盖缺失',
        unit: UNIT_A,
        milestone: 'resolve',
        // 30 Mar 18:00 +08:00.
        deadline: '2026-03-30T10:00:00.000Z',
        // 30 Mar 18:00 → 1 Apr 00:00 = 30 h, rounded up = 2 (30 and 31 Mar).
        daysOverdue: 2,
        supervisions: h3Supervisions,
        urged: 0,
      },
    ],
    // H2's 不满意 call-back, 20 Mar 15:00 = 07:00Z.
    unsatisfied: [
      { caseId: ids.h2, number: 'RX2026-0002', title: '夜间施工噪音扰民', unit: UNIT_B, reviewedAt: '2026-03-20T07:00:00.000Z' },
    ],
  };
}

/** supertest: collect the raw bytes instead of decoding them as text. */
function binaryParser(res: Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer | string) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

function rowValues(sheet: { getRow(index: number): { values: unknown } }, index: number): unknown[] {
  // exceljs rows are 1-based: values[0] is always empty.
  return (sheet.getRow(index).values as unknown[]).slice(1);
}

describe('timeliness KPIs and the monthly report (SPEC §4, §5)', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  /** Moves the clock to a Shanghai wall-clock time: commands then happen "now" (occurredAt = recordedAt). */
  function at(shanghai: string): void {
    t.clock.set(`${shanghai}+08:00`);
  }

  async function intake(key: string, kind: 'petition' | 'hotline' | 'dispute', body: unknown, as: TestActor = DESK): Promise<void> {
    const res = await t.intake(kind, body, { as });
    ids[key] = res.body.id;
  }

  async function stats(query: Record<string, string>): Promise<any> {
    const res = await t.get('/api/stats/timeliness', SUPERVISOR).query(query);
    expectStatus(res, 200);
    return res.body;
  }

  async function monthly(month: string, query: Record<string, string> = {}): Promise<Response> {
    const res = await t.get(`/api/reports/monthly/${month}`, SUPERVISOR).query(query);
    expectStatus(res, 200);
    return res;
  }

  async function binary(path: string, query: Record<string, string>): Promise<Response> {
    const res = await t.get(path, SUPERVISOR).query(query).buffer(true).parse(binaryParser);
    expectStatus(res, 200);
    return res;
  }

  /** The fixture of the header comment, step by step in business-time order, each step at its own clock time. */
  async function buildMarchFixture(): Promise<void> {
    // Monday 2 March
    at('2026-03-02T09:00:00');
    await intake('h1', 'hotline', hotlineBody({ title: '路灯不亮' }));
    at('2026-03-02T09:30:00');
    await t.ok(ids.h1, 'dispatch', { unit: UNIT_A });
    at('2026-03-02T09:40:00');
    await intake('p1', 'petition', petitionBody({ title: '小区楼道堆放杂物' }));
    at('2026-03-02T10:00:00');
    await t.ok(ids.h1, 'sign', {}, { as: A });

    // Tuesday 3 March
    at('2026-03-03T09:00:00');
    await intake('d1', 'dispute', disputeBody({ title: '楼上漏水纠纷' }));
    at('2026-03-03T09:30:00');
    await t.ok(ids.d1, 'accept');
    at('2026-03-03T10:00:00');
    await t.ok(ids.p1, 'accept', { note: '符合受理条件' });
    at('2026-03-03T10:10:00');
    await t.ok(ids.d1, 'dispatch', { unit: UNIT_B });
    at('2026-03-03T11:00:00');
    await t.ok(ids.p1, 'dispatch', { unit: UNIT_B });
    at('2026-03-03T11:10:00');
    await t.ok(ids.d1, 'sign', {}, { as: B });
    at('2026-03-03T14:00:00');
    await t.ok(ids.p1, 'sign', {}, { as: B });

    // Thursday 5 March
    at('2026-03-05T09:00:00');
    await intake('d2', 'dispute', disputeBody({ title: '车位占用纠纷' }));
    at('2026-03-05T09:30:00');
    await t.ok(ids.d2, 'accept');
    at('2026-03-05T10:00:00');
    await t.ok(ids.d2, 'dispatch', { unit: UNIT_A });
    at('2026-03-05T11:00:00');
    await t.ok(ids.d2, 'sign', {}, { as: A });
    at('2026-03-05T16:00:00');
    await t.ok(ids.h1, 'resolve', { reply: '已更换灯泡，路灯恢复照明。' }, { as: A });

    // Friday 6 March
    at('2026-03-06T10:00:00');
    await t.ok(ids.h1, 'review', { satisfaction: 'satisfied', solved: true });
    at('2026-03-06T15:00:00');
    await t.ok(ids.p1, 'resolve', { outcome: 'explained', reply: '已协调物业清理楼道。' }, { as: B });

    // Monday 9 March
    at('2026-03-09T10:00:00');
    await t.ok(ids.p1, 'review', { note: '回访：信访人认可处理结果' });

    // Tuesday 10 March
    at('2026-03-10T10:00:00');
    await intake('p2', 'petition', petitionBody({ title: '楼道杂物再次堆放' }));
    at('2026-03-10T10:05:00');
    await t.ok(ids.p2, 'link', { targetId: ids.p1, relation: 'repeat-of' });
    at('2026-03-10T14:00:00');
    await intake('h2', 'hotline', hotlineBody({ title: '夜间施工噪音扰民' }));
    at('2026-03-10T14:30:00');
    await t.ok(ids.h2, 'dispatch', { unit: UNIT_B });

    // Wednesday 11 March: H2 signed 17 office hours late.
    at('2026-03-11T09:30:00');
    await t.ok(ids.h2, 'sign', {}, { as: B });

    // Thursday 19 March: H2 resolved after its 17 March deadline.
    at('2026-03-19T11:00:00');
    await t.ok(ids.h2, 'resolve', { reply: '已责令施工单位夜间停工。' }, { as: B });

    // Friday 20 March
    at('2026-03-20T15:00:00');
    await t.ok(ids.h2, 'review', { satisfaction: 'unsatisfied', solved: false, note: '群众反映仍有夜间施工' });
    at('2026-03-20T16:00:00');
    await t.ok(ids.d1, 'resolve', { outcome: 'mediated', mediationType: 'people', agreement: '楼上住户负责维修并赔偿2000元。' }, { as: B });

    // Monday 23 March
    at('2026-03-23T09:00:00');
    await intake('h3', 'hotline', hotlineBody({ title: '人行道井盖缺失' }));
    at('2026-03-23T17:00:00');
    await t.ok(ids.h3, 'dispatch', { unit: UNIT_A });

    // Wednesday 25 March
    at('2026-03-25T09:30:00');
    await t.ok(ids.h3, 'supervise', { instruction: H3_SUPERVISION, dueAt: '2026-03-27T18:00:00+08:00' }, { as: SUPERVISOR });
    at('2026-03-25T15:00:00');
    await t.ok(ids.d2, 'resolve', { outcome: 'failed', mediationType: 'people', referral: '引导当事人向雁塔区人民法院起诉' }, { as: A });

    // Thursday 26 March: P2 accepted a day after its acceptance deadline.
    at('2026-03-26T09:00:00');
    await t.ok(ids.p2, 'accept');

    t.clock.set(QUERY_TIME);
  }

  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock('2026-03-02T09:00:00+08:00'), env: { SCHEDULER_INTERVAL_MS: '0' } });
    await buildMarchFixture();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('records the hand-computed deadlines for the fixture (the inputs of every figure below)', async () => {
    const deadlines = async (id: string) =>
      (await t.view(id, SUPERVISOR)).deadlines.map((d: any) => ({
        milestone: d.milestone,
        dueAt: d.dueAt,
        reachedAt: d.reachedAt ?? null,
      }));
    expect(await deadlines(ids.h1)).toEqual([
      { milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z', reachedAt: '2026-03-02T02:00:00.000Z' }, // due 11:30, signed 10:00
      { milestone: 'resolve', dueAt: '2026-03-09T10:00:00.000Z', reachedAt: '2026-03-05T08:00:00.000Z' }, // due 09 Mar 18:00, resolved 05 Mar 16:00
      { milestone: 'callback', dueAt: '2026-03-09T10:00:00.000Z', reachedAt: '2026-03-06T02:00:00.000Z' }, // due 09 Mar 18:00, reviewed 06 Mar 10:00
    ]);
    expect(await deadlines(ids.h2)).toEqual([
      { milestone: 'sign', dueAt: '2026-03-10T08:30:00.000Z', reachedAt: '2026-03-11T01:30:00.000Z' }, // due 16:30, signed next day 09:30
      { milestone: 'resolve', dueAt: '2026-03-17T10:00:00.000Z', reachedAt: '2026-03-19T03:00:00.000Z' }, // due 17 Mar 18:00, resolved 19 Mar 11:00
      { milestone: 'callback', dueAt: '2026-03-23T10:00:00.000Z', reachedAt: '2026-03-20T07:00:00.000Z' }, // due 23 Mar 18:00, reviewed 20 Mar 15:00
    ]);
    expect(await deadlines(ids.h3)).toEqual([
      { milestone: 'sign', dueAt: '2026-03-24T02:00:00.000Z', reachedAt: null }, // due 24 Mar 10:00
      { milestone: 'resolve', dueAt: '2026-03-30T10:00:00.000Z', reachedAt: null }, // due 30 Mar 18:00
    ]);
    expect(await deadlines(ids.p1)).toEqual([
      { milestone: 'acceptance', dueAt: '2026-03-17T01:40:00.000Z', reachedAt: '2026-03-03T02:00:00.000Z' }, // 02 Mar 09:40 + 15 d
      { milestone: 'reply', dueAt: '2026-05-02T02:00:00.000Z', reachedAt: '2026-03-06T07:00:00.000Z' }, // 03 Mar 10:00 + 60 d
    ]);
    expect(await deadlines(ids.p2)).toEqual([
      { milestone: 'acceptance', dueAt: '2026-03-25T02:00:00.000Z', reachedAt: '2026-03-26T01:00:00.000Z' }, // 10 Mar 10:00 + 15 d; accepted 26 Mar 09:00
      { milestone: 'reply', dueAt: '2026-05-25T01:00:00.000Z', reachedAt: null }, // 26 Mar 09:00 + 60 d
    ]);
    expect(await deadlines(ids.d1)).toEqual([
      { milestone: 'mediation', dueAt: '2026-04-02T01:30:00.000Z', reachedAt: '2026-03-20T08:00:00.000Z' }, // 03 Mar 09:30 + 30 d
    ]);
    expect(await deadlines(ids.d2)).toEqual([
      { milestone: 'mediation', dueAt: '2026-04-04T01:30:00.000Z', reachedAt: '2026-03-25T07:00:00.000Z' }, // 05 Mar 09:30 + 30 d
    ]);
  });

  describe('GET /api/stats/timeliness', () => {
    it('gives every KPI of March as numerator, denominator and ratio, in one group {} without groupBy', async () => {
      const body = await stats(MARCH);
      expect(body).toEqual({
        // Dates alone are Shanghai midnight: 1 Mar 00:00 +08:00 = 28 Feb 16:00Z.
        from: '2026-02-28T16:00:00.000Z',
        to: '2026-03-31T16:00:00.000Z',
        position: expect.stringMatching(/^\d+$/),
        judgedAt: JUDGED_AT,
        groups: [{ group: {}, kpis: MARCH_KPIS }],
      });
    });

    it("attributes each counted item to whoever owes it with groupBy=unit (the desk's items under the organisation's name, last)", async () => {
      const body = await stats({ ...MARCH, groupBy: 'unit' });
      expect(body.groups).toEqual([
        {
          group: { unit: UNIT_A },
          kpis: {
            ...allNone(),
            // H1 sign on time, H3 sign unreached: 1 / 2.
            response: kpi(1, 2, 0.5),
            // H1 resolve on time, H3 resolve unreached: 1 / 2.
            onTimeResolution: kpi(1, 2, 0.5),
            // H1's 满意, 已解决 call-back: 1 / 1.
            satisfaction: kpi(1, 1, 1),
            solved: kpi(1, 1, 1),
            // D2 failed: 0 / 1.
            disputeResolution: kpi(0, 1, 0),
          },
        },
        {
          group: { unit: UNIT_B },
          kpis: {
            ...allNone(),
            // H2 signed late, resolved late, 不满意 and 未解决: 0 / 1 each.
            response: kpi(0, 1, 0),
            onTimeResolution: kpi(0, 1, 0),
            satisfaction: kpi(0, 1, 0),
            solved: kpi(0, 1, 0),
            // P1 (handled by B) closed 09 Mar but repeated by P2: 0 / 1.
            firstTimeResolution: kpi(0, 1, 0),
            // D1 mediated: 1 / 1.
            disputeResolution: kpi(1, 1, 1),
          },
        },
        {
          group: { unit: DESK_ROW },
          // Petition acceptances are the desk's: P1 on time, P2 late.
          kpis: { ...allNone(), timelyAcceptance: kpi(1, 2, 0.5) },
        },
      ]);
      // Units with nothing to measure for a KPI report null, not 0% or 100%.
      expect(body.groups[0].kpis.timelyAcceptance).toEqual({ numerator: 0, denominator: 0, ratio: null });
    });

    it('groups by kind', async () => {
      const body = await stats({ ...MARCH, groupBy: 'kind' });
      expect(body.groups).toEqual([
        // Code-unit order: dispute < hotline < petition.
        { group: { kind: 'dispute' }, kpis: { ...allNone(), disputeResolution: kpi(1, 2, 0.5) } },
        {
          group: { kind: 'hotline' },
          kpis: {
            ...allNone(),
            response: kpi(1, 3, 1 / 3),
            onTimeResolution: kpi(1, 3, 1 / 3),
            satisfaction: kpi(1, 2, 0.5),
            solved: kpi(1, 2, 0.5),
          },
        },
        { group: { kind: 'petition' }, kpis: { ...allNone(), timelyAcceptance: kpi(1, 2, 0.5), firstTimeResolution: kpi(0, 1, 0) } },
      ]);
    });

    it('takes the period half-open: a deadline at `to` belongs to the next period', async () => {
      // H1's resolve deadline is 09 Mar 18:00 exactly; the only other deadlines near it are H2's (10 Mar 16:30 and later).
      const before = await stats({ from: '2026-03-01', to: '2026-03-09T18:00:00+08:00' });
      // [01 Mar, 09 Mar 18:00): one sign deadline (H1, 02 Mar, on time) and no resolve deadline → null.
      expect(before.groups[0].kpis.onTimeResolution).toEqual(kpi(0, 0, null));
      expect(before.groups[0].kpis.response).toEqual(kpi(1, 1, 1));
      const from = await stats({ from: '2026-03-09T18:00:00+08:00', to: '2026-03-10' });
      // [09 Mar 18:00, 10 Mar 00:00): only H1's resolve (on time).
      expect(from.groups).toEqual([{ group: {}, kpis: { ...allNone(), onTimeResolution: kpi(1, 1, 1) } }]);
    });

    it('gives one group {} with every ratio null for a period with nothing in it (2025)', async () => {
      const body = await stats({ from: '2025-01-01', to: '2026-01-01' });
      expect(body).toEqual({
        from: '2024-12-31T16:00:00.000Z',
        to: '2025-12-31T16:00:00.000Z',
        position: expect.stringMatching(/^\d+$/),
        judgedAt: JUDGED_AT,
        groups: [{ group: {}, kpis: allNone() }],
      });
    });
  });

  describe('GET /api/reports/monthly/2026-03', () => {
    it('ranks the units and lists the overdue milestones and the unsatisfied call-backs', async () => {
      const res = await monthly('2026-03');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(marchReport(ids, res.body.position));
      expect(res.body.position).toMatch(/^\d+$/);
      // The report and the KPIs of the same moment state the same log position.
      expect((await stats(MARCH)).position).toBe(res.body.position);
    });
  });

  describe('POST /api/stats/timeliness/what-if', () => {
    function policyWithHotlineResolveLimit(limit: unknown): Record<string, any> {
      const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG));
      policy.hotline.normal.resolve.limit = limit;
      return policy;
    }

    it('replays March with a 1-working-day resolve limit: a lower 按期办结率, the rest unchanged, the live figures untouched', async () => {
      const live = await stats(MARCH);
      expect(live.groups[0].kpis.onTimeResolution).toEqual(kpi(1, 3, 1 / 3));

      const res = await t.post(
        '/api/stats/timeliness/what-if',
        { ...MARCH, policy: policyWithHotlineResolveLimit({ amount: 1, unit: 'working-days' }) },
        { as: SUPERVISOR },
      );
      expectStatus(res, 200);
      expect(res.body).toEqual({
        from: '2026-02-28T16:00:00.000Z',
        to: '2026-03-31T16:00:00.000Z',
        position: live.position,
        judgedAt: JUDGED_AT,
        groups: [
          {
            group: {},
            kpis: {
              ...MARCH_KPIS,
              // Resolve due 18:00 of the 1st working day after the dispatch day:
              //   H1 dispatched 02 Mar → due 03 Mar 18:00, resolved 05 Mar 16:00: late;
              //   H2 dispatched 10 Mar → due 11 Mar 18:00, resolved 19 Mar: late;
              //   H3 dispatched 23 Mar → due 24 Mar 18:00, unresolved: late.   0 / 3 < live 1 / 3.
              onTimeResolution: kpi(0, 3, 0),
            },
          },
        ],
      });

      const grouped = await t.post(
        '/api/stats/timeliness/what-if',
        { ...MARCH, groupBy: ['unit'], policy: policyWithHotlineResolveLimit({ amount: 1, unit: 'working-days' }) },
        { as: SUPERVISOR },
      );
      expectStatus(grouped, 200);
      // A: H1 and H3 both late → 0 / 2; B: H2 late → 0 / 1.
      expect(grouped.body.groups.map((g: any) => [g.group.unit, g.kpis.onTimeResolution])).toEqual([
        [UNIT_A, kpi(0, 2, 0)],
        [UNIT_B, kpi(0, 1, 0)],
        [DESK_ROW, NONE],
      ]);

      // The live read models are untouched: the same answer as before the what-if, at the same position.
      expect(await stats(MARCH)).toEqual(live);
    });

    it('refuses a policy the POLICY_FILE parser would refuse, as 400 problem details', async () => {
      const res = await t.post(
        '/api/stats/timeliness/what-if',
        { ...MARCH, policy: policyWithHotlineResolveLimit({ amount: 1, unit: 'fortnights' }) },
        { as: SUPERVISOR },
      );
      const problem = expectProblem(res, 400, 'REQUEST.INVALID');
      expect(JSON.stringify(problem.errors)).toContain('hotline.normal.resolve.limit');
    });
  });

  describe('report formats', () => {
    it('CSV: UTF-8 with the byte order mark, text/csv, the Chinese tables', async () => {
      const res = await binary('/api/reports/monthly/2026-03', { format: 'csv' });
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="monthly-report-2026-03-at-\d+\.csv"$/);
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').split('\r\n');
      expect(lines[0]).toBe('大雁塔街道 2026年3月 超期/不满意工单通报');
      expect(lines).toContain('单位,应办结数,按期,超期办结,超期未办结,不满意,按期率,排名');
      // 2/4 = 50.0%, 0/2 = 0.0%, 3/4 = 75.0%; the desk's row is not ranked (—).
      expect(lines).toContain(`${UNIT_A},4,2,2,2,0,50.0%,1`);
      expect(lines).toContain(`${UNIT_B},2,0,2,0,1,0.0%,2`);
      expect(lines).toContain(`${DESK_ROW},4,3,1,0,0,75.0%,—`);
      expect(lines).toContain('RX2026-0002,夜间施工噪音扰民,小寨社区,2026-03-20 15:00');
    });

    it('XLSX: sheets 单位排名, 超期清单, 不满意清单 with Chinese headers and the figures', async () => {
      const res = await binary('/api/reports/monthly/2026-03', { format: 'xlsx' });
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new Workbook();
      // exceljs's typings predate Node's generic Buffer; the bytes are what it expects.
      await workbook.xlsx.load(res.body as Parameters<typeof workbook.xlsx.load>[0]);
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['单位排名', '超期清单', '不满意清单']);

      const ranking = workbook.getWorksheet('单位排名')!;
      expect(ranking.getCell(1, 1).value).toBe('大雁塔街道 2026年3月 超期/不满意工单通报');
      expect(rowValues(ranking, 3)).toEqual(['单位', '应办结数', '按期', '超期办结', '超期未办结', '不满意', '按期率', '排名']);
      expect(rowValues(ranking, 4)).toEqual([UNIT_A, 4, 2, 2, 2, 0, 0.5, 1]);
      expect(rowValues(ranking, 5)).toEqual([UNIT_B, 2, 0, 2, 0, 1, 0, 2]);
      expect(rowValues(ranking, 6)).toEqual([DESK_ROW, 4, 3, 1, 0, 0, 0.75, '—']);

      const overdue = workbook.getWorksheet('超期清单')!;
      expect(rowValues(overdue, 3)).toEqual(['案件编号', '类型', '标题', '承办单位', '节点', '期限', '超期天数', '督办', '催办次数']);
      // Deadlines are Excel dates holding the Shanghai wall-clock time (24 Mar 10:00, 30 Mar 18:00).
      expect(rowValues(overdue, 4).slice(0, 7)).toEqual([
        'RX2026-0003',
        '12345工单',
        '人行道井盖缺失',
        UNIT_A,
        '签收',
        new Date('2026-03-24T10:00:00.000Z'),
        8,
      ]);
      expect(rowValues(overdue, 5).slice(0, 7)).toEqual([
        'RX2026-0003',
        '12345工单',
        '人行道井盖缺失',
        UNIT_A,
        '办结',
        new Date('2026-03-30T18:00:00.000Z'),
        2,
      ]);
      expect(rowValues(overdue, 4)[7]).toBe(`2026-03-25 09:30 ${H3_SUPERVISION}（限 2026-03-27 18:00；未答复）`);
      expect(overdue.rowCount).toBe(5);

      const unsatisfied = workbook.getWorksheet('不满意清单')!;
      expect(rowValues(unsatisfied, 3)).toEqual(['案件编号', '标题', '承办单位', '回访时间']);
      expect(rowValues(unsatisfied, 4)).toEqual(['RX2026-0002', '夜间施工噪音扰民', UNIT_B, new Date('2026-03-20T15:00:00.000Z')]);
    });

    it('HTML: a printable A4 landscape page named after the organisation', async () => {
      const res = await monthly('2026-03', { format: 'html' });
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('大雁塔街道');
      expect(res.text).toContain('<h1>大雁塔街道 2026年3月 超期/不满意工单通报</h1>');
      expect(res.text).toContain('A4 landscape');
      expect(res.text).toContain('<td>RX2026-0003</td>');
    });
  });

  describe('validation (400 problem details)', () => {
    it('refuses a month that does not exist', async () => {
      expectProblem(await t.get('/api/reports/monthly/2026-13', SUPERVISOR), 400, 'REQUEST.INVALID');
    });

    it('refuses an unknown format', async () => {
      expectProblem(await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ format: 'pdf' }), 400, 'REQUEST.INVALID');
    });

    it('refuses a period whose start is after its end', async () => {
      const res = await t.get('/api/stats/timeliness', SUPERVISOR).query({ from: '2026-04-01', to: '2026-03-01' });
      expectProblem(res, 400, 'REQUEST.INVALID');
    });

    it.each([
      // V8 reads 2026-02-30 as 2 March: the period must not silently start two days later.
      ['2026-02-30', 'a day past the end of February'],
      // An Invalid Date must be reported against `from`, not as "to must be after from".
      ['2026-13-01', 'month 13'],
    ])('refuses from=%s (%s) as a field error on `from`', async (from) => {
      const res = await t.get('/api/stats/timeliness', SUPERVISOR).query({ from, to: '2026-04-01' });
      const problem = expectProblem(res, 400, 'REQUEST.INVALID');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    });

    it('refuses an unknown groupBy dimension', async () => {
      const res = await t.get('/api/stats/timeliness', SUPERVISOR).query({ ...MARCH, groupBy: 'unit,street' });
      const problem = expectProblem(res, 400, 'REQUEST.INVALID');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'groupBy' })]);
    });
  });

  describe('reproducibility at a log position (runs last: it records more events)', () => {
    it('judges a position at the recording time of its event, and answers the same whatever was recorded since', async () => {
      const firstReport = (await monthly('2026-03')).body;
      const firstStats = await stats(MARCH);
      expect(firstStats.position).toBe(firstReport.position);
      expect(firstReport).toEqual(marchReport(ids, firstReport.position));
      const { position } = firstReport;

      // The event at that position is P2's acceptance, recorded 26 Mar 09:00 (01:00Z): asked at the
      // position, March is judged as the service knew it then, with the month still running.
      const atPosition = (await monthly('2026-03', { position })).body;
      const live = marchReport(ids, position);
      expect(atPosition).toEqual({
        ...live,
        judgedAt: '2026-03-26T01:00:00.000Z',
        units: [
          // A: H1 sign and resolve on time; H3 sign (due 24 Mar 10:00) unreached: late and open; H3
          //    resolve (due 30 Mar 18:00) not due yet, so not counted → due 3, onTime 2, late 1; rate 2/3.
          { unit: UNIT_A, due: 3, onTime: 2, late: 1, openOverdue: 1, unsatisfied: 0, onTimeRate: 2 / 3, rank: 1 },
          live.units[1],
          live.units[2],
        ],
        // H3 sign: 24 Mar 10:00 → 26 Mar 09:00 = 1 d 23 h, rounded up = 2.
        overdue: [{ ...live.overdue[0], daysOverdue: 2 }],
      });
      const statsAtPosition = await stats({ ...MARCH, position });
      expect(statsAtPosition.judgedAt).toBe('2026-03-26T01:00:00.000Z');
      // H3's resolve was not due yet then: 按期办结率 1/2 (H1 on time, H2 late), where the live answer says 1/3.
      expect(statsAtPosition.groups[0].kpis).toEqual({ ...MARCH_KPIS, onTimeResolution: kpi(1, 2, 0.5) });
      const csvAtPosition = (await binary('/api/reports/monthly/2026-03', { format: 'csv', position })).body as Buffer;
      const oneDayResolve = JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG));
      oneDayResolve.hotline.normal.resolve.limit = { amount: 1, unit: 'working-days' };
      const whatIfAtPosition = await t.post(
        '/api/stats/timeliness/what-if',
        { ...MARCH, policy: oneDayResolve, position },
        { as: SUPERVISOR },
      );
      expectStatus(whatIfAtPosition, 200);
      expect(whatIfAtPosition.body.judgedAt).toBe('2026-03-26T01:00:00.000Z');

      // More events: a second supervision order on H3 in April, the March order answered in April,
      // H3 finally signed and resolved in April, and a ticket of 31 March recorded only now
      // (back-dated by a supervisor).
      at('2026-04-20T10:30:00');
      await t.ok(ids.h3, 'supervise', { instruction: '4月督办：尽快办结' }, { as: SUPERVISOR });
      const marchOrder = (await t.history(ids.h3, SUPERVISOR)).find((event) => event.type === 'SupervisionIssued');
      at('2026-04-20T10:40:00');
      await t.ok(ids.h3, 'answer-supervision', { supervisionId: marchOrder.data.supervisionId, answer: '今日签收并办理' }, { as: A });
      at('2026-04-20T11:00:00');
      await t.ok(ids.h3, 'sign', {}, { as: A });
      at('2026-04-20T15:00:00');
      await t.ok(ids.h3, 'resolve', { reply: '已补装井盖。' }, { as: A });
      at('2026-04-20T16:00:00');
      const back = (occurredAt: string) => ({ occurredAt: `${occurredAt}+08:00` });
      const h4 = await t.intake(
        'hotline',
        { ...hotlineBody({ title: '共享单车乱停放' }), ...back('2026-03-31T09:00:00') },
        { as: SUPERVISOR },
      );
      ids.h4 = h4.body.id;
      expect(h4.body.number).toBe('RX2026-0004');
      await t.ok(ids.h4, 'dispatch', { unit: UNIT_B, ...back('2026-03-31T09:10:00') }, { as: SUPERVISOR });
      // Sign due 09:10 + 2 office hours = 11:10; signed 10:00: on time.
      await t.ok(ids.h4, 'sign', back('2026-03-31T10:00:00'), { as: SUPERVISOR });

      const laterReport = (await monthly('2026-03')).body;
      expect(BigInt(laterReport.position)).toBeGreaterThan(BigInt(position));
      const expectedLater = { ...marchReport(ids, laterReport.position), judgedAt: '2026-04-20T08:00:00.000Z' };
      // B gains H4's sign (due 31 Mar 11:10, on time): due 2 + 1 = 3, onTime 0 + 1 = 1, rate 1/3.
      expectedLater.units[1] = { unit: UNIT_B, due: 3, onTime: 1, late: 2, openOverdue: 0, unsatisfied: 1, onTimeRate: 1 / 3, rank: 2 };
      // H3 was signed and resolved on 20 April: at the end of March both were still open and
      // overdue, so A's row and the overdue list stay; the April order was issued after the end
      // of March and is not listed, and the March order still reads unanswered (answered in April).
      expect(laterReport).toEqual(expectedLater);

      // The same position, asked again after all that: the same report, KPIs and what-if.
      expect((await monthly('2026-03', { position })).body).toEqual(atPosition);
      expect(await stats({ ...MARCH, position })).toEqual(statsAtPosition);
      const reproducedWhatIf = await t.post(
        '/api/stats/timeliness/what-if',
        { ...MARCH, policy: oneDayResolve, position },
        { as: SUPERVISOR },
      );
      expectStatus(reproducedWhatIf, 200);
      expect(reproducedWhatIf.body).toEqual(whatIfAtPosition.body);

      const laterStats = await stats(MARCH);
      expect(laterStats.position).toBe(laterReport.position);
      // Sign: H1 on time, H2 late, H3 late (signed 20 Apr), H4 on time: 2 / 4 (first asked: 1 / 3).
      expect(laterStats.groups[0].kpis.response).toEqual(kpi(2, 4, 0.5));
      expect(firstStats.groups[0].kpis.response).toEqual(kpi(1, 3, 1 / 3));

      // The live what-if now: with H4's on-time sign, response 2 / 4; resolve still H1, H2, H3 late under 1 working day: 0 / 3.
      const laterWhatIf = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolve }, { as: SUPERVISOR });
      expectStatus(laterWhatIf, 200);
      expect(laterWhatIf.body.groups[0].kpis.response).toEqual(kpi(2, 4, 0.5));
      expect(laterWhatIf.body.groups[0].kpis.onTimeResolution).toEqual(kpi(0, 3, 0));

      // The CSV at the position is the same but for its generation time (line 3).
      const reproducedCsv = (await binary('/api/reports/monthly/2026-03', { format: 'csv', position })).body as Buffer;
      const csvLines = (csv: Buffer) => csv.toString('utf8').split('\r\n');
      expect(csvLines(csvAtPosition)[2]).toBe('生成时间：2026-04-20 10:00');
      expect(csvLines(reproducedCsv)[2]).toBe('生成时间：2026-04-20 16:00');
      expect(csvLines(reproducedCsv).filter((_, index) => index !== 2)).toEqual(csvLines(csvAtPosition).filter((_, index) => index !== 2));

      // A position past the end of the log cannot be reproduced: 422.
      const beyond = (BigInt(laterReport.position) + 1000n).toString();
      expectProblem(
        await t.get('/api/reports/monthly/2026-03', SUPERVISOR).query({ position: beyond }),
        422,
        'REQUEST.POSITION_BEYOND_LOG',
      );
      expectProblem(
        await t.get('/api/stats/timeliness', SUPERVISOR).query({ ...MARCH, position: beyond }),
        422,
        'REQUEST.POSITION_BEYOND_LOG',
      );
      expectProblem(
        await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: oneDayResolve, position: beyond }, { as: SUPERVISOR }),
        422,
        'REQUEST.POSITION_BEYOND_LOG',
      );
    });
  });
});

/**
 * The what-if replay changes the deadline policy only: it must count on the deployment's own
 * business calendar, CALENDAR_OVERRIDE_FILE included, or a what-if under the live policy itself
 * would not give the live figures.
 */
describe('what-if on a deployment with a calendar override', () => {
  let t: TestApp;
  let overrideDir: string;
  let ticketId: string;

  beforeAll(async () => {
    overrideDir = mkdtempSync(join(tmpdir(), 'calendar-override-'));
    const overrideFile = join(overrideDir, 'calendar-override.json');
    // A late change to a published year: 3 and 4 March 2026 declared days off.
    writeFileSync(overrideFile, JSON.stringify({ holidays: ['2026-03-03', '2026-03-04'] }));
    const clock = new TestClock('2026-03-02T09:00:00+08:00');
    t = await TestApp.start({ clock, env: { SCHEDULER_INTERVAL_MS: '0', CALENDAR_OVERRIDE_FILE: overrideFile } });

    const created = await t.intake('hotline', hotlineBody({ title: '绿化带垃圾堆积' }));
    ticketId = created.body.id;
    clock.set('2026-03-02T09:30:00+08:00');
    await t.ok(ticketId, 'dispatch', { unit: UNIT_A });
    clock.set('2026-03-02T10:00:00+08:00');
    await t.ok(ticketId, 'sign', {}, { as: A });
    clock.set('2026-03-10T16:00:00+08:00');
    await t.ok(ticketId, 'resolve', { reply: '已清运。' }, { as: A });
    clock.set('2026-04-20T10:00:00+08:00');
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(overrideDir, { recursive: true, force: true });
  });

  it('gives the live figures when replayed under the live policy itself', async () => {
    const view = await t.view(ticketId);
    // 5 working days after 02 Mar, skipping 3 and 4 Mar: 5, 6, 9, 10, 11 Mar → 11 Mar 18:00.
    expect(view.deadlines.find((d: any) => d.milestone === 'resolve').dueAt).toBe('2026-03-11T10:00:00.000Z');

    const live = await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH);
    expectStatus(live, 200);
    // Resolved 10 Mar 16:00, before 11 Mar 18:00: 1 / 1.
    expect(live.body.groups[0].kpis.onTimeResolution).toEqual(kpi(1, 1, 1));

    const whatIf = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: DEFAULT_POLICY_CONFIG }, { as: SUPERVISOR });
    expectStatus(whatIf, 200);
    // Same policy, same calendar: the same answer (on the pinned calendar alone the deadline would
    // be 09 Mar 18:00 and the ticket late, 0 / 1).
    expect(whatIf.body).toEqual(live.body);
  });
});

/**
 * A reopened ticket (重办) gets a fresh resolve deadline counted from the reopen, never the
 * platform's original deadline (SPEC §2; case.decide.ts `reopen`). The what-if replay under the
 * unchanged live policy must recompute that same deadline, or it reports a different 按期办结率
 * than the live figures for the very same policy.
 *
 * RX2026-0001, platform deadline 06 Mar 18:00:
 *   dispatch 02 Mar 09:30 → sign due 11:30, signed 10:00; resolve due = platform deadline 06 Mar 18:00
 *   resolved 04 Mar 10:00; call-back 05 Mar 10:00 不满意; reopened 09 Mar 10:00 by the desk
 *   → resolve restarted: 18:00 of the 5th working day after 09 Mar (10,11,12,13,16) = 16 Mar 18:00
 *   resolved again 12 Mar 10:00: on time.
 */
describe('what-if on a reopened ticket with a platform deadline', () => {
  let t: TestApp;
  let ticketId: string;

  beforeAll(async () => {
    const clock = new TestClock('2026-03-02T09:00:00+08:00');
    t = await TestApp.start({ clock, env: { SCHEDULER_INTERVAL_MS: '0' } });
    const created = await t.intake('hotline', hotlineBody({ title: '小区供暖不热', platformDeadline: '2026-03-06T18:00:00+08:00' }));
    ticketId = created.body.id;
    clock.set('2026-03-02T09:30:00+08:00');
    await t.ok(ticketId, 'dispatch', { unit: UNIT_A });
    clock.set('2026-03-02T10:00:00+08:00');
    await t.ok(ticketId, 'sign', {}, { as: A });
    clock.set('2026-03-04T10:00:00+08:00');
    await t.ok(ticketId, 'resolve', { reply: '已联系热力公司排查。' }, { as: A });
    clock.set('2026-03-05T10:00:00+08:00');
    await t.ok(ticketId, 'review', { satisfaction: 'unsatisfied', solved: false });
    clock.set('2026-03-09T10:00:00+08:00');
    await t.ok(ticketId, 'reopen', { reason: '回访不满意，室温仍不达标' });
    clock.set('2026-03-12T10:00:00+08:00');
    await t.ok(ticketId, 'resolve', { reply: '已更换管道阀门，室温达标。' }, { as: A });
    clock.set('2026-04-20T10:00:00+08:00');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('gives the live figures when replayed under the live policy itself', async () => {
    const view = await t.view(ticketId);
    // Live: the reopened resolve is due 16 Mar 18:00 = 10:00Z, reached 12 Mar 10:00 = 02:00Z; the
    // view shows both episodes, so a desk officer sees why the ticket counts twice.
    expect(view.deadlines.find((d: any) => d.milestone === 'resolve')).toMatchObject({
      dueAt: '2026-03-16T10:00:00.000Z',
      reachedAt: '2026-03-12T02:00:00.000Z',
    });
    expect(view.episodes.filter((e: any) => e.milestone === 'resolve')).toEqual([
      // The platform's 06 Mar 18:00, resolved 04 Mar 10:00.
      {
        milestone: 'resolve',
        episode: 1,
        startedAt: '2026-03-02T01:30:00.000Z',
        dueAt: '2026-03-06T10:00:00.000Z',
        reachedAt: '2026-03-04T02:00:00.000Z',
        state: 'met',
      },
      {
        milestone: 'resolve',
        episode: 2,
        startedAt: '2026-03-09T02:00:00.000Z',
        dueAt: '2026-03-16T10:00:00.000Z',
        reachedAt: '2026-03-12T02:00:00.000Z',
        state: 'met',
      },
    ]);

    const live = await t.get('/api/stats/timeliness', SUPERVISOR).query(MARCH);
    expectStatus(live, 200);
    // Both resolve episodes fall due in March (06 and 16 Mar), both met: 2 / 2.
    expect(live.body.groups[0].kpis.onTimeResolution).toEqual(kpi(2, 2, 1));

    const whatIf = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: DEFAULT_POLICY_CONFIG }, { as: SUPERVISOR });
    expectStatus(whatIf, 200);
    // Same policy: the same answer. (Recomputing the reopened deadline from the platform's
    // 06 Mar 18:00 would make the 12 Mar resolution late: 1 / 2.)
    expect(whatIf.body.groups[0].kpis.onTimeResolution).toEqual(kpi(2, 2, 1));
    expect(whatIf.body).toEqual(live.body);
  });
});

import { hotlineBody } from './support/bodies';
import { SUPERVISOR, TestApp, expectProblem, expectStatus, unitUser } from './support/test-app';

const SHIZHENG = unitUser('市政所');
const XIAOZHAI = unitUser('小寨社区');

/**
 * A handling unit reads only the cases dispatched to it, now or before (docs/security.md): any
 * other case answers exactly as a case that does not exist.
 */
describe('what a handling unit may read', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** The problem details of a 404, with the case id taken out: the rest must not tell two cases apart. */
  function anonymous(body: Record<string, unknown>, id: string) {
    return JSON.parse(JSON.stringify(body).split(id).join('<id>')) as unknown;
  }

  it("answers another unit's case like one that does not exist, in the view, the history and the list", async () => {
    const id = (await t.intake('hotline', hotlineBody({ platformTicketNo: 'SCOPE-0001', title: '范围测试工单' }))).body.id;
    await t.ok(id, 'dispatch', { unit: '市政所' });
    const unknown = '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11';

    for (const path of ['', '/history']) {
      const other = expectProblem(await t.get(`/api/cases/${id}${path}`, XIAOZHAI), 404, 'CASE.NOT_FOUND');
      const missing = expectProblem(await t.get(`/api/cases/${unknown}${path}`, XIAOZHAI), 404, 'CASE.NOT_FOUND');
      expect(anonymous(other, id)).toEqual(anonymous(missing, unknown));
      expectStatus(await t.get(`/api/cases/${id}${path}`, SHIZHENG), 200);
    }
    expect((await t.list({ text: '范围测试工单' }, XIAOZHAI)).items).toEqual([]);
    expect((await t.list({ text: '范围测试工单', unit: '市政所' }, XIAOZHAI)).items).toEqual([]);
    expect((await t.list({ text: '范围测试工单' }, SHIZHENG)).items.map((item: { id: string }) => item.id)).toEqual([id]);
  });

  it('keeps a case readable by a unit that held it before it was returned and dispatched elsewhere', async () => {
    const id = (await t.intake('hotline', hotlineBody({ platformTicketNo: 'SCOPE-0002' }))).body.id;
    await t.ok(id, 'dispatch', { unit: '市政所' });
    await t.ok(id, 'return', { reason: '不属于本单位职责' }, { as: SHIZHENG });
    await t.ok(id, 'dispatch', { unit: '小寨社区' });

    expectStatus(await t.get(`/api/cases/${id}`, SHIZHENG), 200);
    expectStatus(await t.get(`/api/cases/${id}/history`, XIAOZHAI), 200);
    // It sees the case but no longer holds it: a step is refused as not its own (403), not hidden (404).
    expectProblem(await t.act(id, 'progress', { text: '补记进展' }, { as: SHIZHENG }), 403, 'CASE.FORBIDDEN');
    // Its list holds the case too; `unit` still means who holds it now.
    const listed = async (query: Record<string, string>, as = SHIZHENG) =>
      (await t.list({ text: 'SCOPE-0002', ...query }, as)).items.map((item: { id: string }) => item.id);
    expect(await listed({})).toContain(id);
    expect(await listed({ unit: '小寨社区' })).toContain(id);
    expect(await listed({ unit: '市政所' })).not.toContain(id);
    expect(await listed({}, XIAOZHAI)).toContain(id);
  });
});

/**
 * Statistics and the monthly report as a handling unit reads them (docs/security.md): its own
 * figures and its rank out of the ranked units; never another unit's figures, rows or lists.
 */
describe('the figures a handling unit may read', () => {
  let t: TestApp;
  const YANNAN = unitUser('曲江社区');

  beforeAll(async () => {
    t = await TestApp.start();
    // March: 市政所 signs one ticket on time and misses another; 小寨社区 signs its one on time.
    const ticket = async (unit: string, title: string) => {
      const id = (await t.intake('hotline', hotlineBody({ title }))).body.id;
      await t.ok(id, 'dispatch', { unit });
      return id;
    };
    const onTime = await ticket('市政所', '市政所按期工单');
    await ticket('市政所', '市政所超期工单');
    const own = await ticket('小寨社区', '小寨社区按期工单');
    await t.ok(onTime, 'sign', {}, { as: SHIZHENG });
    await t.ok(own, 'sign', {}, { as: XIAOZHAI });
    t.clock.set('2026-04-02T09:00:00+08:00');
  });
  afterAll(async () => {
    await t.stop();
  });

  const MARCH = { from: '2026-03-01', to: '2026-04-01' };

  it('narrows the KPIs to what is charged to the unit, the same numbers as its group in the desk-wide figures', async () => {
    const all = (await t.get('/api/stats/timeliness', SUPERVISOR).query({ ...MARCH, groupBy: 'unit' })).body;
    const shizheng = all.groups.find((group: { group: { unit: string } }) => group.group.unit === '市政所');
    expect(shizheng.kpis.response).toEqual({ numerator: 1, denominator: 2, ratio: 0.5 });

    const mine = await t.get('/api/stats/timeliness', SHIZHENG).query(MARCH);
    expectStatus(mine, 200);
    expect(mine.body.scope).toEqual({ unit: '市政所' });
    expect(mine.body.groups).toEqual([{ group: {}, kpis: shizheng.kpis }]);
    const grouped = (await t.get('/api/stats/timeliness', SHIZHENG).query({ ...MARCH, groupBy: 'unit,kind' })).body;
    expect(grouped.groups.map((group: { group: { unit: string } }) => group.group.unit)).toEqual(['市政所']);
    // The supervisor's answer carries no scope.
    expect(all).not.toHaveProperty('scope');
  });

  it('shows the report with its own row, its rank out of N and its own lists, in every format', async () => {
    const full = (await t.get('/api/reports/monthly/2026-03', SUPERVISOR)).body;
    expect(full.units.map((row: { unit: string }) => row.unit)).toEqual(expect.arrayContaining(['市政所', '小寨社区']));
    expect(full).not.toHaveProperty('scope');

    const mine = (await t.get('/api/reports/monthly/2026-03', SHIZHENG)).body;
    expect(mine.scope).toEqual({ unit: '市政所', rank: 2, rankedUnits: 2 });
    expect(mine.units).toEqual([full.units.find((row: { unit: string }) => row.unit === '市政所')]);
    // Its own overdue rows: the missed sign, and both tickets' resolve still open at the end of March.
    expect(mine.overdue.map((row: { title: string; milestone: string }) => `${row.title} ${row.milestone}`).sort()).toEqual(
      ['市政所按期工单 resolve', '市政所超期工单 resolve', '市政所超期工单 sign'].sort(),
    );
    expect(JSON.stringify(mine)).not.toContain('小寨社区');

    const theirs = (await t.get('/api/reports/monthly/2026-03', XIAOZHAI)).body;
    expect(theirs).toMatchObject({ scope: { unit: '小寨社区', rank: 1, rankedUnits: 2 }, unsatisfied: [] });
    expect(theirs.overdue.map((row: { title: string; milestone: string }) => `${row.title} ${row.milestone}`)).toEqual([
      '小寨社区按期工单 resolve',
    ]);
    expect(JSON.stringify(theirs)).not.toContain('市政所');

    // A unit with nothing this month: no rows, and how many were ranked.
    expect((await t.get('/api/reports/monthly/2026-03', YANNAN)).body).toMatchObject({
      units: [],
      overdue: [],
      scope: { unit: '曲江社区', rank: null, rankedUnits: 2 },
    });

    for (const format of ['csv', 'html']) {
      const res = await t.get('/api/reports/monthly/2026-03', XIAOZHAI).query({ format });
      expectStatus(res, 200);
      expect(res.text).toContain('本单位：小寨社区　排名：1 / 2');
      expect(res.text).not.toContain('市政所');
    }
  });

  it('keeps what-if to supervisors and admins', async () => {
    const res = await t.post('/api/stats/timeliness/what-if', { ...MARCH, policy: {} }, { as: SHIZHENG });
    expectProblem(res, 403, 'AUTH.FORBIDDEN');
  });
});

import { hotlineBody } from './support/bodies';
import { TestApp, expectProblem, expectStatus, unitUser } from './support/test-app';

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
  });
});

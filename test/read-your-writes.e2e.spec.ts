/**
 * Read-your-writes (SPEC §6, §8): the read models are fed asynchronously from the global log, yet
 * a list, view or history query issued right after a 2xx command must already reflect it. No
 * sleeps, no retries: the very next request is checked.
 */
import { DESK, TestApp, expectProblem, expectStatus, unitUser } from './support/test-app';
import { hotlineBody, petitionBody } from './support/bodies';
import { TestClock } from './support/test-clock';

const SHIZHENG = unitUser('市政所', 'unit-shizheng-1');
const ROUNDS = 50;

describe('read-your-writes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock('2026-03-02T09:00:00+08:00') });
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A hotline ticket signed by 市政所, at revision 4. */
  async function hotlineInProgress(ticketNo: string): Promise<string> {
    const { body } = await t.intake('hotline', hotlineBody({ platformTicketNo: ticketNo }));
    await t.ok(body.id, 'dispatch', { unit: '市政所' });
    await t.ok(body.id, 'sign', {}, { as: SHIZHENG });
    return body.id;
  }

  it(`view, history and list read right after each of ${ROUNDS} commands show its revision`, async () => {
    const id = await hotlineInProgress('GD-RYW-SEQ-0001');
    for (let round = 1; round <= ROUNDS; round++) {
      t.clock.advance({ minutes: 1 });
      const action = round % 2 === 0 ? 'note' : 'progress';
      const text = `第${round}条${action === 'note' ? '备注' : '进展'}`;
      const command = await t.ok(id, action, { text }, { as: SHIZHENG });
      const revision = 4 + round;
      expect(command.body).toEqual({ id, revision, position: expect.any(String) });

      const view = await t.get(`/api/cases/${id}`);
      expectStatus(view, 200);
      expect(view.body.revision).toBe(revision);
      expect(view.headers.etag).toBe(`"${revision}"`);

      const history = await t.get(`/api/cases/${id}/history`);
      expectStatus(history, 200);
      expect(history.body.events).toHaveLength(revision + 1);
      expect(history.body.events[revision]).toMatchObject({
        revision,
        type: action === 'note' ? 'NoteAdded' : 'ProgressRecorded',
        command: action,
        data: { text },
      });

      const list = await t.get('/api/cases').query({ text: 'GD-RYW-SEQ-0001' });
      expectStatus(list, 200);
      expect(list.body.total).toBe(1);
      expect(list.body.items[0]).toMatchObject({ id, revision, updatedAt: t.clock.iso() });
    }
  });

  it('a read given the position a command answered (minPosition) shows that command; a malformed one is 400', async () => {
    const { body } = await t.intake('petition', petitionBody({ title: '按位置读取' }));
    const noted = await t.ok(body.id, 'note', { text: '按位置读取的备注' });
    const minPosition = noted.body.position as string;
    expect(minPosition).toMatch(/^\d+$/);

    const view = await t.get(`/api/cases/${body.id}`).query({ minPosition });
    expectStatus(view, 200);
    expect(view.body.revision).toBe(noted.body.revision);
    const history = await t.get(`/api/cases/${body.id}/history`).query({ minPosition });
    expectStatus(history, 200);
    expect(history.body.events.at(-1)).toMatchObject({ type: 'NoteAdded', revision: noted.body.revision });
    const list = await t.get('/api/cases').query({ text: '按位置读取', minPosition });
    expectStatus(list, 200);
    expect(list.body.items.map((item: any) => item.revision)).toEqual([noted.body.revision]);

    const bad = await t.get(`/api/cases/${body.id}`).query({ minPosition: 'latest' });
    expectProblem(bad, 400, 'REQUEST.INVALID');
  });

  it('a minPosition past the end of the log is refused at once with 422 naming the head, on every read that takes one', async () => {
    const { body } = await t.intake('petition', petitionBody({ title: '超出日志的位置' }));
    const head = BigInt(body.position as string);
    const beyond = String(head + 10_000_000n);
    for (const path of [`/api/cases/${body.id}`, `/api/cases/${body.id}/history`, '/api/cases']) {
      const res = await t.get(path).query({ minPosition: beyond });
      expectProblem(res, 422, 'REQUEST.POSITION_BEYOND_LOG');
      expect(BigInt(res.body.head as string)).toBeGreaterThanOrEqual(head);
    }
  });

  it(`the three reads sent together right after each of ${ROUNDS} commands all show it`, async () => {
    const id = await hotlineInProgress('GD-RYW-PAR-0001');
    for (let round = 1; round <= ROUNDS; round++) {
      const command = await t.ok(id, 'note', { text: `并行读取 ${round}` }, { as: DESK });
      const revision = 4 + round;
      expect(command.body.revision).toBe(revision);
      const [view, history, list] = await Promise.all([
        t.get(`/api/cases/${id}`),
        t.get(`/api/cases/${id}/history`),
        t.get('/api/cases').query({ text: 'GD-RYW-PAR-0001' }),
      ]);
      expect([view.status, history.status, list.status]).toEqual([200, 200, 200]);
      expect(view.body.revision).toBe(revision);
      expect(history.body.events.at(-1)).toMatchObject({ revision, data: { text: `并行读取 ${round}` } });
      expect(list.body.items[0].revision).toBe(revision);
    }
  });

  it(`each of ${ROUNDS} intakes is viewable, listed and has its history at once`, async () => {
    const before = (await t.list()).total;
    for (let round = 1; round <= ROUNDS; round++) {
      const title = `即时可见登记 ${String(round).padStart(2, '0')}`;
      const intake = await t.intake('petition', petitionBody({ title }));
      const view = await t.get(`/api/cases/${intake.body.id}`);
      expectStatus(view, 200);
      expect(view.body).toMatchObject({ id: intake.body.id, number: intake.body.number, title, status: 'registered', revision: 1 });
      const history = await t.get(`/api/cases/${intake.body.id}/history`);
      expectStatus(history, 200);
      expect(history.body.events.map((e: any) => e.type)).toEqual(['PetitionRegistered', 'DeadlineSet']);
      const list = await t.list({ text: title });
      expect(list.items.map((item: any) => item.number)).toEqual([intake.body.number]);
      expect((await t.list()).total).toBe(before + round);
    }
  });

  it(`status changes are visible at once: ${ROUNDS} tickets dispatched and signed, each read straight after`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const ticketNo = `GD-RYW-ST-${String(round).padStart(4, '0')}`;
      const { body } = await t.intake('hotline', hotlineBody({ platformTicketNo: ticketNo }));
      await t.ok(body.id, 'dispatch', { unit: '市政所' });
      expect((await t.list({ text: ticketNo })).items[0]).toMatchObject({ status: 'dispatched', unit: '市政所', revision: 3 });
      await t.ok(body.id, 'sign', {}, { as: SHIZHENG });
      expect(await t.view(body.id)).toMatchObject({ status: 'in_progress', revision: 4 });
      expect((await t.list({ text: ticketNo, status: 'in_progress' })).total).toBe(1);
    }
  });

  it(`under ${ROUNDS} concurrent writers, each one's next read includes its own write`, async () => {
    const id = await hotlineInProgress('GD-RYW-CONC-0001');
    const chains = Array.from({ length: ROUNDS }, async (_, i) => {
      const command = await t.act(id, 'progress', { text: `并发写入 ${i}` }, { as: SHIZHENG });
      expectStatus(command, 200);
      const history = await t.get(`/api/cases/${id}/history`);
      expectStatus(history, 200);
      const mine = history.body.events.find((event: any) => event.revision === command.body.revision);
      return { revision: command.body.revision, seen: history.body.events.length - 1, mineText: mine?.data.text, text: `并发写入 ${i}` };
    });
    const results = await Promise.all(chains);
    for (const result of results) {
      expect(result.seen).toBeGreaterThanOrEqual(result.revision);
      expect(result.mineText).toBe(result.text);
    }
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: ROUNDS }, (_, i) => 5 + i));
    expect((await t.view(id)).revision).toBe(4 + ROUNDS);
  });
});

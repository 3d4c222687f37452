import { DeadlineScheduler } from '../apps/case-service/src/deadlines/deadline-scheduler';
import { hotlineBody } from './support/bodies';
import { DESK, SUPERVISOR, TestApp, expectStatus, unitUser } from './support/test-app';

/**
 * The 12345 platform's urge (催办) and withdrawal (撤单) recorded by hand over HTTP (the platform
 * told the desk by phone or in writing): the desk may record an urge, a supervisor a withdrawal;
 * and the desk correcting a ticket it typed in (工单更正). The Kafka side is in
 * kafka-tickets.e2e.spec.ts.
 */

const UNIT = '市政所';

describe('urge and withdraw over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });

  afterAll(async () => {
    await t?.stop();
  });

  async function dispatchedTicket(): Promise<string> {
    const caseId: string = (await t.intake('hotline', hotlineBody(), { as: DESK })).body.id;
    await t.ok(caseId, 'dispatch', { unit: UNIT }, { as: DESK });
    return caseId;
  }

  it('the desk records an urge; the view counts it; the unit may not', async () => {
    const caseId = await dispatchedTicket();
    await t.ok(caseId, 'urge', { note: '市民再次来电催促' }, { as: DESK });
    expectStatus(await t.act(caseId, 'urge', {}, { as: unitUser(UNIT) }), 403);
    const view = await t.view(caseId);
    expect(view.status).toBe('dispatched');
    expect(view.urges).toEqual([{ urgedAt: '2026-03-02T01:00:00.000Z', note: '市民再次来电催促' }]);
    const history = await t.history(caseId);
    expect(history.at(-1)).toMatchObject({ type: 'CaseUrged', command: 'urge', actor: { id: DESK.id, role: 'desk' } });
  });

  it('a supervisor withdraws a ticket; the desk may not; a withdrawn ticket is overdue nowhere and takes no more steps', async () => {
    const caseId = await dispatchedTicket();
    expectStatus(await t.act(caseId, 'withdraw', { reason: '平台书面通知撤单' }, { as: DESK }), 403);
    expectStatus(await t.act(caseId, 'withdraw', {}, { as: SUPERVISOR }), 400);
    // Two days on: the sign deadline (30 working minutes to 2 working hours) has passed.
    t.clock.advance({ days: 2 });
    await t.ok(caseId, 'withdraw', { reason: '平台书面通知撤单' }, { as: SUPERVISOR });

    const view = await t.view(caseId);
    expect(view).toMatchObject({ status: 'withdrawn', unit: UNIT, withdrawal: { reason: '平台书面通知撤单' } });
    const sign = view.deadlines.find((deadline: { milestone: string }) => deadline.milestone === 'sign');
    const resolve = view.deadlines.find((deadline: { milestone: string }) => deadline.milestone === 'resolve');
    // The sign deadline was missed before the withdrawal: late, and stays so; the resolve deadline was not due: never counts.
    expect(sign).toMatchObject({ state: 'late' });
    expect(resolve).toMatchObject({ state: 'superseded' });
    expect(sign.overdueHours).toBeUndefined();

    expectStatus(await t.act(caseId, 'sign', {}, { as: unitUser(UNIT) }), 409);
    expectStatus(await t.act(caseId, 'urge', {}, { as: DESK }), 409);

    const overdue = await t.list({ overdue: true });
    expect(overdue.items.map((item: { id: string }) => item.id)).not.toContain(caseId);
    const withdrawn = await t.list({ status: 'withdrawn' });
    expect(withdrawn.items.map((item: { id: string }) => item.id)).toContain(caseId);
    // The scheduler no longer looks at it: nothing more is recorded on it.
    const before = (await t.history(caseId)).length;
    await t.app.get(DeadlineScheduler).runOnce();
    expect(await t.history(caseId)).toHaveLength(before);
  });

  it('the desk corrects a ticket it typed in: the history names the fields, the view shows them, the caller stays sealed', async () => {
    const body = hotlineBody({ category: '城市管理', platformDeadline: '2026-03-09T18:00:00+08:00' });
    const caseId: string = (await t.intake('hotline', body, { as: DESK })).body.id;
    // Typed in again with a typo fixed, the ticket is a conflict: the intake changes no case.
    const conflict = await t.post('/api/hotline-tickets', { ...body, title: '路灯不亮（更正）' }, { as: DESK });
    expectStatus(conflict, 409);
    expect(conflict.body.fields).toEqual(['title']);

    await t.ok(
      caseId,
      'amend-ticket',
      { title: '路灯不亮（更正）', platformDeadline: '2026-03-10T18:00:00+08:00', caller: { phone: '13700001111' }, remove: ['category'] },
      { as: DESK },
    );
    // The same correction again changes nothing and records nothing.
    const revision = (await t.history(caseId)).length;
    await t.ok(caseId, 'amend-ticket', { title: '路灯不亮（更正）' }, { as: DESK });
    expect(await t.history(caseId)).toHaveLength(revision);
    expectStatus(await t.act(caseId, 'amend-ticket', { category: '市政', remove: ['category'] }, { as: DESK }), 422);

    const history = await t.history(caseId);
    expect(history.at(-1)).toMatchObject({
      type: 'HotlineTicketAmended',
      command: 'amend-ticket',
      actor: { id: DESK.id, role: 'desk' },
      data: {
        changed: ['title', 'category', 'platformDeadline', 'caller'],
        title: '路灯不亮（更正）',
        platformDeadline: '2026-03-10T10:00:00.000Z',
      },
    });
    expect(JSON.stringify(history)).not.toContain('13700001111');
    const view = await t.view(caseId);
    expect(view).toMatchObject({ title: '路灯不亮（更正）', platformDeadline: '2026-03-10T10:00:00.000Z' });
    expect(view.category).toBeUndefined();
    // The work queue's row follows too: its text search finds the corrected title.
    expect((await t.list({ text: '路灯不亮（更正）' })).items.map((item: { id: string; title: string }) => [item.id, item.title])).toEqual([
      [caseId, '路灯不亮（更正）'],
    ]);
    expect(view.personal.caller).toMatchObject({ phone: '137****1111' });
    expect(JSON.stringify(view.personal)).not.toContain(body.caller.name.slice(1));

    // The corrected deadline is the one the dispatch gives the unit.
    await t.ok(caseId, 'dispatch', { unit: UNIT }, { as: DESK });
    const resolve = (await t.view(caseId)).deadlines.find((deadline: { milestone: string }) => deadline.milestone === 'resolve');
    expect(resolve).toMatchObject({ dueAt: '2026-03-10T10:00:00.000Z' });
    expectStatus(await t.act(caseId, 'amend-ticket', { title: '再改' }, { as: unitUser(UNIT) }), 403);
  });
});

/**
 * SPEC §2, the closed loop (闭环), end to end through the real HTTP stack, SQLite event store and
 * read models: each kind of case from intake to closed, every step checked in the view (status,
 * unit, deadlines and their states, masked personal data) and in the history (who, when, which
 * command, why). Time is a hand-moved clock, so every deadline is known in advance
 * (SPEC §3's default policy over the 2026 China business calendar; March 2026 has no holiday).
 */
import { ADMIN, DESK, SUPERVISOR, TestApp, expectProblem, typesOf, unitUser } from './support/test-app';
import { disputeBody, expectNoFullPersonalData, hotlineBody, petitionBody } from './support/bodies';
import { expectHistory, step } from './support/history';
import { utc } from './support/test-clock';

const XIAOZHAI = unitUser('小寨社区', 'unit-xiaozhai-1');
const SHIZHENG = unitUser('市政所', 'unit-shizheng-1');
const MEDIATION = unitUser('大雁塔社区人民调解委员会', 'unit-tiaojie-1');
const OTHER_UNIT = unitUser('曲江社区', 'unit-qujiang-1');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('closed loop (SPEC §2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Moves the clock to a Shanghai wall-clock time and returns it as the service writes it. */
  function at(shanghai: string): string {
    return t.clock.set(`${shanghai}+08:00`).toISOString();
  }

  /** A list, a view and a history of the case: none may carry a full personal value (SPEC §7). */
  async function expectMaskedEverywhere(caseId: string): Promise<void> {
    const list = await t.get('/api/cases').query({ pageSize: 100 });
    const view = await t.get(`/api/cases/${caseId}`);
    const history = await t.get(`/api/cases/${caseId}/history`);
    for (const res of [list, view, history]) {
      expect(res.status).toBe(200);
      expectNoFullPersonalData(res.body);
    }
  }

  async function listed(caseId: string): Promise<any> {
    const page = await t.list({ pageSize: 100 });
    return page.items.find((item: any) => item.id === caseId);
  }

  /** A petition taken to in_progress at 小寨社区: intake 09:00, accept 09:10, dispatch 09:20, sign 09:30 on 2026-03-02. */
  async function petitionInProgress(): Promise<string> {
    at('2026-03-02T09:00:00');
    const { body } = await t.intake('petition', petitionBody());
    at('2026-03-02T09:10:00');
    await t.ok(body.id, 'accept', {}, { as: DESK });
    at('2026-03-02T09:20:00');
    await t.ok(body.id, 'dispatch', { unit: '小寨社区' }, { as: DESK });
    at('2026-03-02T09:30:00');
    await t.ok(body.id, 'sign', {}, { as: XIAOZHAI });
    return body.id;
  }

  describe('petition (信访事项)', () => {
    it('goes intake → accept → dispatch → sign → progress → resolve → review → closed, each step in view and history', async () => {
      // Intake: registered, the acceptance decision due in 15 calendar days.
      const t0 = at('2026-03-02T09:00:00');
      const intake = await t.intake('petition', petitionBody(), { as: DESK });
      expect(intake.body).toEqual({
        id: expect.stringMatching(UUID),
        number: expect.stringMatching(/^XF2026-\d{4}$/),
        revision: 1,
        position: expect.any(String),
      });
      expect(intake.headers.location).toBe(`/api/cases/${intake.body.id}`);
      const id: string = intake.body.id;

      let view = await t.view(id);
      expect(view).toMatchObject({
        id,
        number: intake.body.number,
        kind: 'petition',
        status: 'registered',
        title: '小区楼道堆放杂物',
        community: '小寨社区',
        category: '城市管理',
        channel: 'visit',
        registeredAt: t0,
        revision: 1,
      });
      expect(view).not.toHaveProperty('unit');
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', state: 'pending', version: 1, remainingHours: 360 },
      ]);
      expect(view.personal).toEqual({
        petitioner: {
          personId: expect.any(String),
          name: '张*',
          phone: '138****1234',
          idNumber: '**************1234',
          address: '雁塔区小*****',
        },
      });

      // Accept (受理): acceptance met; the 60-day reply clock starts (due 1 May, a holiday, not moved by default).
      const t1 = at('2026-03-02T10:00:00');
      const accepted = await t.ok(id, 'accept', { note: '符合受理条件' }, { as: DESK });
      expect(accepted.body).toEqual({ id, revision: 3, position: expect.any(String) });
      expect(accepted.headers.etag).toBe('"3"');
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'accepted', revision: 3 });
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', reachedAt: t1, state: 'met', version: 1 },
        { milestone: 'reply', dueAt: '2026-05-01T02:00:00.000Z', state: 'pending', version: 1, remainingHours: 1440 },
      ]);

      // Dispatch (交办) to the community.
      const t2 = at('2026-03-02T10:30:00');
      await t.ok(id, 'dispatch', { unit: '小寨社区', instructions: '请于5个工作日内核实处理' }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'dispatched', unit: '小寨社区', dispatchedAt: t2, revision: 4 });

      // Sign (签收) by the unit.
      const t3 = at('2026-03-02T11:00:00');
      await t.ok(id, 'sign', {}, { as: XIAOZHAI });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'in_progress', unit: '小寨社区', revision: 5 });

      // Progress (办理进展): no status change.
      const t4 = at('2026-03-02T14:00:00');
      await t.ok(id, 'progress', { text: '已现场核实，正在协调物业清理' }, { as: XIAOZHAI });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'in_progress', revision: 6 });

      // Resolve (办结答复): the reply milestone is met.
      const t5 = at('2026-03-03T10:00:00');
      await t.ok(id, 'resolve', { outcome: 'supported', reply: '经核实，已协调物业于3月3日清理完毕。' }, { as: XIAOZHAI });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'resolved',
        unit: '小寨社区',
        revision: 7,
        resolution: { kind: 'petition', outcome: 'supported', reply: '经核实，已协调物业于3月3日清理完毕。', resolvedAt: t5 },
      });
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', reachedAt: t1, state: 'met', version: 1 },
        { milestone: 'reply', dueAt: '2026-05-01T02:00:00.000Z', reachedAt: t5, state: 'met', version: 1 },
      ]);

      // Review (回访) closes it.
      const t6 = at('2026-03-05T10:00:00');
      const reviewed = await t.ok(id, 'review', { note: '回访群众表示满意' }, { as: DESK });
      expect(reviewed.body).toEqual({ id, revision: 9, position: expect.any(String) });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'closed',
        closedAt: t6,
        revision: 9,
        reviews: [{ note: '回访群众表示满意', reviewedAt: t6 }],
      });
      expect(view.deadlines.map((d: any) => d.state)).toEqual(['met', 'met']);
      expect(view.personal.petitioner).toEqual({
        personId: expect.any(String),
        name: '张*',
        phone: '138****1234',
        idNumber: '**************1234',
        address: '雁塔区小*****',
      });

      const history = await t.history(id);
      expectHistory(history, [
        step('PetitionRegistered', 'intake', DESK, t0),
        step('DeadlineSet', 'intake', DESK, t0),
        step('CaseAccepted', 'accept', DESK, t1),
        step('DeadlineSet', 'accept', DESK, t1),
        step('CaseDispatched', 'dispatch', DESK, t2),
        step('CaseSigned', 'sign', XIAOZHAI, t3),
        step('ProgressRecorded', 'progress', XIAOZHAI, t4),
        step('CaseResolved', 'resolve', XIAOZHAI, t5),
        step('CaseReviewed', 'review', DESK, t6),
        step('CaseClosed', 'review', DESK, t6),
      ]);
      expect(history[1].data).toEqual({
        milestone: 'acceptance',
        version: 1,
        startedAt: t0,
        dueAt: '2026-03-17T01:00:00.000Z',
        provisional: false,
        cause: 'started',
      });
      expect(history[4].data).toEqual({ unit: '小寨社区', instructions: '请于5个工作日内核实处理' });
      expect(history[6].data).toEqual({ text: '已现场核实，正在协调物业清理' });
      expect(history[9].data).toEqual({ by: 'review' });

      expect(await listed(id)).toMatchObject({
        id,
        number: intake.body.number,
        kind: 'petition',
        status: 'closed',
        unit: '小寨社区',
        revision: 9,
        nextDeadline: null,
        overdue: false,
      });
      await expectMaskedEverywhere(id);
    });

    it('is rejected (不予受理) with a reason and the body it is referred to, which ends it', async () => {
      const t0 = at('2026-03-02T09:00:00');
      const { body } = await t.intake('petition', petitionBody({ title: '要求撤销法院判决' }), { as: DESK });
      const t1 = at('2026-03-02T09:30:00');
      const rejected = await t.ok(
        body.id,
        'reject',
        { reason: '已经或者依法应当通过诉讼途径解决', referredTo: '雁塔区人民法院' },
        { as: DESK },
      );
      expect(rejected.body).toEqual({ id: body.id, revision: 2, position: expect.any(String) });

      const view = await t.view(body.id);
      expect(view).toMatchObject({
        status: 'rejected',
        revision: 2,
        rejection: { reason: '已经或者依法应当通过诉讼途径解决', referredTo: '雁塔区人民法院', rejectedAt: t1 },
      });
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', reachedAt: t1, state: 'met', version: 1 },
      ]);
      const history = await t.history(body.id);
      expectHistory(history, [
        step('PetitionRegistered', 'intake', DESK, t0),
        step('DeadlineSet', 'intake', DESK, t0),
        step('CaseRejected', 'reject', DESK, t1, { reason: '已经或者依法应当通过诉讼途径解决' }),
      ]);
      expect(history[2].data).toEqual({ reason: '已经或者依法应当通过诉讼途径解决', referredTo: '雁塔区人民法院' });

      // Rejected is terminal: neither a lifecycle step nor an overlay is accepted, and nothing is written.
      at('2026-03-02T10:00:00');
      const accept = await t.act(body.id, 'accept', {}, { as: DESK });
      expect(expectProblem(accept, 409, 'CASE.ILLEGAL_TRANSITION').detail).toBe(
        "Command 'accept' is not allowed when the case is 'rejected'",
      );
      const note = await t.act(body.id, 'note', { text: '补充材料' }, { as: DESK });
      expect(expectProblem(note, 409, 'CASE.ILLEGAL_TRANSITION').detail).toBe("Command 'note' is not allowed when the case is 'rejected'");
      expect(await t.history(body.id)).toHaveLength(3);
      expect(await listed(body.id)).toMatchObject({ status: 'rejected', revision: 2, nextDeadline: null });
      await expectMaskedEverywhere(body.id);
    });

    it('is re-examined (复查) after the reply: request → decide → closed, inside the 30-day window', async () => {
      const id = await petitionInProgress();
      const replied = at('2026-03-03T10:00:00');
      await t.ok(id, 'resolve', { outcome: 'explained', reply: '依据政策作出解释说明。' }, { as: XIAOZHAI });
      const reviewedAt = at('2026-03-04T10:00:00');
      await t.ok(id, 'review', {}, { as: DESK });
      expect((await t.view(id)).status).toBe('closed');

      // Request (复查申请) a week later: the 30-day re-examination clock starts.
      const requested = at('2026-03-10T10:00:00');
      const request = await t.ok(id, 'request-reexamination', { reason: '对答复意见不服' }, { as: DESK });
      expect(request.body).toEqual({ id, revision: 10, position: expect.any(String) });
      let view = await t.view(id);
      expect(view).toMatchObject({
        status: 'reexamination',
        revision: 10,
        reexamination: { reason: '对答复意见不服', requestedAt: requested },
      });
      expect(view).not.toHaveProperty('closedAt');
      expect(view.deadlines.find((d: any) => d.milestone === 'reexamination')).toEqual({
        milestone: 'reexamination',
        dueAt: '2026-04-09T02:00:00.000Z',
        state: 'pending',
        version: 1,
        remainingHours: 720,
      });
      expect((await listed(id)).status).toBe('reexamination');

      // Decision (复查意见) by a supervisor: upheld, and the case is closed again.
      const decided = at('2026-03-20T10:00:00');
      await t.ok(id, 'decide-reexamination', { decision: 'upheld', opinion: '原处理意见事实清楚，予以维持。' }, { as: SUPERVISOR });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'closed',
        closedAt: decided,
        revision: 12,
        reexamination: {
          reason: '对答复意见不服',
          requestedAt: requested,
          decision: { decision: 'upheld', opinion: '原处理意见事实清楚，予以维持。', decidedAt: decided },
        },
      });
      expect(view.deadlines.find((d: any) => d.milestone === 'reexamination')).toEqual({
        milestone: 'reexamination',
        dueAt: '2026-04-09T02:00:00.000Z',
        reachedAt: decided,
        state: 'met',
        version: 1,
      });

      const history = await t.history(id);
      expect(typesOf(history)).toEqual([
        'PetitionRegistered',
        'DeadlineSet',
        'CaseAccepted',
        'DeadlineSet',
        'CaseDispatched',
        'CaseSigned',
        'CaseResolved',
        'CaseReviewed',
        'CaseClosed',
        'ReexaminationRequested',
        'DeadlineSet',
        'ReexaminationDecided',
        'CaseClosed',
      ]);
      expect(history.slice(6).map((e: any) => [e.command, e.actor.id, e.occurredAt, e.reason ?? null])).toEqual([
        ['resolve', XIAOZHAI.id, replied, null],
        ['review', DESK.id, reviewedAt, null],
        ['review', DESK.id, reviewedAt, null],
        ['request-reexamination', DESK.id, requested, '对答复意见不服'],
        ['request-reexamination', DESK.id, requested, null],
        ['decide-reexamination', SUPERVISOR.id, decided, null],
        ['decide-reexamination', SUPERVISOR.id, decided, null],
      ]);
      expect(history[11].data).toEqual({ decision: 'upheld', opinion: '原处理意见事实清楚，予以维持。' });
      expect(history[12].data).toEqual({ by: 'reexamination' });

      // Only one re-examination per case.
      at('2026-03-21T10:00:00');
      const again = await t.act(id, 'request-reexamination', { reason: '仍然不服' }, { as: DESK });
      expectProblem(again, 422, 'CASE.INVALID_COMMAND');
      expect(await t.history(id)).toHaveLength(13);
      await expectMaskedEverywhere(id);
    });

    it('refuses a re-examination asked for after the 30-day window (422) and writes nothing', async () => {
      const id = await petitionInProgress();
      at('2026-03-03T10:00:00');
      await t.ok(id, 'resolve', { outcome: 'not-supported', reply: '诉求缺乏政策依据。' }, { as: XIAOZHAI });
      at('2026-03-04T10:00:00');
      await t.ok(id, 'review', {}, { as: DESK });
      at('2026-04-02T10:00:01'); // reply + 30 days + 1 second
      const late = await t.act(id, 'request-reexamination', { reason: '对答复意见不服' }, { as: DESK });
      expect(expectProblem(late, 422, 'CASE.INVALID_COMMAND')).toMatchObject({ windowEnd: '2026-04-02T02:00:00.000Z' });
      expect(await t.history(id)).toHaveLength(9);
      expect((await t.view(id)).status).toBe('closed');
    });

    it('links a repeat petition (重复信访) to the original case', async () => {
      at('2026-03-02T09:00:00');
      const original = (await t.intake('petition', petitionBody())).body;
      at('2026-03-09T09:00:00');
      const repeat = (await t.intake('petition', petitionBody({ channel: 'phone' }))).body;
      const linkedAt = at('2026-03-09T09:05:00');
      const linked = await t.ok(repeat.id, 'link', { targetId: original.id, relation: 'repeat-of' }, { as: DESK });
      expect(linked.body).toEqual({ id: repeat.id, revision: 2, position: expect.any(String) });

      const view = await t.view(repeat.id);
      expect(view.links).toEqual([{ targetId: original.id, relation: 'repeat-of' }]);
      expect(view.status).toBe('registered');
      const history = await t.history(repeat.id);
      expect(history[2]).toMatchObject({
        type: 'CaseLinked',
        command: 'link',
        actor: { id: DESK.id, role: 'desk' },
        occurredAt: linkedAt,
        recordedAt: linkedAt,
        data: { targetId: original.id, relation: 'repeat-of' },
      });

      // Linking the same pair again is a double click: answered, nothing new written.
      const again = await t.ok(repeat.id, 'link', { targetId: original.id, relation: 'repeat-of' }, { as: DESK });
      expect(again.body).toEqual({ id: repeat.id, revision: 2, position: expect.any(String) });
      expect(await t.history(repeat.id)).toHaveLength(3);

      // A case cannot be its own repeat.
      const self = await t.act(repeat.id, 'link', { targetId: repeat.id, relation: 'repeat-of' }, { as: DESK });
      expectProblem(self, 422, 'CASE.INVALID_COMMAND');
      expect(await t.history(repeat.id)).toHaveLength(3);
    });

    it('refuses to link a petition to a case that does not exist, and writes nothing', async () => {
      at('2026-03-02T09:00:00');
      const repeat = (await t.intake('petition', petitionBody())).body;
      const res = await t.act(repeat.id, 'link', { targetId: '00000000-0000-4000-8000-00000000dead', relation: 'repeat-of' }, { as: DESK });
      expect([404, 422]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await t.history(repeat.id)).toHaveLength(2);
      expect((await t.view(repeat.id)).links).toEqual([]);
    });
  });

  describe('hotline ticket (12345 工单)', () => {
    it('goes dispatch → sign (late) → resolve → unsatisfied review (stays resolved) → reopen → resolve → satisfied review → closed', async () => {
      // Intake: the platform has already accepted the ticket.
      const t0 = at('2026-03-02T09:00:00');
      const ticket = hotlineBody({ platformTicketNo: 'GD2026030212345001', caller: { name: '李四', phone: '13912345678' } });
      const intake = await t.intake('hotline', ticket, { as: DESK });
      expect(intake.body).toEqual({
        id: expect.stringMatching(UUID),
        number: expect.stringMatching(/^RX2026-\d{4}$/),
        revision: 0,
        position: expect.any(String),
      });
      const id: string = intake.body.id;
      let view = await t.view(id);
      expect(view).toMatchObject({
        kind: 'hotline',
        status: 'accepted',
        urgency: 'normal',
        platformTicketNo: 'GD2026030212345001',
        revision: 0,
        deadlines: [],
      });
      expect(view.personal).toEqual({ caller: { personId: expect.any(String), name: '李*', phone: '139****5678' } });

      // Dispatch (派单) at 09:30: sign due in 2 working hours (11:30), resolve in 5 working days (Mon 9 March 18:00).
      const t1 = at('2026-03-02T09:30:00');
      await t.ok(id, 'dispatch', { unit: '市政所' }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'dispatched', unit: '市政所', revision: 3 });
      expect(view.deadlines).toEqual([
        { milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z', state: 'pending', version: 1, remainingHours: 2 },
        { milestone: 'resolve', dueAt: '2026-03-09T10:00:00.000Z', state: 'pending', version: 1, remainingHours: 176.5 },
      ]);

      // At 12:00 nobody has signed: the sign milestone is overdue, in the view and in the list.
      at('2026-03-02T12:00:00');
      view = await t.view(id);
      expect(view.deadlines[0]).toEqual({
        milestone: 'sign',
        dueAt: '2026-03-02T03:30:00.000Z',
        state: 'overdue',
        version: 1,
        overdueHours: 0.5,
      });
      expect(await listed(id)).toMatchObject({ overdue: true, nextDeadline: { milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z' } });
      expect((await t.list({ overdue: true, kind: 'hotline', pageSize: 100 })).items.map((i: any) => i.id)).toContain(id);

      // Sign at 12:00: late.
      const t2 = at('2026-03-02T12:00:00');
      await t.ok(id, 'sign', {}, { as: SHIZHENG });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'in_progress', revision: 4 });
      expect(view.deadlines[0]).toEqual({ milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z', reachedAt: t2, state: 'late', version: 1 });
      expect(await listed(id)).toMatchObject({ overdue: false, nextDeadline: { milestone: 'resolve', dueAt: '2026-03-09T10:00:00.000Z' } });

      // Resolve (办结) next morning: resolve met, the call-back due in 2 working days (Thu 5 March 18:00).
      const t3 = at('2026-03-03T10:00:00');
      await t.ok(id, 'resolve', { reply: '已更换路灯灯泡，恢复照明。' }, { as: SHIZHENG });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'resolved',
        revision: 6,
        resolution: { kind: 'hotline', reply: '已更换路灯灯泡，恢复照明。', resolvedAt: t3 },
      });
      expect(view.deadlines).toEqual([
        { milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z', reachedAt: t2, state: 'late', version: 1 },
        { milestone: 'resolve', dueAt: '2026-03-09T10:00:00.000Z', reachedAt: t3, state: 'met', version: 1 },
        { milestone: 'callback', dueAt: '2026-03-05T10:00:00.000Z', state: 'pending', version: 1, remainingHours: 56 },
      ]);

      // Call-back (回访): unsatisfied and unsolved, so the ticket stays resolved.
      const t4 = at('2026-03-03T15:00:00');
      await t.ok(id, 'review', { satisfaction: 'unsatisfied', solved: false, note: '群众反映仍有一盏路灯不亮' }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'resolved',
        revision: 7,
        reviews: [{ satisfaction: 'unsatisfied', solved: false, note: '群众反映仍有一盏路灯不亮', reviewedAt: t4 }],
      });
      expect(view.deadlines[2]).toEqual({
        milestone: 'callback',
        dueAt: '2026-03-05T10:00:00.000Z',
        reachedAt: t4,
        state: 'met',
        version: 1,
      });
      expect((await t.list({ status: 'resolved', pageSize: 100 })).items.map((i: any) => i.id)).toContain(id);

      // Reopen (重办): back to in_progress at the same unit with a fresh resolve deadline (Tue 10 March 18:00).
      const t5 = at('2026-03-03T16:00:00');
      await t.ok(id, 'reopen', { reason: '回访不满意，问题未解决' }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'in_progress', unit: '市政所', revision: 9 });
      expect(view).not.toHaveProperty('resolution');
      expect(view.deadlines[1]).toEqual({
        milestone: 'resolve',
        dueAt: '2026-03-10T10:00:00.000Z',
        state: 'pending',
        version: 2,
        remainingHours: 170,
      });

      // Resolve again: the new resolve deadline is met, a new call-back deadline (Fri 6 March 18:00) starts.
      const t6 = at('2026-03-04T10:00:00');
      await t.ok(id, 'resolve', { reply: '已全部更换，经夜间复查全部正常。' }, { as: SHIZHENG });
      view = await t.view(id);
      expect(view.deadlines).toEqual([
        { milestone: 'sign', dueAt: '2026-03-02T03:30:00.000Z', reachedAt: t2, state: 'late', version: 1 },
        { milestone: 'resolve', dueAt: '2026-03-10T10:00:00.000Z', reachedAt: t6, state: 'met', version: 2 },
        { milestone: 'callback', dueAt: '2026-03-06T10:00:00.000Z', state: 'pending', version: 2, remainingHours: 56 },
      ]);

      // Satisfied call-back closes it.
      const t7 = at('2026-03-04T11:00:00');
      await t.ok(id, 'review', { satisfaction: 'satisfied', solved: true }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'closed', closedAt: t7, revision: 13 });
      expect(view.reviews).toEqual([
        { satisfaction: 'unsatisfied', solved: false, note: '群众反映仍有一盏路灯不亮', reviewedAt: t4 },
        { satisfaction: 'satisfied', solved: true, reviewedAt: t7 },
      ]);
      expect(view.deadlines[2]).toEqual({
        milestone: 'callback',
        dueAt: '2026-03-06T10:00:00.000Z',
        reachedAt: t7,
        state: 'met',
        version: 2,
      });
      expect(view.personal).toEqual({ caller: { personId: expect.any(String), name: '李*', phone: '139****5678' } });

      const history = await t.history(id);
      expectHistory(history, [
        step('HotlineTicketReceived', 'intake', DESK, t0),
        step('CaseDispatched', 'dispatch', DESK, t1),
        step('DeadlineSet', 'dispatch', DESK, t1),
        step('DeadlineSet', 'dispatch', DESK, t1),
        step('CaseSigned', 'sign', SHIZHENG, t2),
        step('CaseResolved', 'resolve', SHIZHENG, t3),
        step('DeadlineSet', 'resolve', SHIZHENG, t3),
        step('CaseReviewed', 'review', DESK, t4),
        step('CaseReopened', 'reopen', DESK, t5, { reason: '回访不满意，问题未解决' }),
        step('DeadlineSet', 'reopen', DESK, t5),
        step('CaseResolved', 'resolve', SHIZHENG, t6),
        step('DeadlineSet', 'resolve', SHIZHENG, t6),
        step('CaseReviewed', 'review', DESK, t7),
        step('CaseClosed', 'review', DESK, t7),
      ]);
      expect(history[0].data).toMatchObject({ platformTicketNo: 'GD2026030212345001', urgency: 'normal', number: intake.body.number });
      expect(history[9].data).toEqual({
        milestone: 'resolve',
        version: 2,
        startedAt: t5,
        dueAt: '2026-03-10T10:00:00.000Z',
        provisional: false,
        cause: 'restarted',
      });
      expect(history[7].data).toEqual({ satisfaction: 'unsatisfied', solved: false, note: '群众反映仍有一盏路灯不亮' });

      expect(await listed(id)).toMatchObject({
        kind: 'hotline',
        status: 'closed',
        unit: '市政所',
        platformTicketNo: 'GD2026030212345001',
        revision: 13,
      });
      await expectMaskedEverywhere(id);
    });
  });

  describe('hotline deadlines on the China business calendar', () => {
    it('counts working hours and days across the May Day holiday and its make-up Saturday', async () => {
      at('2026-04-30T16:00:00');
      const { body } = await t.intake('hotline', hotlineBody(), { as: DESK });
      // Thursday 30 April 17:00: one working hour left that day, then 1–5 May off; 9 May (Saturday) is a make-up working day.
      at('2026-04-30T17:00:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      const view = await t.view(body.id);
      expect(view.deadlines).toEqual([
        { milestone: 'sign', dueAt: utc('2026-05-06T10:00:00+08:00'), state: 'pending', version: 1, remainingHours: 137 },
        { milestone: 'resolve', dueAt: utc('2026-05-11T18:00:00+08:00'), state: 'pending', version: 1, remainingHours: 265 },
      ]);
    });

    it('an urgent ticket must be signed within 30 working minutes and resolved the same working day', async () => {
      at('2026-03-02T11:30:00');
      const { body } = await t.intake('hotline', hotlineBody({ urgency: 'urgent' }), { as: DESK });
      at('2026-03-02T11:45:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      const view = await t.view(body.id);
      expect(view.urgency).toBe('urgent');
      // 15 minutes before lunch, 15 after.
      expect(view.deadlines).toEqual([
        { milestone: 'sign', dueAt: utc('2026-03-02T14:15:00+08:00'), state: 'pending', version: 1, remainingHours: 2.5 },
        { milestone: 'resolve', dueAt: utc('2026-03-02T18:00:00+08:00'), state: 'pending', version: 1, remainingHours: 6.25 },
      ]);
    });

    it("the platform's deadline, when it gives one, is the resolve deadline", async () => {
      at('2026-03-02T09:00:00');
      const { body } = await t.intake('hotline', hotlineBody({ platformDeadline: '2026-03-06T18:00:00+08:00' }), { as: DESK });
      expect((await t.view(body.id)).platformDeadline).toBe(utc('2026-03-06T18:00:00+08:00'));
      at('2026-03-02T10:00:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      expect((await t.view(body.id)).deadlines[1]).toEqual({
        milestone: 'resolve',
        dueAt: utc('2026-03-06T18:00:00+08:00'),
        state: 'pending',
        version: 1,
        remainingHours: 104,
      });
    });
  });

  describe('return (退单)', () => {
    it('a unit returns a petition with a reason; it goes back to accepted without a unit and is dispatched again', async () => {
      at('2026-03-02T09:00:00');
      const { body } = await t.intake('petition', petitionBody(), { as: DESK });
      at('2026-03-02T09:10:00');
      await t.ok(body.id, 'accept', {}, { as: DESK });
      at('2026-03-02T09:20:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      const returnedAt = at('2026-03-03T10:00:00');
      await t.ok(body.id, 'return', { reason: '不属于本单位职责范围' }, { as: SHIZHENG });
      let view = await t.view(body.id);
      expect(view).toMatchObject({ status: 'accepted', revision: 5 });
      expect(view).not.toHaveProperty('unit');
      expect(view).not.toHaveProperty('dispatchedAt');
      expect((await t.history(body.id))[5]).toMatchObject({
        type: 'CaseReturned',
        command: 'return',
        actor: { id: SHIZHENG.id, role: 'unit', unit: '市政所' },
        occurredAt: returnedAt,
        reason: '不属于本单位职责范围',
        data: { unit: '市政所', reason: '不属于本单位职责范围' },
      });

      // The former unit can no longer act on it; the new one signs.
      at('2026-03-03T11:00:00');
      await t.ok(body.id, 'dispatch', { unit: '小寨社区' }, { as: DESK });
      const stale = await t.act(body.id, 'sign', {}, { as: SHIZHENG });
      expectProblem(stale, 403, 'CASE.FORBIDDEN');
      await t.ok(body.id, 'sign', {}, { as: XIAOZHAI });
      view = await t.view(body.id);
      expect(view).toMatchObject({ status: 'in_progress', unit: '小寨社区', revision: 7 });
    });

    it('a hotline ticket can be returned only within 2 working days of the dispatch (422 after, nothing written)', async () => {
      at('2026-03-02T09:00:00');
      const { body } = await t.intake('hotline', hotlineBody(), { as: DESK });
      at('2026-03-02T09:30:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      at('2026-03-02T10:00:00');
      await t.ok(body.id, 'sign', {}, { as: SHIZHENG });
      // The window ends when office hours end on Wednesday 4 March.
      at('2026-03-04T18:00:01');
      const late = await t.act(body.id, 'return', { reason: '不属于本单位职责范围' }, { as: SHIZHENG });
      expect(expectProblem(late, 422, 'CASE.INVALID_COMMAND')).toMatchObject({ windowEnd: utc('2026-03-04T18:00:00+08:00') });
      expect(await t.history(body.id)).toHaveLength(5);
      expect(await t.view(body.id)).toMatchObject({ status: 'in_progress', unit: '市政所' });
    });
  });

  describe('dispute (矛盾纠纷)', () => {
    it('goes accept → dispatch → sign → mediated with an agreement → follow-up review → closed', async () => {
      const t0 = at('2026-03-02T09:00:00');
      const intake = await t.intake('dispute', disputeBody(), { as: DESK });
      expect(intake.body).toEqual({
        id: expect.stringMatching(UUID),
        number: expect.stringMatching(/^JF2026-\d{4}$/),
        revision: 0,
        position: expect.any(String),
      });
      const id: string = intake.body.id;
      let view = await t.view(id);
      expect(view).toMatchObject({
        kind: 'dispute',
        status: 'registered',
        source: 'screening',
        community: '大雁塔社区',
        revision: 0,
        deadlines: [],
      });
      expect(view.personal).toEqual({
        parties: [
          { personId: expect.any(String), name: '王*', phone: '137****5678', role: '申请人' },
          { personId: expect.any(String), name: '赵*', role: '被申请人' },
        ],
      });

      // Accept: the 30-day mediation clock starts.
      const t1 = at('2026-03-02T10:00:00');
      await t.ok(id, 'accept', {}, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({ status: 'accepted', revision: 2 });
      expect(view.deadlines).toEqual([
        { milestone: 'mediation', dueAt: '2026-04-01T02:00:00.000Z', state: 'pending', version: 1, remainingHours: 720 },
      ]);

      const t2 = at('2026-03-02T10:30:00');
      await t.ok(id, 'dispatch', { unit: '大雁塔社区人民调解委员会' }, { as: DESK });
      expect(await t.view(id)).toMatchObject({ status: 'dispatched', unit: '大雁塔社区人民调解委员会', revision: 3 });
      const t3 = at('2026-03-02T11:00:00');
      await t.ok(id, 'sign', {}, { as: MEDIATION });
      expect(await t.view(id)).toMatchObject({ status: 'in_progress', revision: 4 });

      // Mediated (调解成功) with the agreement's terms.
      const t4 = at('2026-03-10T10:00:00');
      const agreement = '双方同意由601业主于3月底前修复漏水管道并赔偿损失2000元。';
      await t.ok(id, 'resolve', { outcome: 'mediated', mediationType: 'people', agreement }, { as: MEDIATION });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'resolved',
        revision: 5,
        resolution: { kind: 'dispute', outcome: 'mediated', mediationType: 'people', agreement, resolvedAt: t4 },
      });
      expect(view.deadlines).toEqual([
        { milestone: 'mediation', dueAt: '2026-04-01T02:00:00.000Z', reachedAt: t4, state: 'met', version: 1 },
      ]);

      // Follow-up visit (回访) closes it.
      const t5 = at('2026-03-17T10:00:00');
      await t.ok(id, 'review', { note: '回访双方均已履行协议' }, { as: DESK });
      view = await t.view(id);
      expect(view).toMatchObject({
        status: 'closed',
        closedAt: t5,
        revision: 7,
        reviews: [{ note: '回访双方均已履行协议', reviewedAt: t5 }],
      });

      const history = await t.history(id);
      expectHistory(history, [
        step('DisputeRegistered', 'intake', DESK, t0),
        step('CaseAccepted', 'accept', DESK, t1),
        step('DeadlineSet', 'accept', DESK, t1),
        step('CaseDispatched', 'dispatch', DESK, t2),
        step('CaseSigned', 'sign', MEDIATION, t3),
        step('CaseResolved', 'resolve', MEDIATION, t4),
        step('CaseReviewed', 'review', DESK, t5),
        step('CaseClosed', 'review', DESK, t5),
      ]);
      expect(history[5].data).toEqual({ kind: 'dispute', outcome: 'mediated', mediationType: 'people', agreement });
      expect(await listed(id)).toMatchObject({ kind: 'dispute', status: 'closed', unit: '大雁塔社区人民调解委员会', revision: 7 });
      await expectMaskedEverywhere(id);
    });

    it('fails mediation (调解不成功) with a referral, then is closed with a note', async () => {
      at('2026-03-02T09:00:00');
      const { body } = await t.intake('dispute', disputeBody({ title: '宅基地边界纠纷', source: 'grid' }), { as: DESK });
      at('2026-03-02T09:10:00');
      await t.ok(body.id, 'accept', {}, { as: DESK });
      at('2026-03-02T09:20:00');
      await t.ok(body.id, 'dispatch', { unit: '大雁塔社区人民调解委员会' }, { as: DESK });
      at('2026-03-02T09:30:00');
      await t.ok(body.id, 'sign', {}, { as: MEDIATION });
      const failedAt = at('2026-03-20T10:00:00');
      await t.ok(
        body.id,
        'resolve',
        { outcome: 'failed', mediationType: 'administrative', referral: '引导当事人向雁塔区人民法院提起诉讼' },
        { as: MEDIATION },
      );
      let view = await t.view(body.id);
      expect(view).toMatchObject({
        status: 'resolved',
        resolution: {
          kind: 'dispute',
          outcome: 'failed',
          mediationType: 'administrative',
          referral: '引导当事人向雁塔区人民法院提起诉讼',
          resolvedAt: failedAt,
        },
      });

      const closedAt = at('2026-03-21T10:00:00');
      const closed = await t.ok(body.id, 'close', { note: '已引导诉讼，结案' }, { as: DESK });
      expect(closed.body).toEqual({ id: body.id, revision: 6, position: expect.any(String) });
      view = await t.view(body.id);
      expect(view).toMatchObject({ status: 'closed', closedAt, revision: 6, reviews: [] });
      const history = await t.history(body.id);
      expect(typesOf(history)).toEqual([
        'DisputeRegistered',
        'CaseAccepted',
        'DeadlineSet',
        'CaseDispatched',
        'CaseSigned',
        'CaseResolved',
        'CaseClosed',
      ]);
      expect(history[6]).toMatchObject({
        command: 'close',
        actor: { id: DESK.id, role: 'desk' },
        occurredAt: closedAt,
        recordedAt: closedAt,
        data: { note: '已引导诉讼，结案', by: 'close' },
      });
      expect(history[5].data).toEqual({
        kind: 'dispute',
        outcome: 'failed',
        mediationType: 'administrative',
        referral: '引导当事人向雁塔区人民法院提起诉讼',
      });
      await expectMaskedEverywhere(body.id);
    });
  });

  describe('overlays: supervision (督办) and extensions (延期)', () => {
    it('a supervisor issues a supervision order and the handling unit answers it; a desk officer may not issue one', async () => {
      const id = await petitionInProgress();
      const before = await t.history(id);

      at('2026-03-03T09:00:00');
      const byDesk = await t.act(id, 'supervise', { instruction: '请于本周内办结并报送结果' }, { as: DESK });
      expect(expectProblem(byDesk, 403, 'CASE.FORBIDDEN')).toMatchObject({ command: 'supervise', role: 'desk' });
      expect(await t.history(id)).toHaveLength(before.length);

      const issuedAt = at('2026-03-03T09:05:00');
      const issued = await t.ok(
        id,
        'supervise',
        { instruction: '请于本周内办结并报送结果', dueAt: '2026-03-06T18:00:00+08:00' },
        { as: SUPERVISOR },
      );
      expect(issued.body).toEqual({ id, revision: before.length, position: expect.any(String) });
      let view = await t.view(id);
      expect(view.status).toBe('in_progress');
      expect(view.supervisions).toEqual([
        {
          supervisionId: expect.stringMatching(UUID),
          instruction: '请于本周内办结并报送结果',
          dueAt: '2026-03-06T10:00:00.000Z',
          issuedAt,
          issuedBy: { id: SUPERVISOR.id, role: 'supervisor' },
        },
      ]);
      const { supervisionId } = view.supervisions[0];

      const answeredAt = at('2026-03-05T16:00:00');
      await t.ok(id, 'answer-supervision', { supervisionId, answer: '已于3月5日清理完毕并报送结果' }, { as: XIAOZHAI });
      view = await t.view(id);
      expect(view.supervisions).toEqual([
        {
          supervisionId,
          instruction: '请于本周内办结并报送结果',
          dueAt: '2026-03-06T10:00:00.000Z',
          issuedAt,
          issuedBy: { id: SUPERVISOR.id, role: 'supervisor' },
          answer: '已于3月5日清理完毕并报送结果',
          answeredAt,
          answeredBy: { id: XIAOZHAI.id, role: 'unit', unit: '小寨社区' },
        },
      ]);
      expect(view.status).toBe('in_progress');

      const history = await t.history(id);
      expect(
        history.slice(before.length).map((e: any) => ({
          type: e.type,
          command: e.command,
          actor: e.actor,
          occurredAt: e.occurredAt,
          recordedAt: e.recordedAt,
          data: e.data,
        })),
      ).toEqual([
        {
          type: 'SupervisionIssued',
          command: 'supervise',
          actor: { id: SUPERVISOR.id, role: 'supervisor' },
          occurredAt: issuedAt,
          recordedAt: issuedAt,
          data: { supervisionId, instruction: '请于本周内办结并报送结果', dueAt: '2026-03-06T10:00:00.000Z' },
        },
        {
          type: 'SupervisionAnswered',
          command: 'answer-supervision',
          actor: { id: XIAOZHAI.id, role: 'unit', unit: '小寨社区' },
          occurredAt: answeredAt,
          recordedAt: answeredAt,
          data: { supervisionId, answer: '已于3月5日清理完毕并报送结果' },
        },
      ]);

      // An order is answered once; an unknown order cannot be answered.
      at('2026-03-05T16:30:00');
      const twice = await t.act(id, 'answer-supervision', { supervisionId, answer: '再次回复' }, { as: XIAOZHAI });
      expectProblem(twice, 422, 'CASE.INVALID_COMMAND');
      const unknown = await t.act(
        id,
        'answer-supervision',
        { supervisionId: '00000000-0000-4000-8000-000000000001', answer: '回复' },
        { as: XIAOZHAI },
      );
      expectProblem(unknown, 422, 'CASE.INVALID_COMMAND');
      expect(await t.history(id)).toHaveLength(before.length + 2);
    });

    it('an extension is requested by the unit and decided by a supervisor: refused keeps the deadline, approved moves it to a new version', async () => {
      const id = await petitionInProgress();
      // Accepted 09:10 on 2 March: reply due 09:10 on 1 May (01:10Z).
      let view = await t.view(id);
      expect(view.deadlines.find((d: any) => d.milestone === 'reply')).toMatchObject({ dueAt: '2026-05-01T01:10:00.000Z', version: 1 });
      const start = (await t.history(id)).length;

      const asked1 = at('2026-03-10T10:00:00');
      await t.ok(id, 'request-extension', { days: 10, reason: '需等待不动产登记部门出具意见' }, { as: XIAOZHAI });
      view = await t.view(id);
      expect(view.extensions).toEqual([
        {
          requestId: expect.stringMatching(UUID),
          milestone: 'reply',
          days: 10,
          reason: '需等待不动产登记部门出具意见',
          requestedAt: asked1,
          requestedBy: { id: XIAOZHAI.id, role: 'unit', unit: '小寨社区' },
        },
      ]);

      // A desk officer cannot decide an extension.
      at('2026-03-10T11:00:00');
      const byDesk = await t.act(id, 'decide-extension', { approved: true }, { as: DESK });
      expect(expectProblem(byDesk, 403, 'CASE.FORBIDDEN')).toMatchObject({ command: 'decide-extension' });
      expect(await t.history(id)).toHaveLength(start + 1);

      // Refused: the deadline stays as it was.
      const refused = at('2026-03-10T11:30:00');
      await t.ok(id, 'decide-extension', { approved: false, reason: '理由不充分' }, { as: SUPERVISOR });
      view = await t.view(id);
      expect(view.extensions[0].decision).toEqual({
        approved: false,
        reason: '理由不充分',
        decidedAt: refused,
        decidedBy: { id: SUPERVISOR.id, role: 'supervisor' },
      });
      expect(view.deadlines.find((d: any) => d.milestone === 'reply')).toMatchObject({
        dueAt: '2026-05-01T01:10:00.000Z',
        version: 1,
        state: 'pending',
      });

      // Asked again for 20 days and approved: the reply deadline moves to 21 May, version 2.
      const asked2 = at('2026-03-12T10:00:00');
      await t.ok(id, 'request-extension', { days: 20, reason: '已取得部分材料，仍需协调住建部门' }, { as: XIAOZHAI });
      const approved = at('2026-03-12T15:00:00');
      await t.ok(id, 'decide-extension', { approved: true, reason: '同意延期' }, { as: SUPERVISOR });
      view = await t.view(id);
      expect(view.deadlines.find((d: any) => d.milestone === 'reply')).toEqual({
        milestone: 'reply',
        dueAt: '2026-05-21T01:10:00.000Z',
        state: 'pending',
        version: 2,
        remainingHours: 1674.17,
      });
      expect(view.extensions).toHaveLength(2);
      expect(view.extensions[1]).toMatchObject({
        milestone: 'reply',
        days: 20,
        requestedAt: asked2,
        decision: { approved: true, reason: '同意延期', decidedAt: approved, decidedBy: { id: SUPERVISOR.id, role: 'supervisor' } },
      });
      expect(await listed(id)).toMatchObject({ nextDeadline: { milestone: 'reply', dueAt: '2026-05-21T01:10:00.000Z' } });

      // The history keeps both versions of the deadline and every request and decision with its reason.
      const history = (await t.history(id)).slice(start);
      expect(history.map((e: any) => [e.type, e.command, e.actor.id, e.occurredAt, e.reason ?? null])).toEqual([
        ['ExtensionRequested', 'request-extension', XIAOZHAI.id, asked1, '需等待不动产登记部门出具意见'],
        ['ExtensionDecided', 'decide-extension', SUPERVISOR.id, refused, '理由不充分'],
        ['ExtensionRequested', 'request-extension', XIAOZHAI.id, asked2, '已取得部分材料，仍需协调住建部门'],
        ['ExtensionDecided', 'decide-extension', SUPERVISOR.id, approved, '同意延期'],
        ['DeadlineSet', 'decide-extension', SUPERVISOR.id, approved, null],
      ]);
      expect(history[4].data).toEqual({
        milestone: 'reply',
        version: 2,
        startedAt: utc('2026-03-02T09:10:00+08:00'),
        dueAt: '2026-05-21T01:10:00.000Z',
        provisional: false,
        cause: 'extended',
      });
      const all = await t.history(id);
      const replyVersions = all
        .filter((e: any) => e.type === 'DeadlineSet' && e.data.milestone === 'reply')
        .map((e: any) => [e.data.version, e.data.dueAt]);
      expect(replyVersions).toEqual([
        [1, '2026-05-01T01:10:00.000Z'],
        [2, '2026-05-21T01:10:00.000Z'],
      ]);

      // A petition's reply may be extended once: a further request is refused and writes nothing.
      at('2026-03-13T10:00:00');
      const third = await t.act(id, 'request-extension', { days: 5, reason: '再次申请' }, { as: XIAOZHAI });
      expectProblem(third, 422, 'CASE.INVALID_COMMAND');
      expect(await t.history(id)).toHaveLength(all.length);
    });
  });

  describe('handling units act only on their own cases', () => {
    // A case never dispatched to the unit does not exist for it (docs/security.md, "What a unit sees"): 404, never 403.
    it('a unit user of another unit gets 404 on sign, as for a case that does not exist, and nothing is written', async () => {
      at('2026-03-02T09:00:00');
      const { body } = await t.intake('hotline', hotlineBody(), { as: DESK });
      at('2026-03-02T09:30:00');
      await t.ok(body.id, 'dispatch', { unit: '市政所' }, { as: DESK });
      const before = await t.history(body.id);

      at('2026-03-02T09:40:00');
      const res = await t.act(body.id, 'sign', {}, { as: OTHER_UNIT });
      expect(expectProblem(res, 404, 'CASE.NOT_FOUND')).not.toHaveProperty('caseUnit');
      expect(await t.history(body.id)).toEqual(before);
      expect(await t.view(body.id)).toMatchObject({ status: 'dispatched', revision: 3 });

      // The unit it was dispatched to signs.
      await t.ok(body.id, 'sign', {}, { as: SHIZHENG });
      expect(await t.view(body.id)).toMatchObject({ status: 'in_progress', revision: 4 });
    });

    it('a unit user of another unit gets 404 on progress, return and resolve', async () => {
      const id = await petitionInProgress();
      const before = await t.history(id);
      at('2026-03-02T10:00:00');
      for (const [action, body] of [
        ['progress', { text: '代为记录进展' }],
        ['return', { reason: '不属于本单位职责范围' }],
        ['resolve', { outcome: 'supported', reply: '已处理' }],
      ] as const) {
        const res = await t.act(id, action, body, { as: OTHER_UNIT });
        expectProblem(res, 404, 'CASE.NOT_FOUND');
      }
      expect(await t.history(id)).toEqual(before);
    });

    it('a unit user of another unit gets 404 on request-extension, and nothing is written', async () => {
      const id = await petitionInProgress();
      const before = await t.history(id);
      at('2026-03-03T10:00:00');
      const res = await t.act(id, 'request-extension', { days: 10, reason: '替别的单位申请延期' }, { as: OTHER_UNIT });
      expect(res.status).toBe(404);
      expect(await t.history(id)).toHaveLength(before.length);
    });

    it('a unit user of another unit gets 404 on answer-supervision, and nothing is written', async () => {
      const id = await petitionInProgress();
      at('2026-03-03T09:00:00');
      await t.ok(id, 'supervise', { instruction: '请尽快办结' }, { as: SUPERVISOR });
      const { supervisionId } = (await t.view(id)).supervisions[0];
      const before = await t.history(id);
      at('2026-03-03T10:00:00');
      const res = await t.act(id, 'answer-supervision', { supervisionId, answer: '冒名回复' }, { as: OTHER_UNIT });
      expect(res.status).toBe(404);
      expect(await t.history(id)).toHaveLength(before.length);
      expect((await t.view(id)).supervisions[0]).not.toHaveProperty('answer');
    });

    it("a handling-unit user cannot take the desk's triage and closing steps (accept, reject, dispatch, reopen, close)", async () => {
      // SPEC §1: the desk registers, accepts or rejects and dispatches; the desk or a supervisor reopens or closes.
      at('2026-03-02T09:00:00');
      const registered = (await t.intake('petition', petitionBody(), { as: DESK })).body.id;
      const accepted = (await t.intake('hotline', hotlineBody(), { as: DESK })).body.id;
      const resolved = await petitionInProgress();
      at('2026-03-02T15:00:00');
      await t.ok(resolved, 'resolve', { outcome: 'supported', reply: '已办结' }, { as: XIAOZHAI });
      const lengths = await Promise.all([registered, accepted, resolved].map(async (id) => (await t.history(id)).length));

      at('2026-03-02T16:00:00');
      const attempts = [
        await t.act(registered, 'accept', {}, { as: XIAOZHAI }),
        await t.act(registered, 'reject', { reason: '不予受理' }, { as: XIAOZHAI }),
        await t.act(accepted, 'dispatch', { unit: '小寨社区' }, { as: XIAOZHAI }),
        await t.act(resolved, 'reopen', { reason: '自行重办' }, { as: XIAOZHAI }),
        await t.act(resolved, 'close', { note: '自行结案' }, { as: XIAOZHAI }),
      ];
      // Cases never dispatched to the unit do not exist for it (404); on its own case the step is refused (403).
      expect(attempts.map((res) => res.status)).toEqual([404, 404, 404, 403, 403]);
      expect(await Promise.all([registered, accepted, resolved].map(async (id) => (await t.history(id)).length))).toEqual(lengths);
    });
  });

  it('records each actor as the trusted headers give it (Chinese unit names URI-encoded), and the default actor without them', async () => {
    at('2026-03-02T09:00:00');
    const { body } = await t.intake('hotline', hotlineBody(), { as: ADMIN });
    at('2026-03-02T09:05:00');
    await t.ok(body.id, 'dispatch', { unit: '大雁塔社区人民调解委员会' }, { as: DESK });
    at('2026-03-02T09:10:00');
    await t.ok(body.id, 'sign', {}, { as: MEDIATION });
    const history = await t.history(body.id);
    expect(history.map((e: any) => e.actor)).toEqual([
      { id: ADMIN.id, role: 'admin' },
      { id: DESK.id, role: 'desk' },
      { id: DESK.id, role: 'desk' },
      { id: DESK.id, role: 'desk' },
      { id: MEDIATION.id, role: 'unit', unit: '大雁塔社区人民调解委员会' },
    ]);

    // Without a token nobody acts: 401, and nothing is written.
    at('2026-03-02T09:20:00');
    const anonymous = await t.http.post(`/api/cases/${body.id}/note`).send({ text: '匿名备注' });
    expectProblem(anonymous, 401, 'AUTH.UNAUTHENTICATED');
    expect(await t.history(body.id)).toHaveLength(history.length);
  });
});

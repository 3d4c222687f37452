import { LIFECYCLE_ACTIONS } from '@cases/domain';
/**
 * SPEC §6, "Rules every endpoint keeps", through the real HTTP stack and SQLite store: validation,
 * state conflicts, optimistic concurrency, idempotency, addressing, business time, temporal
 * queries, the problem-details shape, case numbering, health and the OpenAPI description. Every
 * refusal is also checked to write NOTHING: the case's history, the list's total and the global
 * log's head (GET /health) are compared before and after.
 */
import { ADMIN, DESK, SUPERVISOR, TestApp, expectProblem, expectStatus, typesOf, unitUser } from './support/test-app';
import { disputeBody, hotlineBody, petitionBody } from './support/bodies';
import { TestClock } from './support/test-clock';

const SHIZHENG = unitUser('市政所', 'unit-shizheng-1');
const START = '2026-03-02T09:00:00+08:00';

function fieldsOf(problem: { errors?: { field: string; message: string }[] }): string[] {
  for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.stringMatching(/\S/));
  return (problem.errors ?? []).map((error) => error.field).sort();
}

describe('API rules (SPEC §6)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock(START) });
    // Signed in before any test measures the log, so creating the user never counts as a write.
    await t.tokenFor(SHIZHENG);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.clock.set(START);
  });

  /** What "nothing is written" is measured by: the global log's head and the number of cases. */
  async function written(): Promise<{ head: number; cases: number }> {
    const cases = (await t.list()).total;
    const head = (await t.health()).store.head;
    return { head, cases };
  }

  /** A hotline ticket dispatched to and signed by 市政所 (revision 4). */
  async function hotlineInProgress(overrides: Record<string, unknown> = {}): Promise<string> {
    const { body } = await t.intake('hotline', hotlineBody(overrides));
    await t.ok(body.id, 'dispatch', { unit: '市政所' });
    await t.ok(body.id, 'sign', {}, { as: SHIZHENG });
    return body.id;
  }

  describe('input validation: 400 with every field error named, nothing written', () => {
    it('a petition body with several bad fields lists them all, unknown top-level and nested fields included', async () => {
      const before = await written();
      const res = await t.post('/api/petitions', {
        title: 42,
        description: '   ',
        channel: 'fax',
        category: null,
        petitioner: { name: '', phone: '12345', idNumber: 'abc', nickname: '小张' },
        extra: true,
      });
      const problem = expectProblem(res, 400, 'REQUEST.INVALID');
      expect(fieldsOf(problem)).toEqual([
        'category',
        'channel',
        'community',
        'description',
        'extra',
        'petitioner.idNumber',
        'petitioner.name',
        'petitioner.nickname',
        'petitioner.phone',
        'title',
      ]);
      expect(problem.errors).toContainEqual({ field: 'extra', message: 'property extra should not exist' });
      expect(problem.errors).toContainEqual({ field: 'community', message: 'community is required' });
      expect(await written()).toEqual(before);
    });

    it('unknown fields inside arrays and optional objects are rejected, not dropped', async () => {
      const before = await written();
      const dispute = await t.post('/api/disputes', disputeBody({ parties: [{ name: '王五', age: 40 }] }));
      expect(fieldsOf(expectProblem(dispute, 400, 'REQUEST.INVALID'))).toEqual(['parties.0.age']);
      const hotline = await t.post('/api/hotline-tickets', hotlineBody({ caller: { name: '李四', email: 'lisi@example.cn' } }));
      expect(fieldsOf(expectProblem(hotline, 400, 'REQUEST.INVALID'))).toEqual(['caller.email']);
      const noParties = await t.post('/api/disputes', disputeBody({ parties: [] }));
      expect(fieldsOf(expectProblem(noParties, 400, 'REQUEST.INVALID'))).toEqual(['parties']);
      const badUrgency = await t.post('/api/hotline-tickets', hotlineBody({ urgency: 'high', platformDeadline: '2026-03-09' }));
      expect(fieldsOf(expectProblem(badUrgency, 400, 'REQUEST.INVALID'))).toEqual(['platformDeadline', 'urgency']);
      expect(await written()).toEqual(before);
    });

    it('a lifecycle body with bad and unknown fields names every one, and the case is unchanged', async () => {
      const { body } = await t.intake('hotline', hotlineBody());
      const before = await written();
      const dispatch = await t.act(body.id, 'dispatch', { unit: '', instructions: 5, priority: 'high', occurredAt: '2026-03-02 09:00' });
      expect(fieldsOf(expectProblem(dispatch, 400, 'REQUEST.INVALID'))).toEqual(['instructions', 'occurredAt', 'priority', 'unit']);
      const extension = await t.act(body.id, 'request-extension', { days: 0, reason: '' });
      expect(fieldsOf(expectProblem(extension, 400, 'REQUEST.INVALID'))).toEqual(['days', 'reason']);
      const decision = await t.act(body.id, 'decide-extension', { approved: 'yes' }, { as: SUPERVISOR });
      expect(fieldsOf(expectProblem(decision, 400, 'REQUEST.INVALID'))).toEqual(['approved']);
      const link = await t.act(body.id, 'link', { targetId: 'XF2026-0001', relation: 'same' });
      expect(fieldsOf(expectProblem(link, 400, 'REQUEST.INVALID'))).toEqual(['relation', 'targetId']);
      expect(await written()).toEqual(before);
      expect(await t.view(body.id)).toMatchObject({ status: 'accepted', revision: 0 });
    });

    it('a body that is not JSON is refused on intake', async () => {
      const before = await written();
      const res = await t.http
        .post('/api/petitions')
        .set(await t.authorization())
        .set('Content-Type', 'text/plain')
        .send('张三来访反映楼道堆物');
      expectProblem(res, 415, 'HTTP.415');
      const array = await t.post('/api/petitions', [petitionBody()]);
      expect(expectProblem(array, 400, 'REQUEST.INVALID').errors).toEqual([
        { field: '', message: 'the request body must be a JSON object' },
      ]);
      expect(await written()).toEqual(before);
    });

    it('a body that is not JSON is refused on a lifecycle command, and nothing is written', async () => {
      const { body } = await t.intake('petition', petitionBody());
      const before = await written();
      const res = await t.http
        .post(`/api/cases/${body.id}/accept`)
        .set(await t.authorization())
        .set('Content-Type', 'text/plain')
        .send('同意受理');
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await written()).toEqual(before);
      expect(await t.view(body.id)).toMatchObject({ status: 'registered', revision: 1 });
    });

    it('malformed JSON gets a 400 problem, on intake and on a command, and nothing is written', async () => {
      const { body } = await t.intake('petition', petitionBody());
      const before = await written();
      const intake = await t.http
        .post('/api/petitions')
        .set(await t.authorization())
        .set('Content-Type', 'application/json')
        .send('{"title": "楼道堆物", ');
      expectProblem(intake, 400, 'REQUEST.INVALID');
      const command = await t.http
        .post(`/api/cases/${body.id}/accept`)
        .set(await t.authorization())
        .set('Content-Type', 'application/json')
        .send('{note: 同意}');
      expectProblem(command, 400, 'REQUEST.INVALID');
      expect(await written()).toEqual(before);
      expect(await t.history(body.id)).toHaveLength(2);
    });
  });

  describe('state: 409 naming the state and the command, nothing written', () => {
    it('sign on a registered petition', async () => {
      const { body } = await t.intake('petition', petitionBody());
      const before = await written();
      // An admin may take a unit's step (a unit itself does not see a case never dispatched to it: 404).
      const res = await t.act(body.id, 'sign', {}, { as: ADMIN });
      const problem = expectProblem(res, 409, 'CASE.ILLEGAL_TRANSITION');
      expect(problem.detail).toBe("Command 'sign' is not allowed when the case is 'registered'");
      expect(problem.command).toBe('sign');
      expect(await written()).toEqual(before);
      expect(await t.view(body.id)).toMatchObject({ status: 'registered', revision: 1 });
    });

    it('review on a hotline ticket not yet resolved, and accept on a hotline ticket (already accepted)', async () => {
      const id = await hotlineInProgress();
      const before = await written();
      const review = await t.act(id, 'review', { satisfaction: 'satisfied', solved: true });
      expect(expectProblem(review, 409, 'CASE.ILLEGAL_TRANSITION').detail).toBe(
        "Command 'review' is not allowed when the case is 'in_progress'",
      );
      const accept = await t.act(id, 'accept', {});
      expect(expectProblem(accept, 409, 'CASE.ILLEGAL_TRANSITION').detail).toBe(
        "Command 'accept' is not allowed when the case is 'in_progress'",
      );
      expect(await written()).toEqual(before);
    });
  });

  describe('optimistic concurrency', () => {
    it('50 concurrent writers on one case without If-Match all succeed, each with its own revision, none lost', async () => {
      const id = (await t.intake('petition', petitionBody())).body.id;
      const texts = Array.from({ length: 50 }, (_, index) => `并发备注 ${index}`);

      const answers = await Promise.all(texts.map((text) => t.act(id, 'note', { text })));

      for (const answer of answers) expectStatus(answer, 200);
      const revisions = answers.map((answer) => answer.body.revision as number).sort((a, b) => a - b);
      expect(revisions).toEqual(Array.from({ length: 50 }, (_, index) => index + 2));
      const noted = (await t.history(id)).filter((event) => event.type === 'NoteAdded').map((event) => event.data.text);
      expect(noted.sort()).toEqual([...texts].sort());
    });

    it('a stale If-Match gets 412 and writes nothing; a fresh one gets 200 and the new ETag', async () => {
      const intake = await t.intake('petition', petitionBody());
      const id = intake.body.id;
      expect(intake.headers.etag).toBe('"1"');
      const noted = await t.ok(id, 'note', { text: '来电补充说明' }, { ifMatch: '"1"' });
      expect(noted.headers.etag).toBe('"2"');
      expect(noted.body).toEqual({ id, revision: 2, position: expect.any(String) });

      const before = await written();
      const stale = await t.act(id, 'accept', {}, { ifMatch: '"1"' });
      expect(expectProblem(stale, 412, 'CASE.STALE_REVISION')).toMatchObject({ expectedRevision: '1', currentRevision: '2' });
      expect(await written()).toEqual(before);
      expect(await t.history(id)).toHaveLength(3);

      const current = await t.get(`/api/cases/${id}`);
      expect(current.headers.etag).toBe('"2"');
      const fresh = await t.act(id, 'accept', {}, { ifMatch: current.headers.etag });
      expectStatus(fresh, 200);
      expect(fresh.body).toEqual({ id, revision: 4, position: expect.any(String) });
      expect(fresh.headers.etag).toBe('"4"');
      const after = await t.get(`/api/cases/${id}`);
      expect(after.headers.etag).toBe('"4"');
      expect(after.body).toMatchObject({ status: 'accepted', revision: 4 });

      // A weak tag and a bare number name the same revision; anything else is a bad header.
      expect((await t.ok(id, 'note', { text: '弱校验' }, { ifMatch: 'W/"4"' })).body).toEqual({
        id,
        revision: 5,
        position: expect.any(String),
      });
      expect((await t.ok(id, 'note', { text: '裸修订号' }, { ifMatch: '5' })).body).toEqual({
        id,
        revision: 6,
        position: expect.any(String),
      });
      const bad = await t.act(id, 'note', { text: '坏的头' }, { ifMatch: 'latest' });
      expect(fieldsOf(expectProblem(bad, 400, 'REQUEST.INVALID'))).toEqual(['If-Match']);
      expect(await t.history(id)).toHaveLength(7);
    });

    it('20 concurrent commands with the same If-Match: exactly one is applied, the other 19 get 412', async () => {
      const id = await hotlineInProgress();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => t.act(id, 'note', { text: `并发备注 ${i}` }, { ifMatch: '"4"' })),
      );
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      for (const res of results.filter((r) => r.status !== 200)) expectProblem(res, 412, 'CASE.STALE_REVISION');
      const history = await t.history(id);
      expect(history).toHaveLength(6);
      expect(typesOf(history).filter((type) => type === 'NoteAdded')).toHaveLength(1);
    });

    it('20 concurrent commands on one case without If-Match are all applied, none lost', async () => {
      const id = await hotlineInProgress();
      const texts = Array.from({ length: 20 }, (_, i) => `第${i + 1}次进展`);
      const results = await Promise.all(texts.map((text) => t.act(id, 'progress', { text }, { as: SHIZHENG })));
      for (const res of results) expectStatus(res, 200);
      expect(results.map((res) => res.body.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 5 + i));
      const history = await t.history(id);
      expect(history).toHaveLength(25);
      const progress = history.filter((event: any) => event.type === 'ProgressRecorded');
      expect(progress.map((event: any) => event.data.text).sort()).toEqual([...texts].sort());
      expect((await t.view(id)).revision).toBe(24);
    });
  });

  describe('Idempotency-Key', () => {
    it('same key and body replays the first answer and writes nothing; same key with another body or action gets 422', async () => {
      const id = await hotlineInProgress();
      const first = await t.ok(id, 'progress', { text: '已联系供电部门' }, { as: SHIZHENG, idempotencyKey: 'progress-key-1' });
      expect(first.body).toEqual({ id, revision: 5, position: expect.any(String) });
      const before = await written();

      const replay = await t.ok(id, 'progress', { text: '已联系供电部门' }, { as: SHIZHENG, idempotencyKey: 'progress-key-1' });
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.etag).toBe('"5"');
      expect(await written()).toEqual(before);
      expect(await t.history(id)).toHaveLength(6);

      // Still the first answer after the case has moved on.
      await t.ok(id, 'note', { text: '另一条备注' });
      const later = await t.ok(id, 'progress', { text: '已联系供电部门' }, { as: SHIZHENG, idempotencyKey: 'progress-key-1' });
      expect(later.body).toEqual({ id, revision: 5, position: expect.any(String) });

      const afterNote = await written();
      const otherBody = await t.act(id, 'progress', { text: '另一段进展' }, { as: SHIZHENG, idempotencyKey: 'progress-key-1' });
      expectProblem(otherBody, 422, 'REQUEST.IDEMPOTENCY_KEY_REUSED');
      const otherAction = await t.act(id, 'note', { text: '已联系供电部门' }, { idempotencyKey: 'progress-key-1' });
      expectProblem(otherAction, 422, 'REQUEST.IDEMPOTENCY_KEY_REUSED');
      expect(await written()).toEqual(afterNote);
      expect(typesOf(await t.history(id)).filter((type) => type === 'ProgressRecorded')).toHaveLength(1);
    });

    it('an intake sent twice with the same key gives one case; the same key with another body gets 422', async () => {
      const before = await written();
      const first = await t.intake('petition', petitionBody({ title: '幂等登记' }), { idempotencyKey: 'intake-key-1' });
      const second = await t.intake('petition', petitionBody({ title: '幂等登记' }), { idempotencyKey: 'intake-key-1' });
      expect(second.body).toEqual(first.body);
      expect(first.body).toEqual({
        id: first.body.id,
        number: expect.stringMatching(/^XF2026-\d{4}$/),
        revision: 1,
        position: expect.any(String),
      });
      const after = await written();
      expect(after.cases).toBe(before.cases + 1);
      expect((await t.list({ text: '幂等登记' })).items.map((item: any) => item.id)).toEqual([first.body.id]);
      expect(await t.history(first.body.id)).toHaveLength(2);

      const other = await t.post('/api/petitions', petitionBody({ title: '另一件事' }), { idempotencyKey: 'intake-key-1' });
      expectProblem(other, 422, 'REQUEST.IDEMPOTENCY_KEY_REUSED');
      expect(await written()).toEqual(after);
    });

    it('the same intake sent 5 times at once (a double click) gives one case, one number, and no gap in the sequence', async () => {
      const previous = (await t.intake('petition', petitionBody())).body.number as string;
      const sequence = Number(previous.slice(-4));
      const before = await written();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.post('/api/petitions', petitionBody({ title: '并发重复提交' }), { idempotencyKey: 'double-click-1' }),
        ),
      );
      for (const res of answers) expectStatus(res, 201);
      const expected = `XF2026-${String(sequence + 1).padStart(4, '0')}`;
      expect(answers.map((res) => res.body.number)).toEqual([expected, expected, expected, expected, expected]);
      expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
      expect((await written()).cases).toBe(before.cases + 1);
      const next = await t.intake('petition', petitionBody());
      expect(next.body.number).toBe(`XF2026-${String(sequence + 2).padStart(4, '0')}`);
    });

    it('a hotline ticket received twice with the same platformTicketNo returns the existing case (200), with other content 409; nothing is written', async () => {
      const ticket = hotlineBody({ platformTicketNo: 'GD-DUP-20260302-0001' });
      const first = await t.post('/api/hotline-tickets', ticket);
      expectStatus(first, 201);
      const before = await written();

      const again = await t.post('/api/hotline-tickets', ticket);
      expectStatus(again, 200);
      expect(again.body).toEqual(first.body);
      // The same number with other content is a conflict naming the fields, not a silent 200.
      const changed = await t.post('/api/hotline-tickets', { ...ticket, title: '平台重复推送（标题变了）' });
      expect(expectProblem(changed, 409, 'CASE.TICKET_CONFLICT')).toMatchObject({ caseId: first.body.id, fields: ['title'] });
      expect(await written()).toEqual(before);

      const listed = await t.list({ text: 'GD-DUP-20260302-0001' });
      expect(listed.total).toBe(1);
      expect(listed.items[0]).toMatchObject({
        id: first.body.id,
        number: first.body.number,
        title: '路灯不亮',
        platformTicketNo: 'GD-DUP-20260302-0001',
      });
      expect(await t.history(first.body.id)).toHaveLength(1);

      // Once the ticket has moved on, a repeat still answers with the same case at its current revision.
      await t.ok(first.body.id, 'dispatch', { unit: '市政所' });
      const later = await t.post('/api/hotline-tickets', ticket);
      expectStatus(later, 200);
      expect(later.body).toEqual({ id: first.body.id, number: first.body.number, revision: 3, position: expect.any(String) });
    });
  });

  describe('addressing', () => {
    it('an unknown action has no route: 404 problem details, and nothing is written', async () => {
      const { body } = await t.intake('petition', petitionBody());
      const before = await written();
      const res = await t.act(body.id, 'approve', {});
      expectProblem(res, 404, 'HTTP.404');
      expect(await written()).toEqual(before);
    });

    it('a case id that is not a UUID is 400 on commands, views and histories', async () => {
      const before = await written();
      expectProblem(await t.act('XF2026-0001', 'accept', {}), 400, 'REQUEST.INVALID');
      expectProblem(await t.get('/api/cases/XF2026-0001'), 400, 'REQUEST.INVALID');
      expectProblem(await t.get('/api/cases/XF2026-0001/history'), 400, 'REQUEST.INVALID');
      expect(await written()).toEqual(before);
    });

    it('an unknown case is 404 on commands, views and histories, and nothing is written', async () => {
      const unknown = '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11';
      const before = await written();
      expect(expectProblem(await t.act(unknown, 'accept', {}), 404, 'CASE.NOT_FOUND')).toMatchObject({ command: 'accept' });
      expectProblem(await t.act(unknown, 'note', { text: '备注' }), 404, 'CASE.NOT_FOUND');
      expectProblem(await t.get(`/api/cases/${unknown}`), 404, 'CASE.NOT_FOUND');
      expectProblem(await t.get(`/api/cases/${unknown}/history`), 404, 'CASE.NOT_FOUND');
      expect(await written()).toEqual(before);
    });
  });

  describe('business time: occurredAt', () => {
    it('in the future is 422 on a command, and nothing is written', async () => {
      const { body } = await t.intake('petition', petitionBody());
      const before = await written();
      const res = await t.act(body.id, 'accept', { occurredAt: '2026-03-02T09:00:01+08:00' });
      expect(expectProblem(res, 422, 'CASE.INVALID_COMMAND')).toMatchObject({
        occurredAt: '2026-03-02T01:00:01.000Z',
        recordedAt: '2026-03-02T01:00:00.000Z',
      });
      expect(await written()).toEqual(before);
    });

    it('a refused intake (future, or back-dated past the window by a desk officer) writes nothing and burns no case number', async () => {
      const previous = (await t.intake('dispute', disputeBody())).body.number as string;
      const sequence = Number(previous.slice(-4));
      const before = await written();

      const future = await t.post('/api/disputes', disputeBody({ occurredAt: '2026-03-03T09:00:00+08:00' }));
      expectProblem(future, 422, 'CASE.INVALID_COMMAND');
      const backdated = await t.post('/api/disputes', disputeBody({ occurredAt: '2026-02-20T09:00:00+08:00' }), { as: DESK });
      expectProblem(backdated, 403, 'CASE.FORBIDDEN');
      expect(await written()).toEqual(before);

      const next = await t.intake('dispute', disputeBody());
      expect(next.body.number).toBe(`JF2026-${String(sequence + 1).padStart(4, '0')}`);
    });

    it('back-dated 10 days is 403 for a desk officer, allowed for a supervisor; the history shows occurredAt and recordedAt; deadlines count from occurredAt', async () => {
      const { body } = await t.intake('petition', petitionBody(), { as: DESK });
      const id = body.id;
      t.clock.set('2026-03-14T09:00:00+08:00');

      const before = await written();
      const byDesk = await t.act(id, 'accept', { occurredAt: '2026-03-04T09:00:00+08:00' }, { as: DESK });
      expect(expectProblem(byDesk, 403, 'CASE.FORBIDDEN')).toMatchObject({
        occurredAt: '2026-03-04T01:00:00.000Z',
        recordedAt: '2026-03-14T01:00:00.000Z',
        earliestWithoutRole: '2026-03-07T01:00:00.000Z',
      });
      expect(await written()).toEqual(before);

      const bySupervisor = await t.act(id, 'accept', { occurredAt: '2026-03-04T09:00:00+08:00' }, { as: SUPERVISOR });
      expectStatus(bySupervisor, 200);
      let history = await t.history(id);
      expect(history.slice(2).map((e: any) => [e.type, e.actor.role, e.occurredAt, e.recordedAt])).toEqual([
        ['CaseAccepted', 'supervisor', '2026-03-04T01:00:00.000Z', '2026-03-14T01:00:00.000Z'],
        ['DeadlineSet', 'supervisor', '2026-03-04T01:00:00.000Z', '2026-03-14T01:00:00.000Z'],
      ]);
      expect(history[3].data).toMatchObject({
        milestone: 'reply',
        startedAt: '2026-03-04T01:00:00.000Z',
        dueAt: '2026-05-03T01:00:00.000Z',
      });
      const view = await t.view(id);
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', reachedAt: '2026-03-04T01:00:00.000Z', state: 'met', version: 1 },
        { milestone: 'reply', dueAt: '2026-05-03T01:00:00.000Z', state: 'pending', version: 1, remainingHours: 1200 },
      ]);

      // Inside the 7-day window a desk officer may back-date.
      await t.ok(id, 'dispatch', { unit: '小寨社区', occurredAt: '2026-03-08T09:00:00+08:00' }, { as: DESK });
      // Never before the case's previous command, whatever the role.
      const beforePrevious = await t.act(id, 'note', { text: '补记', occurredAt: '2026-03-07T09:00:00+08:00' }, { as: ADMIN });
      expect(expectProblem(beforePrevious, 422, 'CASE.INVALID_COMMAND')).toMatchObject({ lastCommandAt: '2026-03-08T01:00:00.000Z' });
      history = await t.history(id);
      expect(history).toHaveLength(5);
      expect(history[4]).toMatchObject({
        type: 'CaseDispatched',
        occurredAt: '2026-03-08T01:00:00.000Z',
        recordedAt: '2026-03-14T01:00:00.000Z',
      });
    });

    it('an intake back-dated past the window is allowed for a supervisor, and the case counts from occurredAt', async () => {
      t.clock.set('2026-03-14T09:00:00+08:00');
      const res = await t.intake('petition', petitionBody({ occurredAt: '2026-03-04T09:00:00+08:00', channel: 'letter' }), {
        as: SUPERVISOR,
      });
      const view = await t.view(res.body.id);
      expect(view).toMatchObject({ registeredAt: '2026-03-04T01:00:00.000Z', channel: 'letter' });
      expect(view.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-19T01:00:00.000Z', state: 'pending', version: 1, remainingHours: 120 },
      ]);
      const [registered] = await t.history(res.body.id);
      expect(registered).toMatchObject({
        occurredAt: '2026-03-04T01:00:00.000Z',
        recordedAt: '2026-03-14T01:00:00.000Z',
        actor: { role: 'supervisor' },
      });
    });
  });

  describe('?asOf= (the view at a past instant)', () => {
    it('404 before the case existed; between two steps the earlier state; 400 when not an instant', async () => {
      const { body } = await t.intake('petition', petitionBody());
      t.clock.set('2026-03-02T10:00:00+08:00');
      await t.ok(body.id, 'accept', {});

      expectProblem(await t.get(`/api/cases/${body.id}`).query({ asOf: '2026-03-02T08:59:59+08:00' }), 404, 'CASE.NOT_FOUND');

      const between = await t.get(`/api/cases/${body.id}`).query({ asOf: '2026-03-02T09:30:00+08:00' });
      expectStatus(between, 200);
      expect(between.headers.etag).toBe('"1"');
      expect(between.body).toMatchObject({ id: body.id, status: 'registered', revision: 1 });
      expect(between.body.deadlines).toEqual([
        { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', state: 'pending', version: 1, remainingHours: 359.5 },
      ]);

      const atAccept = await t.get(`/api/cases/${body.id}`).query({ asOf: '2026-03-02T10:00:00+08:00' });
      expect(atAccept.body).toMatchObject({ status: 'accepted', revision: 3 });
      expect(atAccept.headers.etag).toBe('"3"');
      expect(await t.view(body.id)).toMatchObject({ status: 'accepted', revision: 3 });

      const bad = await t.get(`/api/cases/${body.id}`).query({ asOf: 'yesterday' });
      expect(fieldsOf(expectProblem(bad, 400, 'REQUEST.INVALID'))).toEqual(['asOf']);
    });
  });

  describe('problem details (RFC 9457)', () => {
    it('every refusal answers application/problem+json with type, title, status, detail and code', async () => {
      const id = await hotlineInProgress();
      const answers: [number, string, any][] = [
        [400, 'REQUEST.INVALID', await t.act(id, 'progress', {}, { as: SHIZHENG })],
        [400, 'REQUEST.INVALID', await t.get('/api/cases').query({ kind: 'ship', pageSize: 500 })],
        [403, 'CASE.FORBIDDEN', await t.act(id, 'supervise', { instruction: '加快办理' }, { as: DESK })],
        [404, 'CASE.NOT_FOUND', await t.act('0d4b7c9e-1f2a-4b3c-8d5e-6f708192a3b4', 'sign', {})],
        [412, 'CASE.STALE_REVISION', await t.act(id, 'note', { text: '过期' }, { ifMatch: '"0"' })],
        [422, 'CASE.INVALID_COMMAND', await t.act(id, 'resolve', { reply: '已处理', outcome: 'supported' }, { as: SHIZHENG })],
      ];
      for (const [status, code, res] of answers) {
        const problem = expectProblem(res, status, code);
        expect(problem.type).toBe(`https://cases.example/problems/${code.toLowerCase().replace(/[._]/g, '-')}`);
      }
      expect(fieldsOf(answers[0][2].body)).toEqual(['text']);
      expect(fieldsOf(answers[1][2].body)).toEqual(['kind', 'pageSize']);
      expect(await t.history(id)).toHaveLength(5);
    });
  });

  describe('health and OpenAPI', () => {
    it('GET /health reports the store up, its head, and each read model at the head with no lag', async () => {
      await t.intake('petition', petitionBody());
      await t.list();
      const health = await t.health();
      const head = health.store.head;
      expect(health).toEqual({
        status: 'ok',
        store: { status: 'up', head: expect.any(Number) },
        readModels: expect.any(Array),
      });
      expect(head).toBeGreaterThanOrEqual(3);
      // The case projections at least (others, e.g. statistics, may follow the log too), all caught up.
      expect(health.readModels.map((model: any) => model.projection)).toEqual(expect.arrayContaining(['case', 'case-history']));
      for (const model of health.readModels) {
        expect(model).toEqual({ projection: model.projection, position: head, lag: 0, rebuilding: false });
      }

      // An intake writes its case-number allocation and its event; an accept two events.
      const { body } = await t.intake('dispute', disputeBody());
      await t.ok(body.id, 'accept', {});
      await t.view(body.id);
      const after = await t.health();
      expect(after.store.head).toBe(head + 4);
      for (const model of after.readModels) expect(model).toMatchObject({ position: head + 4, lag: 0 });
    });

    const specPaths: [string, string][] = [
      ['post', '/api/petitions'],
      ['post', '/api/hotline-tickets'],
      ['post', '/api/disputes'],
      ...LIFECYCLE_ACTIONS.map((action): [string, string] => ['post', `/api/cases/{id}/${action}`]),
      ['get', '/api/cases'],
      ['get', '/api/cases/{id}'],
      ['get', '/api/cases/{id}/history'],
      ['get', '/api/stats/timeliness'],
      ['get', '/api/reports/monthly/{month}'],
      ['get', '/health'],
    ];

    it.each(specPaths)('/docs-json describes %s %s', async (method, path) => {
      const res = await t.http.get('/docs-json');
      expectStatus(res, 200);
      // Path parameters may be named differently ({month}, {yyyyMm}…): compare the shape.
      const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
      const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
        .filter(([candidate]) => shape(candidate) === shape(path))
        .flatMap(([, operations]) => Object.keys(operations));
      expect(documented).toContain(method);
    });

    it('/docs serves the interactive description', async () => {
      const res = await t.http.get('/docs');
      expectStatus(res, 200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const json = await t.http.get('/docs-json');
      expect(json.body.openapi).toMatch(/^3\./);
    });
  });
});

describe('case numbers (SPEC §2): XF/RX/JF + year + 4-digit sequence, unique and sequential per kind', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock(START) });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('20 concurrent intakes of each kind get 0001…0020 of their own sequence, none twice', async () => {
    const kinds = [
      ['petition', '/api/petitions', 'XF', (i: number) => petitionBody({ title: `并发信访 ${i}` })],
      ['hotline', '/api/hotline-tickets', 'RX', (i: number) => hotlineBody({ platformTicketNo: `GD-CONC-${i}`, title: `并发工单 ${i}` })],
      ['dispute', '/api/disputes', 'JF', (i: number) => disputeBody({ title: `并发纠纷 ${i}` })],
    ] as const;
    const requests = kinds.flatMap(([kind, path, , body]) =>
      Array.from({ length: 20 }, (_, i) => t.post(path, body(i)).then((res) => ({ kind, res }))),
    );
    const answers = await Promise.all(requests);
    for (const { res } of answers) expectStatus(res, 201);

    const expected = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}2026-${String(i + 1).padStart(4, '0')}`);
    for (const [kind, , prefix] of kinds) {
      const numbers = answers.filter((a) => a.kind === kind).map((a) => a.res.body.number as string);
      expect([...numbers].sort()).toEqual(expected(prefix));
      const listed = await t.list({ kind, pageSize: 100 });
      expect(listed.total).toBe(20);
      expect(listed.items.map((item: any) => item.number).sort()).toEqual(expected(prefix));
      // Each answer's number is the case's number.
      for (const { res } of answers.filter((a) => a.kind === kind)) {
        expect(listed.items.find((item: any) => item.id === res.body.id)?.number).toBe(res.body.number);
      }
    }
    expect(new Set(answers.map((a) => a.res.body.id)).size).toBe(60);

    const next = await t.intake('petition', petitionBody());
    expect(next.body.number).toBe('XF2026-0021');
  });

  it('a resent ticket, a repeated Idempotency-Key and a refused intake take no number: the next intake gets the next one', async () => {
    const other = await TestApp.start({ clock: new TestClock(START) });
    try {
      const ticket = await other.intake('hotline', hotlineBody({ platformTicketNo: 'GD-RESENT-1' }));
      expect(ticket.body.number).toBe('RX2026-0001');
      const resent = await other.post('/api/hotline-tickets', hotlineBody({ platformTicketNo: 'GD-RESENT-1' }));
      expectStatus(resent, 200);
      expect(resent.body).toMatchObject({ id: ticket.body.id, number: 'RX2026-0001' });
      expect((await other.intake('hotline', hotlineBody({ platformTicketNo: 'GD-RESENT-2' }))).body.number).toBe('RX2026-0002');

      const keyed = await other.intake('petition', petitionBody(), { idempotencyKey: 'intake-once' });
      expect(keyed.body.number).toBe('XF2026-0001');
      const repeated = await other.intake('petition', petitionBody(), { idempotencyKey: 'intake-once' });
      expect(repeated.body).toMatchObject({ id: keyed.body.id, number: 'XF2026-0001' });
      expectProblem(
        await other.post('/api/petitions', petitionBody({ occurredAt: '2030-01-01T00:00:00+08:00' })),
        422,
        'CASE.INVALID_COMMAND',
      );
      expect((await other.intake('petition', petitionBody())).body.number).toBe('XF2026-0002');
      expect((await other.list({ pageSize: 10 })).total).toBe(4);
    } finally {
      await other.stop();
    }
  });

  it("the year is the intake's business year in Asia/Shanghai", async () => {
    const other = await TestApp.start({ clock: new TestClock('2027-01-01T00:30:00+08:00') });
    try {
      // 00:30 on 1 January in Shanghai is still 2026 in UTC.
      const newYear = await other.intake('petition', petitionBody());
      expect(newYear.body.number).toBe('XF2027-0001');
      // Recorded now, but it happened before midnight: last year's sequence.
      const lastYear = await other.intake('petition', petitionBody({ occurredAt: '2026-12-31T23:50:00+08:00' }));
      expect(lastYear.body.number).toBe('XF2026-0001');
      const second = await other.intake('petition', petitionBody());
      expect(second.body.number).toBe('XF2027-0002');
      // 2027's holidays are not published yet (chinese-days 1.5.7): deadlines there are provisional.
      expect((await other.view(newYear.body.id)).deadlines).toEqual([
        {
          milestone: 'acceptance',
          dueAt: '2027-01-15T16:30:00.000Z',
          state: 'pending',
          version: 1,
          provisional: true,
          remainingHours: 360,
        },
      ]);
      expect((await other.view(lastYear.body.id)).deadlines).toEqual([
        {
          milestone: 'acceptance',
          dueAt: '2027-01-15T15:50:00.000Z',
          state: 'pending',
          version: 1,
          provisional: true,
          remainingHours: 359.33,
        },
      ]);
    } finally {
      await other.stop();
    }
  });
});

describe('GET /api/cases filters and paging', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start({ clock: new TestClock('2026-03-02T09:00:00+08:00') });
    ids.petitionA = (await t.intake('petition', petitionBody({ title: '楼道堆物', community: '小寨社区' }))).body.id;
    t.clock.set('2026-03-03T09:00:00+08:00');
    ids.petitionB = (await t.intake('petition', petitionBody({ title: '噪音扰民 100% 超标', community: '大雁塔社区' }))).body.id;
    await t.ok(ids.petitionB, 'accept', {});
    await t.ok(ids.petitionB, 'dispatch', { unit: '大雁塔社区' });
    t.clock.set('2026-03-04T09:00:00+08:00');
    ids.hotline = (await t.intake('hotline', hotlineBody({ platformTicketNo: 'GD-FILTER-0001', community: '小寨社区' }))).body.id;
    await t.ok(ids.hotline, 'dispatch', { unit: '市政所' });
    t.clock.set('2026-03-05T09:00:00+08:00');
    ids.dispute = (await t.intake('dispute', disputeBody({ community: '大雁塔社区' }))).body.id;
    // Now: the hotline's sign deadline (04 March 11:00) has passed unreached.
    t.clock.set('2026-03-05T10:00:00+08:00');
  });
  afterAll(async () => {
    await t.stop();
  });

  async function idsOf(query: Record<string, string | number | boolean>): Promise<string[]> {
    return (await t.list(query)).items.map((item: any) => item.id);
  }

  it('lists newest registration first with total, page and pageSize', async () => {
    const page = await t.list();
    expect(page).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(page.items.map((item: any) => item.id)).toEqual([ids.dispute, ids.hotline, ids.petitionB, ids.petitionA]);
    expect(await t.list({ page: 2, pageSize: 3 })).toMatchObject({ total: 4, page: 2, pageSize: 3, items: [{ id: ids.petitionA }] });
  });

  it('filters by kind, status, unit, community, overdue, period and text, combined with AND', async () => {
    expect(await idsOf({ kind: 'petition' })).toEqual([ids.petitionB, ids.petitionA]);
    expect(await idsOf({ status: 'dispatched' })).toEqual([ids.hotline, ids.petitionB]);
    expect(await idsOf({ unit: '市政所' })).toEqual([ids.hotline]);
    expect(await idsOf({ community: '大雁塔社区' })).toEqual([ids.dispute, ids.petitionB]);
    expect(await idsOf({ overdue: true })).toEqual([ids.hotline]);
    expect(await idsOf({ overdue: false })).toEqual([ids.dispute, ids.petitionB, ids.petitionA]);
    expect(await idsOf({ from: '2026-03-03T00:00:00+08:00', to: '2026-03-05T00:00:00+08:00' })).toEqual([ids.hotline, ids.petitionB]);
    expect(await idsOf({ text: '100%' })).toEqual([ids.petitionB]);
    expect(await idsOf({ text: 'gd-filter' })).toEqual([ids.hotline]);
    expect(await idsOf({ kind: 'petition', community: '大雁塔社区', status: 'dispatched' })).toEqual([ids.petitionB]);
    expect(await idsOf({ kind: 'dispute', unit: '市政所' })).toEqual([]);
  });

  it('refuses bad filter values with 400 naming each', async () => {
    const res = await t.get('/api/cases').query({ status: 'open', overdue: 'maybe', from: '昨天', page: 0, pageSize: 101 });
    expect(fieldsOf(expectProblem(res, 400, 'REQUEST.INVALID'))).toEqual(['from', 'overdue', 'page', 'pageSize', 'status']);
  });
});

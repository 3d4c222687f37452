/**
 * Issue 8, item 5: answers that match what the README promises. A one-character name is masked
 * whole; a 12345 ticket number sent again with other content is a 409 naming the fields that
 * differ; an Idempotency-Key is scoped as docs/decisions/0004 (and the README) state: the case for
 * a lifecycle command, the organisation's petition and dispute intakes whichever endpoint, the
 * ticket's case for a hotline intake.
 */
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { TestApp, expectProblem, expectStatus } from './support/test-app';
import { CALLER, disputeBody, hotlineBody, petitionBody } from './support/bodies';

let t: TestApp;

beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(async () => {
  await t.stop();
});

function head(): Promise<bigint> {
  return t.app.get<EventStore>(EVENT_STORE).headPosition();
}

let keys = 0;
/** A fresh key per use, so that no test depends on another's. */
function freshKey(label: string): string {
  keys += 1;
  return `${label}-${keys}-${Math.random().toString(36).slice(2, 8)}`;
}

describe('masking', () => {
  it('a one-character name is masked whole; longer ones keep the family name', async () => {
    const single = await t.intake('petition', petitionBody({ petitioner: { name: '张', phone: '13812341234' } }));
    expect((await t.view(single.body.id)).personal).toMatchObject({ petitioner: { name: '*', phone: '138****1234' } });
    const caller = await t.intake('hotline', hotlineBody({ caller: { name: '李' } }));
    expect((await t.view(caller.body.id)).personal).toMatchObject({ caller: { name: '*' } });
    const double = await t.intake('petition', petitionBody({ petitioner: { name: '张三' } }));
    expect((await t.view(double.body.id)).personal).toMatchObject({ petitioner: { name: '张*' } });
  });
});

describe('a 12345 ticket number sent again', () => {
  it('as it was answers 200 with its case; with other content 409 naming every field that differs; nothing is written', async () => {
    const ticket = hotlineBody({ platformDeadline: '2026-03-09T18:00:00+08:00' });
    const first = await t.post('/api/hotline-tickets', ticket);
    expectStatus(first, 201);
    const before = await head();
    const events = (await t.history(first.body.id)).length;

    const same = await t.post('/api/hotline-tickets', { ...ticket, platformDeadline: '2026-03-09T10:00:00Z' });
    expectStatus(same, 200);
    expect(same.body).toEqual(first.body);

    const changed = await t.post('/api/hotline-tickets', {
      ...ticket,
      title: '路灯不亮（已更新）',
      urgency: 'urgent',
      platformDeadline: '2026-03-10T18:00:00+08:00',
      caller: { ...CALLER, phone: '13900000000' },
    });
    const problem = expectProblem(changed, 409, 'CASE.TICKET_CONFLICT');
    expect(problem).toMatchObject({
      caseId: first.body.id,
      number: first.body.number,
      fields: ['title', 'urgency', 'platformDeadline', 'caller.phone'],
    });
    // The answer names fields, never the values on file.
    expect(changed.text).not.toContain(CALLER.phone);
    expect(changed.text).not.toContain('13900000000');

    const withoutCaller = await t.post('/api/hotline-tickets', { ...ticket, caller: undefined });
    expect(expectProblem(withoutCaller, 409, 'CASE.TICKET_CONFLICT').fields).toEqual(['caller.name', 'caller.phone']);
    expect(await head()).toBe(before);
    expect(await t.history(first.body.id)).toHaveLength(events);
  });
});

describe('the scope of an Idempotency-Key', () => {
  it("on two intake endpoints: the organisation's intakes, whichever endpoint; the second is 422 and writes nothing", async () => {
    const key = freshKey('intake');
    const petition = await t.intake('petition', petitionBody(), { idempotencyKey: key });
    const before = await head();
    const dispute = await t.post('/api/disputes', disputeBody(), { idempotencyKey: key });
    expectProblem(dispute, 422, 'REQUEST.IDEMPOTENCY_KEY_REUSED');
    expect(await head()).toBe(before);
    // The key stays the petition's: sent there again it replays the first answer.
    const again = await t.intake('petition', petitionBody(), { idempotencyKey: key });
    expect(again.body).toEqual(petition.body);
    expect(await head()).toBe(before);
  });

  it('on two cases: each case is its own scope, so the same key is a new key on the second case', async () => {
    const a = (await t.intake('petition', petitionBody())).body.id as string;
    const b = (await t.intake('petition', petitionBody())).body.id as string;
    const key = freshKey('accept');
    const first = await t.ok(a, 'accept', {}, { idempotencyKey: key });
    const second = await t.ok(b, 'accept', {}, { idempotencyKey: key });
    expect(second.body.id).toBe(b);
    expect((await t.view(a)).status).toBe('accepted');
    expect((await t.view(b)).status).toBe('accepted');
    // On its own case the key replays, with the same body, or is refused, with another.
    const before = await head();
    expect((await t.ok(a, 'accept', {}, { idempotencyKey: key })).body).toEqual(first.body);
    expectProblem(await t.act(a, 'note', { text: '另一条' }, { idempotencyKey: key }), 422, 'REQUEST.IDEMPOTENCY_KEY_REUSED');
    expect(await head()).toBe(before);
  });

  it("on a hotline intake: the ticket's case, so a key used on a petition does not stop a ticket", async () => {
    const key = freshKey('ticket');
    await t.intake('petition', petitionBody(), { idempotencyKey: key });
    const ticket = hotlineBody();
    const first = await t.intake('hotline', ticket, { idempotencyKey: key });
    const before = await head();
    expect((await t.intake('hotline', ticket, { idempotencyKey: key })).body).toEqual(first.body);
    expectProblem(
      await t.post('/api/hotline-tickets', { ...ticket, title: '另一张工单' }, { idempotencyKey: key }),
      422,
      'REQUEST.IDEMPOTENCY_KEY_REUSED',
    );
    expect(await head()).toBe(before);
  });
});

import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from '@cases/event-store';
import { MockKafkaCluster } from './kafka-mock/mock-cluster';
import { KafkaTestApp } from './kafka-mock/kafka-test-app';
import { TopicCollector, type CollectedMessage } from './kafka-mock/topic-collector';
import {
  PlatformProducer,
  casesByTicket,
  casesForTicket,
  dispatchedTicket,
  eventStoreOf,
  eventually,
  freshTicketNo,
} from './kafka-mock/kafka-fixtures';
import { FULL_PERSONAL_VALUES } from './support/bodies';
import { SUPERVISOR } from './support/test-app';

/**
 * Tickets in (SPEC §8, issue 11): the 12345 platform's messages on `gov12345.tickets`, against
 * librdkafka's mock cluster over TCP, into the real service on the embedded store.
 */

const TICKETS = 'gov12345.tickets';
const DLQ = 'gov12345.tickets.dlq';

describe('Kafka: 12345 tickets in', () => {
  let cluster: MockKafkaCluster;
  let platform: PlatformProducer;
  let deadLetters: TopicCollector;
  let service: KafkaTestApp | undefined;
  let dataDir: string | undefined;

  const store = (): EventStore => eventStoreOf(service as KafkaTestApp);

  async function startService(env: Record<string, string> = {}): Promise<KafkaTestApp> {
    service = await KafkaTestApp.start({
      brokers: cluster.bootstrap,
      ...(dataDir ? { dataDir } : {}),
      env: { KAFKA_RELAY: 'false', ...env },
    });
    dataDir = service.dataDir;
    return service;
  }

  async function oneCaseFor(ticketNo: string): Promise<string> {
    const cases = await eventually(
      () => casesForTicket(store(), ticketNo),
      (found) => found.length > 0,
      20_000,
      `a case for ${ticketNo}`,
    );
    expect(cases).toHaveLength(1);
    return cases[0];
  }

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start();
    platform = await PlatformProducer.connect(cluster.brokers);
    deadLetters = await TopicCollector.start(cluster.brokers, [DLQ]);
    await startService();
  });

  afterAll(async () => {
    await service?.stop();
    await deadLetters?.stop();
    await platform?.disconnect();
    await cluster?.stop();
  });

  it('a dispatched ticket becomes one hotline case under the 12345 platform, however many times it arrives', async () => {
    const ticketNo = freshTicketNo();
    const value = JSON.stringify(dispatchedTicket(ticketNo));
    await platform.send(TICKETS, [{ key: ticketNo, value }]);
    await platform.send(TICKETS, [
      { key: ticketNo, value },
      { key: ticketNo, value },
    ]);
    const caseId = await oneCaseFor(ticketNo);

    const view = await (service as KafkaTestApp).t.view(caseId);
    expect(view).toMatchObject({
      kind: 'hotline',
      status: 'accepted',
      platformTicketNo: ticketNo,
      title: '路灯不亮',
      community: '小寨社区',
    });
    const history = await (service as KafkaTestApp).t.history(caseId);
    expect(history[0]).toMatchObject({
      type: 'HotlineTicketReceived',
      command: 'intake',
      actor: { id: '12345-platform', role: 'system' },
      occurredAt: '2026-03-02T00:30:00.000Z',
    });
    // The duplicates were read (the partition moved past them) and wrote nothing.
    await eventually(
      async () => (await (service as KafkaTestApp).kafkaHealth()).tickets.processed,
      (processed: number) => processed >= 3,
    );
    expect(await casesForTicket(store(), ticketNo)).toEqual([caseId]);
    expect(history.filter((event: { type: string }) => event.type === 'HotlineTicketReceived')).toHaveLength(1);
  });

  it('poison messages go to the dead-letter topic byte for byte with the reason, and the partition moves on', async () => {
    const known = freshTicketNo();
    await platform.send(TICKETS, [{ key: known, value: JSON.stringify(dispatchedTicket(known)), partition: 0 }]);
    await oneCaseFor(known);

    const run = freshTicketNo();
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    const poison: { reason: string; value: Buffer | string }[] = [
      { reason: 'unparseable', value: garbage },
      { reason: 'unparseable', value: '{"schema": "gov12345.ticket.dispatched/v1", ' },
      { reason: 'unknown-schema', value: JSON.stringify({ ...dispatchedTicket(run), schema: 'gov12345.ticket.teleported/v9' }) },
      { reason: 'unknown-schema', value: JSON.stringify({ ticketNo: run, title: '无 schema' }) },
      {
        reason: 'invalid',
        value: JSON.stringify(dispatchedTicket(run, { title: undefined, urgency: 'whenever', caller: { name: '李四', phone: '12345' } })),
      },
      { reason: 'invalid', value: JSON.stringify(dispatchedTicket(run, { surprise: true })) },
      { reason: 'refused', value: JSON.stringify(dispatchedTicket(run, { dispatchedAt: '2030-01-01T09:00:00+08:00' })) },
      // An urge and a withdrawal of a ticket not on file: nothing to urge or withdraw.
      {
        reason: 'refused',
        value: JSON.stringify({
          schema: 'gov12345.ticket.urged/v1',
          ticketNo: run,
          urgedAt: '2026-03-02T08:50:00+08:00',
          note: '请尽快处理',
        }),
      },
      {
        reason: 'refused',
        value: JSON.stringify({
          schema: 'gov12345.ticket.withdrawn/v1',
          ticketNo: run,
          withdrawnAt: '2026-03-02T08:55:00+08:00',
          reason: '市民已自行解决',
        }),
      },
    ];
    const after = freshTicketNo();
    // All on one partition, the good ticket last: it is reached only if every poison message was passed.
    await platform.send(TICKETS, [
      ...poison.map((message, index) => ({ key: run, value: message.value, partition: 0, headers: { 'x-trace': `${run}-${index}` } })),
      { key: after, value: JSON.stringify(dispatchedTicket(after)), partition: 0 },
    ]);
    await oneCaseFor(after);

    const dead = await deadLetters.waitFor(DLQ, (messages) => ofRun(messages, run).length === poison.length);
    const mine = ofRun(dead, run).sort((a, b) => traceIndex(a) - traceIndex(b));
    mine.forEach((message, index) => {
      const original = poison[index];
      expect(message.value.equals(Buffer.isBuffer(original.value) ? original.value : Buffer.from(original.value))).toBe(true);
      expect(message.key).toBe(run);
      expect(message.headers).toMatchObject({
        'x-trace': `${run}-${index}`,
        'dlq-reason': original.reason,
        'dlq-original-topic': TICKETS,
        'dlq-original-partition': '0',
      });
      expect(message.headers['dlq-detail'].length).toBeGreaterThan(0);
      // The reason names fields and rules, never the personal data the message carries.
      for (const value of FULL_PERSONAL_VALUES) expect(message.headers['dlq-detail']).not.toContain(value);
    });
    expect(mine[4].headers['dlq-detail']).toMatch(/title/);
    expect(mine[4].headers['dlq-detail']).toMatch(/urgency/);
    expect(mine[4].headers['dlq-detail']).toMatch(/caller\.phone/);
    expect(await casesForTicket(store(), run)).toEqual([]);
    // Offsets only move forward on the partition: the poison was read in order, each once.
    const offsets = mine.map((message) => BigInt(message.headers['dlq-original-offset']));
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
  });

  it('the platform urges and then withdraws a ticket: both recorded once, under the platform, however often delivered', async () => {
    const ticketNo = freshTicketNo();
    const urged = JSON.stringify({
      schema: 'gov12345.ticket.urged/v1',
      ticketNo,
      urgedAt: '2026-03-02T08:45:00+08:00',
      note: '市民再次来电',
    });
    const withdrawn = JSON.stringify({
      schema: 'gov12345.ticket.withdrawn/v1',
      ticketNo,
      withdrawnAt: '2026-03-02T08:55:00+08:00',
      reason: '市民已自行解决',
    });
    const app = service as KafkaTestApp;
    const already = (await app.kafkaHealth()).tickets.processed;
    // One key, so one partition and the platform's order; each step delivered twice (at least once).
    await platform.send(
      TICKETS,
      [JSON.stringify(dispatchedTicket(ticketNo)), urged, urged, withdrawn, withdrawn].map((value) => ({ key: ticketNo, value })),
    );
    const caseId = await oneCaseFor(ticketNo);
    const history = await eventually(
      () => app.t.history(caseId),
      (events: { type: string }[]) => events.some((event) => event.type === 'CaseWithdrawn'),
      20_000,
      'the withdrawal',
    );
    expect(history.map((event: { type: string }) => event.type)).toEqual(['HotlineTicketReceived', 'CaseUrged', 'CaseWithdrawn']);
    expect(history[1]).toMatchObject({
      command: 'urge',
      actor: { id: '12345-platform', role: 'system' },
      occurredAt: '2026-03-02T00:45:00.000Z',
    });
    expect(history[2]).toMatchObject({ command: 'withdraw', occurredAt: '2026-03-02T00:55:00.000Z' });
    const view = await app.t.view(caseId);
    expect(view).toMatchObject({
      status: 'withdrawn',
      withdrawal: { reason: '市民已自行解决', withdrawnAt: '2026-03-02T00:55:00.000Z' },
      urges: [{ urgedAt: '2026-03-02T00:45:00.000Z', note: '市民再次来电' }],
    });
    // The repeats were read and wrote nothing; none was dead-lettered.
    await eventually(
      async () => (await app.kafkaHealth()).tickets.processed,
      (processed: number) => processed >= already + 5,
    );
    expect(ofTicket(deadLetters.on(DLQ), ticketNo)).toEqual([]);
    expect((await app.t.history(caseId)).length).toBe(3);
  });

  it('a known ticket resent with other content records a correction; redeliveries write nothing; a withdrawn ticket refuses one', async () => {
    const ticketNo = freshTicketNo();
    const original = JSON.stringify(dispatchedTicket(ticketNo));
    const corrected = JSON.stringify(
      dispatchedTicket(ticketNo, { title: '路灯不亮（更正）', category: undefined, caller: { name: '王五', phone: '13700001111' } }),
    );
    const app = service as KafkaTestApp;
    // One key, one partition: the platform's order. The correction arrives twice (at least once).
    await platform.send(
      TICKETS,
      [original, corrected, corrected].map((value) => ({ key: ticketNo, value })),
    );
    const caseId = await oneCaseFor(ticketNo);
    const history = await eventually(
      () => app.t.history(caseId),
      (events: { type: string }[]) => events.some((event) => event.type === 'HotlineTicketAmended'),
      20_000,
      'the correction',
    );
    expect(history[1]).toMatchObject({
      type: 'HotlineTicketAmended',
      command: 'amend-ticket',
      actor: { id: '12345-platform', role: 'system' },
      data: { changed: ['title', 'category', 'caller'], title: '路灯不亮（更正）' },
    });
    // The caller's new values are sealed in the log: the history names the field only.
    expect(JSON.stringify(history)).not.toContain('13700001111');
    expect(JSON.stringify(history)).not.toContain('王五');
    const view = await app.t.view(caseId);
    expect(view).toMatchObject({ title: '路灯不亮（更正）', status: 'accepted' });
    expect(view.category).toBeUndefined();
    expect(JSON.stringify(view.personal)).toContain('1111');
    expect(JSON.stringify(view.personal)).not.toContain('5678');

    // Every message read again from the start of the topic (a new group): the original, though
    // older than the correction on file, is recognised as already applied, as is the correction.
    await app.stop(false);
    await startService({ KAFKA_TICKETS_GROUP: `case-service.tickets.${ticketNo}` });
    await eventually(
      () => (service as KafkaTestApp).kafkaHealth(),
      (report) => report.tickets.state === 'running' && report.tickets.partitions.every((p) => p.lag === 0),
      30_000,
      'the whole topic read again',
    );
    // Every message handled, none is held.
    expect((await (service as KafkaTestApp).kafkaHealth()).tickets.inHand).toEqual([]);
    expect((await (service as KafkaTestApp).t.history(caseId)).map((event: { type: string }) => event.type)).toEqual([
      'HotlineTicketReceived',
      'HotlineTicketAmended',
    ]);

    // Withdrawn, the ticket takes no correction: it is dead-lettered as refused.
    await (service as KafkaTestApp).t.ok(caseId, 'withdraw', { reason: '市民已自行解决' }, { as: SUPERVISOR });
    const late = JSON.stringify(dispatchedTicket(ticketNo, { title: '路灯不亮（再次更正）' }));
    await platform.send(TICKETS, [{ key: ticketNo, value: late }]);
    const dead = await deadLetters.waitFor(DLQ, (messages) => ofTicket(messages, ticketNo).length === 1);
    expect(ofTicket(dead, ticketNo)[0].headers['dlq-reason']).toBe('refused');
    expect(ofTicket(dead, ticketNo)[0].value.toString('utf8')).toBe(late);
    expect(await (service as KafkaTestApp).t.view(caseId)).toMatchObject({ status: 'withdrawn', title: '路灯不亮（更正）' });
  });

  it("an urge timed before the case's latest step (the two crossed) is recorded at that step's time, not refused", async () => {
    const ticketNo = freshTicketNo();
    await platform.send(TICKETS, [{ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)) }]);
    const caseId = await oneCaseFor(ticketNo);
    const app = service as KafkaTestApp;
    // The desk dispatches at the test clock's 09:00 (+08:00); the platform's urge of 08:50 arrives after.
    await app.t.ok(caseId, 'dispatch', { unit: '市政所' });
    await platform.send(TICKETS, [
      { key: ticketNo, value: JSON.stringify({ schema: 'gov12345.ticket.urged/v1', ticketNo, urgedAt: '2026-03-02T08:50:00+08:00' }) },
    ]);
    const history = await eventually(
      () => app.t.history(caseId),
      (events: { type: string }[]) => events.some((event) => event.type === 'CaseUrged'),
      20_000,
      'the urge',
    );
    expect(history.find((event: { type: string }) => event.type === 'CaseUrged')).toMatchObject({ occurredAt: '2026-03-02T01:00:00.000Z' });
    expect(ofTicket(deadLetters.on(DLQ), ticketNo)).toEqual([]);
  });

  it("a ticket the platform dispatched more than the back-dating window ago opens a case at the platform's dispatch time", async () => {
    const ticketNo = freshTicketNo();
    // The test clock stands at 2026-03-02 09:00 (+08:00); the window is 7 days.
    await platform.send(TICKETS, [
      {
        key: ticketNo,
        value: JSON.stringify(dispatchedTicket(ticketNo, { dispatchedAt: '2026-02-20T10:00:00+08:00', deadline: undefined })),
      },
    ]);
    const caseId = await oneCaseFor(ticketNo);
    const history = await (service as KafkaTestApp).t.history(caseId);
    expect(history[0]).toMatchObject({ type: 'HotlineTicketReceived', occurredAt: '2026-02-20T02:00:00.000Z' });
  });

  it('a service stopped mid-stream resumes where it committed; a group sent back to the start makes no second case', async () => {
    const tickets = Array.from({ length: 200 }, () => freshTicketNo());
    const already = (await (service as KafkaTestApp).kafkaHealth()).tickets.processed;
    await platform.send(
      TICKETS,
      tickets.map((ticketNo) => ({ key: ticketNo, value: JSON.stringify(dispatchedTicket(ticketNo)) })),
    );
    await eventually(
      () => (service as KafkaTestApp).kafkaHealth(),
      (health) => health.tickets.processed > already,
      20_000,
      'the first ticket',
    );
    await (service as KafkaTestApp).stop(false);
    const atStop = await countCases(tickets);
    // Stopped mid-stream: some tickets made cases, others were still on the topic.
    expect(atStop).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(tickets.length);

    await startService();
    const cases = await eventually(
      () => casesByTicket(store()),
      (found) => tickets.every((ticketNo) => found.has(ticketNo)),
      30_000,
      'every ticket after the restart',
    );
    expect(tickets.filter((ticketNo) => cases.get(ticketNo)?.length !== 1)).toEqual([]);

    // Redelivery after a rebalance, taken to the extreme: a group with no committed offset reads
    // the whole topic again (the mock cluster cannot reset a group's offsets: no DescribeGroups).
    await (service as KafkaTestApp).stop(false);
    await startService({ KAFKA_TICKETS_GROUP: 'case-service.tickets.replayed' });
    const health = await eventually(
      () => (service as KafkaTestApp).kafkaHealth(),
      (report) =>
        report.tickets.state === 'running' && report.tickets.partitions.length === 3 && report.tickets.partitions.every((p) => p.lag === 0),
      30_000,
      'the whole topic read again',
    );
    expect(health.tickets.processed).toBeGreaterThanOrEqual(tickets.length);
    expect(health.tickets.casesCreated).toBe(0);
    const again = await casesByTicket(store());
    expect(tickets.map((ticketNo) => again.get(ticketNo))).toEqual(tickets.map((ticketNo) => cases.get(ticketNo)));
  });

  async function countCases(tickets: readonly string[]): Promise<number> {
    // The service is stopped: read its log from the file.
    const file = SqliteEventStore.open(join(dataDir as string, 'events.db'));
    try {
      const found = await casesByTicket(file);
      return tickets.filter((ticketNo) => found.has(ticketNo)).length;
    } finally {
      await file.close();
    }
  }
});

function ofRun(messages: CollectedMessage[], run: string): CollectedMessage[] {
  return messages.filter((message) => message.headers['x-trace']?.startsWith(`${run}-`));
}

function traceIndex(message: CollectedMessage): number {
  return Number(message.headers['x-trace'].split('-').pop());
}

function ofTicket(messages: readonly CollectedMessage[], ticketNo: string): CollectedMessage[] {
  return messages.filter((message) => message.key === ticketNo);
}

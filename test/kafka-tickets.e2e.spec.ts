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
      { reason: 'unsupported', value: JSON.stringify(dispatchedTicket(known, { title: '路灯不亮（更新）' })) },
      {
        reason: 'unsupported',
        value: JSON.stringify({
          schema: 'gov12345.ticket.urged/v1',
          ticketNo: known,
          urgedAt: '2026-03-02T08:50:00+08:00',
          note: '请尽快处理',
        }),
      },
      {
        reason: 'unsupported',
        value: JSON.stringify({
          schema: 'gov12345.ticket.withdrawn/v1',
          ticketNo: known,
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
    expect(mine[7].headers['dlq-detail']).toMatch(/different title/);
    expect(await casesForTicket(store(), run)).toEqual([]);
    // Offsets only move forward on the partition: the poison was read in order, each once.
    const offsets = mine.map((message) => BigInt(message.headers['dlq-original-offset']));
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
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

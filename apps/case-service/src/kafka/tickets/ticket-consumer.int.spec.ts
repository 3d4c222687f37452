import { KafkaJsMessagingClient } from '@cases/messaging';
import { MockKafkaCluster } from '../../../../../test/kafka-mock/mock-cluster';
import { PlatformProducer, dispatchedTicket, eventually, freshTicketNo } from '../../../../../test/kafka-mock/kafka-fixtures';
import type { DispatchedTicket, HotlineTicketIntake, TicketMessageMeta } from './hotline-ticket-intake';
import { TicketConsumer } from './ticket-consumer';

/**
 * The ticket consumer on the mock cluster with an intake that fails the way a store does when
 * it is unavailable: the message is retried with back-off until it goes through, nothing after
 * it is handled first, and nothing is dead-lettered.
 */

const TOPIC = 'gov12345.tickets';
const DLQ = 'gov12345.tickets.dlq';

class FlakyIntake implements HotlineTicketIntake {
  readonly calls: { ticketNo: string; meta: TicketMessageMeta; ok: boolean }[] = [];

  constructor(private readonly failuresFor: Map<string, number>) {}

  async receive(ticket: DispatchedTicket, meta: TicketMessageMeta) {
    const left = this.failuresFor.get(ticket.ticketNo) ?? 0;
    if (left > 0) {
      this.failuresFor.set(ticket.ticketNo, left - 1);
      this.calls.push({ ticketNo: ticket.ticketNo, meta, ok: false });
      throw new Error('SQLITE_BUSY: database is locked');
    }
    this.calls.push({ ticketNo: ticket.ticketNo, meta, ok: true });
    return { caseId: `case-${ticket.ticketNo}`, number: 'RX2026-0001', created: true, amended: false };
  }

  async urge(): Promise<never> {
    throw new Error('not used here');
  }

  async withdraw(): Promise<never> {
    throw new Error('not used here');
  }
}

describe('ticket consumer: transient failures (librdkafka mock cluster)', () => {
  let cluster: MockKafkaCluster;
  let platform: PlatformProducer;
  let consumer: TicketConsumer | undefined;
  const warnings: string[] = [];

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start([`${TOPIC}:1`, `${DLQ}:1`]);
    platform = await PlatformProducer.connect(cluster.brokers);
  });

  afterAll(async () => {
    await consumer?.stop();
    await platform?.disconnect();
    await cluster?.stop();
  });

  it('retries a ticket the store cannot take yet, with back-off, before any later ticket, and dead-letters nothing', async () => {
    const [first, second] = [freshTicketNo(), freshTicketNo()];
    const intake = new FlakyIntake(new Map([[first, 3]]));
    consumer = new TicketConsumer({
      client: new KafkaJsMessagingClient({
        brokers: cluster.brokers,
        clientId: 'ticket-consumer-test',
        sessionTimeoutMs: 3500,
        heartbeatIntervalMs: 300,
      }),
      intake,
      topic: TOPIC,
      deadLetterTopic: DLQ,
      groupId: 'tickets-int',
      now: () => new Date('2026-03-02T01:00:00Z'),
      logger: { log: () => undefined, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
      retry: { initialMs: 100, maxMs: 400 },
    });
    await platform.send(TOPIC, [
      { key: first, value: JSON.stringify(dispatchedTicket(first)) },
      { key: second, value: JSON.stringify(dispatchedTicket(second)) },
    ]);
    const started = Date.now();
    await consumer.start();
    await eventually(
      async () => intake.calls.filter((call) => call.ok).length,
      (count) => count === 2,
      30_000,
      'both tickets',
    );

    expect(intake.calls.map((call) => `${call.ticketNo === first ? 'first' : 'second'}:${call.ok ? 'ok' : 'failed'}`)).toEqual([
      'first:failed',
      'first:failed',
      'first:failed',
      'first:ok',
      'second:ok',
    ]);
    // Every attempt at one message is the same request: the same correlation id and content hash.
    const attempts = intake.calls.filter((call) => call.ticketNo === first);
    expect(new Set(attempts.map((call) => call.meta.correlationId)).size).toBe(1);
    expect(new Set(attempts.map((call) => call.meta.contentHash)).size).toBe(1);
    expect(attempts[0].meta).toMatchObject({ topic: TOPIC, partition: 0 });
    // Back-off of 100, 200 and 400 ms between the four attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(warnings.filter((warning) => warning.includes('retrying'))).toHaveLength(3);
    // Logs name where the message is, never what it says.
    for (const warning of warnings) expect(warning).not.toMatch(/李四|13912345678/);
    await eventually(
      async () => consumer?.status(),
      (status) => status?.partitions[0]?.lag === 0n,
      10_000,
      'the commit',
    );
    expect(consumer.status()).toMatchObject({ state: 'running', processed: 2, deadLettered: 0 });
  });
});

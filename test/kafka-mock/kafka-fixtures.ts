import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import type { EventStore, RecordedEvent } from '@cases/event-store';
import { EVENT_STORE } from '@cases/event-store';
import type { KafkaTestApp } from './kafka-test-app';

/** A platform ticket number no other test uses. */
export function freshTicketNo(): string {
  return `GD${Date.now()}${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** A valid `gov12345.ticket.dispatched/v1` value (SPEC §8), overridable field by field. */
export function dispatchedTicket(ticketNo: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'gov12345.ticket.dispatched/v1',
    ticketNo,
    title: '路灯不亮',
    content: '长安南路与小寨东路交叉口路灯连续三晚不亮。',
    community: '小寨社区',
    category: '城市管理',
    urgency: 'normal',
    caller: { name: '李四', phone: '13912345678' },
    deadline: '2026-03-09T18:00:00+08:00',
    dispatchedAt: '2026-03-02T08:30:00+08:00',
    ...overrides,
  };
}

export interface TestMessage {
  key?: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
  partition?: number;
}

/** The platform's side: a plain kafkajs producer, independent of the service's messaging code. */
export class PlatformProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(brokers: readonly string[]): Promise<PlatformProducer> {
    const kafka = new Kafka({ clientId: 'test-platform', brokers: [...brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new PlatformProducer(producer);
  }

  async send(topic: string, messages: readonly TestMessage[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => ({
        key: message.key ?? null,
        value: message.value,
        ...(message.headers ? { headers: message.headers } : {}),
        ...(message.partition !== undefined ? { partition: message.partition } : {}),
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

export function eventStoreOf(app: KafkaTestApp): EventStore {
  return app.app.get<symbol, EventStore>(EVENT_STORE, { strict: false });
}

/** Every event of the global log. */
export async function wholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events.length === 0 ? 0n : events[events.length - 1].position, maxCount: 10_000 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/** For each ticket number, the case ids holding a `HotlineTicketReceived` for it: one when the intake is idempotent. */
export async function casesByTicket(store: EventStore): Promise<Map<string, string[]>> {
  const cases = new Map<string, string[]>();
  for (const event of await wholeLog(store)) {
    if (event.type !== 'HotlineTicketReceived') continue;
    const ticketNo = (event.data as { platformTicketNo: string }).platformTicketNo;
    cases.set(ticketNo, [...(cases.get(ticketNo) ?? []), (event.metadata as { caseId: string }).caseId]);
  }
  return cases;
}

export async function casesForTicket(store: EventStore, ticketNo: string): Promise<string[]> {
  return (await casesByTicket(store)).get(ticketNo) ?? [];
}

export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/** A message as a test sees it: everything that left the service, bytes included. */
export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const DEFAULT_WAIT_MS = 20_000;
const POLL_MS = 25;

/**
 * Reads topics from their beginning with a consumer group of its own, independent of the
 * service's messaging code, and keeps every message it sees. The suites start one per cluster
 * and wait on it instead of joining a group per assertion (a join takes seconds on the mock).
 */
export class TopicCollector {
  readonly messages: CollectedMessage[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: readonly string[], topics: readonly string[]): Promise<TopicCollector> {
    const kafka = new Kafka({
      clientId: 'test-collector',
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    // The mock cluster answers a fetch only when its wait is over, new messages or not: keep it short.
    const consumer = kafka.consumer({
      groupId: `test-collector-${randomUUID()}`,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 50,
      allowAutoTopicCreation: false,
    });
    const collector = new TopicCollector(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = (Array.isArray(value) ? value.map(String) : [String(value)]).join(',');
        }
        collector.messages.push({
          topic,
          partition,
          offset: BigInt(message.offset),
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value ?? Buffer.alloc(0),
          headers,
        });
      },
    });
    await joined;
    return collector;
  }

  on(topic: string): CollectedMessage[] {
    return this.messages.filter((message) => message.topic === topic);
  }

  /** Waits until `done` holds for the messages of `topic`; fails with what was seen after `timeoutMs`. */
  async waitFor(topic: string, done: (messages: CollectedMessage[]) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<CollectedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.on(topic);
      if (done(messages)) return messages;
      if (Date.now() > deadline) {
        throw new Error(`Waited ${timeoutMs} ms on topic ${topic}; saw ${messages.length} message(s)`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

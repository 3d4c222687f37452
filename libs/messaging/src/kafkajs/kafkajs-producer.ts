import { Partitioners, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import type { MessageProducer, OutgoingMessage } from '../messaging.port';
import { toKafkaJsHeaders } from './kafkajs-headers';

/** Acknowledged by every in-sync replica. */
const ACKS_ALL = -1;

/**
 * Not idempotent (librdkafka's mock cluster, used by the tests, has no controller and refuses
 * idempotent producers), so ordering under retries comes from allowing one request in flight per
 * broker: a retried request can never be overtaken by the next one. The default partitioner is
 * the Java client's murmur2, so a key lands on the partition any other client would choose.
 */
export class KafkaJsProducer implements MessageProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, TopicMessages>();
    for (const message of messages) {
      let entry = byTopic.get(message.topic);
      if (!entry) {
        entry = { topic: message.topic, messages: [] };
        byTopic.set(message.topic, entry);
      }
      entry.messages.push({ key: message.key, value: message.value, headers: toKafkaJsHeaders(message.headers) });
    }
    await this.producer.sendBatch({ acks: ACKS_ALL, topicMessages: [...byTopic.values()] });
  }

  async disconnect(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (!connecting) return;
    await connecting.catch(() => undefined);
    await this.producer.disconnect();
  }
}

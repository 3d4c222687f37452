import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { ConsumerOptions, MessageConsumer, MessageProducer, MessagingClient, MessagingLogger, PartitionEnd } from '../messaging.port';
import { KafkaJsConsumer } from './kafkajs-consumer';
import { KafkaJsProducer } from './kafkajs-producer';

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaJsClientOptions {
  /** Bootstrap list, `host:port` each. */
  brokers: readonly string[];
  clientId: string;
  /** TLS to the brokers with the system's trusted CAs. */
  ssl?: boolean;
  sasl?: KafkaSasl;
  /** Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Consumer group session: a member silent this long is dropped. Default 30000 ms. */
  sessionTimeoutMs?: number;
  /** How often a member tells the coordinator it is alive, also while a handler runs. Default 3000 ms. */
  heartbeatIntervalMs?: number;
  /**
   * Longest a fetch waits on the broker for new messages. It also bounds how long stopping a
   * consumer takes (the fetch in flight is awaited). Default 1000 ms.
   */
  fetchMaxWaitMs?: number;
  /** Partitions of one consumer handled at the same time (each still strictly in order). Default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * How long stopping a consumer waits for a handler in flight before leaving it behind (its
   * message is not committed and comes again). Default 10000 ms.
   */
  stopGraceMs?: number;
  /** How many times the client retries a failed request before reporting it. Default 3. */
  requestRetries?: number;
  /** Where the client reports connection trouble; silent when absent. */
  logger?: MessagingLogger;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 3000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 3000;
const DEFAULT_REQUEST_RETRIES = 3;
const DEFAULT_FETCH_MAX_WAIT_MS = 1000;
const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * The messaging port on kafkajs 2.x. Everything kafkajs-specific lives in this folder; another
 * KafkaJS-compatible client replaces it here without touching a caller.
 */
export class KafkaJsMessagingClient implements MessagingClient {
  private readonly kafka: Kafka;

  constructor(private readonly options: KafkaJsClientOptions) {
    const logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ssl: options.ssl ?? false,
      ...(options.sasl ? { sasl: options.sasl as SASLOptions } : {}),
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      retry: { retries: options.requestRetries ?? DEFAULT_REQUEST_RETRIES, initialRetryTime: 100, maxRetryTime: 5000 },
      logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
      logCreator:
        () =>
        ({ namespace, level, log }: LogEntry) => {
          if (!logger) return;
          // Only the message: kafkajs entries never carry payloads, but extra fields may grow.
          const text = `${namespace}: ${log.message}`;
          if (level <= logLevel.ERROR) logger.error(text);
          else logger.warn(text);
        },
    });
  }

  producer(): MessageProducer {
    return new KafkaJsProducer(this.kafka);
  }

  consumer(options: ConsumerOptions): MessageConsumer {
    return new KafkaJsConsumer(this.kafka, options, {
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      fetchMaxWaitMs: this.options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      stopGraceMs: this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    });
  }

  async topicEnds(topic: string): Promise<PartitionEnd[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map(({ partition, high }) => ({ partition, offset: high })).sort((a, b) => a.partition - b.partition);
    } finally {
      await admin.disconnect();
    }
  }
}

import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from '../backoff';
import type {
  ConsumerOptions,
  ConsumerState,
  ConsumerStatus,
  IncomingMessage,
  MessageConsumer,
  MessageInHand,
  PartitionLag,
  RetryBackoff,
} from '../messaging.port';
import { fromKafkaJsHeaders } from './kafkajs-headers';

export interface KafkaJsConsumerTiming {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  fetchMaxWaitMs: number;
  partitionsConsumedConcurrently: number;
  /** How long `stop()` waits for a handler in flight before leaving it behind. */
  stopGraceMs: number;
}

const DEFAULT_HANDLER_RETRY: RetryBackoff = { initialMs: 200, maxMs: 30_000 };
/** Delay before building a new kafkajs consumer after one could not connect or gave up. */
const RELAUNCH_BACKOFF: RetryBackoff = { initialMs: 500, maxMs: 30_000 };
/** Coordinator answers meaning this member must rejoin: the partition may go elsewhere. */
const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A group consumer on kafkajs with the port's guarantees: each partition's messages go to the
 * handler one at a time, in order; an offset is committed only after its handler resolved; a
 * failing handler gets the same message again after a back-off, never the next one.
 *
 * kafkajs sends heartbeats only between fetches or when asked to, so while a handler runs (and
 * while it waits to retry) a timer keeps asking: long work never costs the group membership. When
 * the coordinator answers that the group is rebalancing, the handler's signal aborts so the member
 * can rejoin quickly instead of being expelled.
 */
export class KafkaJsConsumer implements MessageConsumer {
  private consumer: Consumer | undefined;
  private stopping = new AbortController();
  /** Aborted once the consumer has been stopping for `stopGraceMs`: a handler still running is left behind. */
  private abandoning = new AbortController();
  private state: ConsumerState = 'stopped';
  private lastError: string | undefined;
  private readonly partitions = new Map<string, PartitionLag>();
  /** The message each partition's handler is working on, and since when (epoch ms). */
  private readonly inHand = new Map<string, Omit<MessageInHand, 'heldMs'> & { since: number }>();
  private relaunchTimer: NodeJS.Timeout | undefined;
  private launchFailures = 0;
  private readonly retry: RetryBackoff;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly timing: KafkaJsConsumerTiming,
  ) {
    this.retry = options.retry ?? DEFAULT_HANDLER_RETRY;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.stopping = new AbortController();
    this.abandoning = new AbortController();
    this.state = 'connecting';
    this.launchFailures = 0;
    this.launch();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.stopping.abort();
    clearTimeout(this.relaunchTimer);
    this.relaunchTimer = undefined;
    const consumer = this.consumer;
    this.consumer = undefined;
    // Waits for the batch in flight (its handler sees the abort), then leaves the group. A
    // handler that does not end within the grace is left behind, so a stuck one cannot hold up
    // shutdown: its message is not committed and comes again, and handlers are idempotent.
    const grace = setTimeout(() => this.abandoning.abort(), this.timing.stopGraceMs);
    try {
      await consumer?.disconnect().catch(() => undefined);
    } finally {
      clearTimeout(grace);
    }
    this.partitions.clear();
    this.inHand.clear();
  }

  status(): ConsumerStatus {
    return {
      state: this.state,
      ...(this.lastError !== undefined && this.state !== 'running' ? { lastError: this.lastError } : {}),
      partitions: [...this.partitions.values()].map((partition) => ({ ...partition })),
      inHand: [...this.inHand.values()].map(({ since, ...message }) => ({ ...message, heldMs: Date.now() - since })),
    };
  }

  private launch(): void {
    if (this.stopping.signal.aborted) return;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.timing.sessionTimeoutMs,
      heartbeatInterval: this.timing.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(this.timing.sessionTimeoutMs * 2, 10_000),
      maxWaitTimeInMs: this.timing.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.state = 'running';
      this.lastError = undefined;
      this.launchFailures = 0;
      this.keepAssigned(payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer !== consumer || this.stopping.signal.aborted) return;
      this.state = 'failing';
      this.lastError = errorText(payload.error);
      // kafkajs restarts itself after a retriable crash; after any other it has stopped for good.
      if (!payload.restart) this.relaunch(consumer);
    });
    void (async () => {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.timing.partitionsConsumedConcurrently,
          eachBatch: (payload) => this.eachBatch(consumer, payload),
        });
      } catch (error) {
        if (this.consumer !== consumer || this.stopping.signal.aborted) return;
        this.state = 'failing';
        this.lastError = errorText(error);
        this.relaunch(consumer);
      }
    })();
  }

  private relaunch(failed: Consumer): void {
    this.launchFailures += 1;
    const delayMs = backoffDelay(this.launchFailures, RELAUNCH_BACKOFF);
    void failed.disconnect().catch(() => undefined);
    if (this.consumer === failed) this.consumer = undefined;
    clearTimeout(this.relaunchTimer);
    this.relaunchTimer = setTimeout(() => {
      this.relaunchTimer = undefined;
      this.launch();
    }, delayMs);
  }

  private keepAssigned(assignment: Record<string, number[]>): void {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) assigned.add(`${topic}/${partition}`);
    }
    for (const key of [...this.partitions.keys()]) if (!assigned.has(key)) this.partitions.delete(key);
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping.signal.aborted) return;
      const incoming = toIncoming(batch.topic, batch.partition, message);
      const handled = await this.deliver(incoming, heartbeat);
      // Not handled: stopping or rebalancing. The offset stays where it was; the message comes again.
      if (!handled) return;
      resolveOffset(message.offset);
      const next = (BigInt(message.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      this.recordProgress(batch.topic, batch.partition, next, batch.highWatermark);
    }
  }

  /** Hands the message to the handler until it succeeds; false when aborted first. */
  private async deliver(message: IncomingMessage, heartbeat: () => Promise<void>): Promise<boolean> {
    const delivery = new AbortController();
    const abort = () => delivery.abort();
    this.stopping.signal.addEventListener('abort', abort, { once: true });
    const beat = setInterval(() => {
      heartbeat().catch((error: { type?: string }) => {
        if (error && typeof error.type === 'string' && REBALANCING.has(error.type)) delivery.abort();
      });
    }, this.timing.heartbeatIntervalMs);
    const key = `${message.topic}/${message.partition}`;
    const held = { topic: message.topic, partition: message.partition, offset: message.offset, attempt: 1, since: Date.now() };
    this.inHand.set(key, held);
    try {
      for (let attempt = 1; ; attempt++) {
        if (delivery.signal.aborted) return false;
        held.attempt = attempt;
        try {
          // False when left behind by a stop that outwaited its grace: not committed, it comes again.
          return await unlessAbandoned(this.options.handle(message, { attempt, signal: delivery.signal }), this.abandoning.signal);
        } catch (error) {
          if (delivery.signal.aborted) return false;
          const retryInMs = backoffDelay(attempt, this.retry);
          this.options.onHandlerError?.(error, message, attempt, retryInMs);
          await sleep(retryInMs, delivery.signal);
        }
      }
    } finally {
      clearInterval(beat);
      this.stopping.signal.removeEventListener('abort', abort);
      if (this.inHand.get(key) === held) this.inHand.delete(key);
    }
  }

  private recordProgress(topic: string, partition: number, committedOffset: string, highWatermark: string): void {
    const behind = BigInt(highWatermark) - BigInt(committedOffset);
    this.partitions.set(`${topic}/${partition}`, {
      topic,
      partition,
      committedOffset,
      highWatermark,
      lag: behind > 0n ? behind : 0n,
    });
  }
}

function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: fromKafkaJsHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

/**
 * True once `handling` resolves; false when `abandoned` aborts first, from then on ignoring how
 * `handling` ends (its rejection included: it is handled here either way).
 */
function unlessAbandoned(handling: Promise<void>, abandoned: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const abandon = () => resolve(false);
    if (abandoned.aborted) abandon();
    else abandoned.addEventListener('abort', abandon, { once: true });
    // Settling after `abandon` changes nothing: the promise is already resolved.
    handling.then(
      () => {
        abandoned.removeEventListener('abort', abandon);
        resolve(true);
      },
      (error: unknown) => {
        abandoned.removeEventListener('abort', abandon);
        reject(error);
      },
    );
  });
}

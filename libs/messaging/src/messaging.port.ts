/**
 * The messaging port: the little of Kafka the service uses, so the client library behind it can
 * be swapped in one folder (docs/decisions/0010-kafka-client-behind-a-port.md). No admin
 * operations (topics are the platform's to create), no transactions, no exactly-once: producers
 * acknowledge with all in-sync replicas, consumers commit a message's offset only after its
 * handler succeeded, so delivery is at least once and every handler must be idempotent.
 */

/** One header as it travels: Kafka allows a name more than once, so headers are a list. */
export interface MessageHeader {
  name: string;
  value: Buffer;
}

export interface OutgoingMessage {
  topic: string;
  /** Partitioning key: messages with the same key land on one partition, in order. Never personal data. */
  key: string | Buffer | null;
  value: Buffer;
  headers?: readonly MessageHeader[];
}

export interface MessageProducer {
  connect(): Promise<void>;
  /**
   * Resolves once every message is acknowledged by all in-sync replicas. Messages with the same
   * topic and key are written in array order, and a send that is retried inside the client never
   * overtakes an earlier one. A rejection says nothing about which messages landed: send them
   * again (consumers deduplicate).
   */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string the protocol gives. */
  offset: string;
  key: Buffer | null;
  /** Null for a tombstone. */
  value: Buffer | null;
  headers: readonly MessageHeader[];
  /** Broker or producer timestamp, milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}

export interface DeliveryContext {
  /** 1 for the first delivery of the message to this consumer, then 2, 3… after each failure. */
  attempt: number;
  /**
   * Aborted when this consumer is stopping or losing the partition. A handler should end its
   * waits; whatever it has not finished is not committed and the message comes again (here or
   * on another member).
   */
  signal: AbortSignal;
}

/**
 * Handles one message. Resolving commits its offset; rejecting hands the same message again
 * after a back-off, for as long as it takes: a message is never skipped. A handler that decides a
 * message can never succeed (a poison message) deals with it itself (a dead-letter topic) and
 * resolves.
 */
export type MessageHandler = (message: IncomingMessage, context: DeliveryContext) => Promise<void>;

export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the earliest message (true) or new ones only. */
  fromBeginning: boolean;
  handle: MessageHandler;
  /** Delay before handing a failed message again, doubled after each failure up to `maxMs`. */
  retry?: RetryBackoff;
  /** Told about each failed attempt, for logs and metrics (not for deciding anything). */
  onHandlerError?: (error: unknown, message: IncomingMessage, attempt: number, retryInMs: number) => void;
}

/** What the consumer knows of one assigned partition, from its last fetch and its last commit. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset to consume (the last committed offset). */
  committedOffset: string;
  /** End of the partition's log at the last fetch. */
  highWatermark: string;
  /** highWatermark − committedOffset, never negative. */
  lag: bigint;
}

export type ConsumerState = 'stopped' | 'connecting' | 'running' | 'failing';

/** A message a handler is working on now: a long `heldMs` (or a high `attempt`) is a handler stuck or failing. */
export interface MessageInHand {
  topic: string;
  partition: number;
  offset: string;
  /** The attempt under way (1 for the first). */
  attempt: number;
  /** Since the message was first handed to the handler. */
  heldMs: number;
}

export interface ConsumerStatus {
  state: ConsumerState;
  /** The last connection or group error, until the consumer is running again. */
  lastError?: string;
  partitions: PartitionLag[];
  inHand: MessageInHand[];
}

export interface MessageConsumer {
  /**
   * Joins the group and starts delivering. Resolves once the client runs, not when the group is
   * joined; a broker that cannot be reached is retried in the background (see `status`).
   */
  start(): Promise<void>;
  /**
   * Aborts handler retries, waits for the handler in flight (for a bounded grace, after which it is
   * left behind and its message, not committed, comes again), leaves the group.
   */
  stop(): Promise<void>;
  status(): ConsumerStatus;
}

/** Where a partition's log ends: the offset the next message written to it will get. */
export interface PartitionEnd {
  partition: number;
  offset: string;
}

export interface MessagingClient {
  producer(): MessageProducer;
  consumer(options: ConsumerOptions): MessageConsumer;
  /**
   * The end of each of the topic's partitions, now. Read-only (no topic is created or changed): a
   * one-off reader (the dead-letter replay) knows with it when it has read everything there was.
   */
  topicEnds(topic: string): Promise<PartitionEnd[]>;
}

/** Where a client reports its own trouble (connection errors, rebalances). */
export interface MessagingLogger {
  error(message: string): void;
  warn(message: string): void;
}

/** Reads a header as text (UTF-8); undefined when absent. The first occurrence wins. */
export function headerText(headers: readonly MessageHeader[], name: string): string | undefined {
  const header = headers.find((candidate) => candidate.name === name);
  return header === undefined ? undefined : header.value.toString('utf8');
}

/** A header from text. */
export function textHeader(name: string, value: string): MessageHeader {
  return { name, value: Buffer.from(value, 'utf8') };
}

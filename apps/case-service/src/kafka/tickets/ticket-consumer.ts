import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { v5 as uuidv5 } from 'uuid';
import {
  textHeader,
  type ConsumerStatus,
  type IncomingMessage,
  type MessageConsumer,
  type MessageHeader,
  type MessageProducer,
  type MessagingClient,
} from '@cases/messaging';
import { TicketNotApplicableError, type HotlineTicketIntake, type TicketMessageMeta } from './hotline-ticket-intake';
import { TICKET_SCHEMAS, parseTicketMessage, type TicketMessage } from './ticket-messages';

/** Header names on a dead-lettered message, beside the original headers (SPEC §8). */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq-reason',
  detail: 'dlq-detail',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  failedAt: 'dlq-failed-at',
} as const;

/**
 * Every value `dlq-reason` takes. (Earlier builds also wrote `unsupported`, for a ticket resent
 * with other content; `replay-dlq` now records such a message as a correction of the ticket.)
 */
export type DeadLetterReason = 'unparseable' | 'unknown-schema' | 'invalid' | 'refused';

const DETAIL_MAX_LENGTH = 1000;
/** Namespace of the correlation ids given to commands from Kafka messages (one id per topic, partition and offset). */
const MESSAGE_ID_NAMESPACE = 'f3b2a0c4-5d1e-4f7a-9b8c-2e6d4a1f0c93';

export interface TicketConsumerStatus extends ConsumerStatus {
  processed: number;
  casesCreated: number;
  deadLettered: number;
}

export interface TicketConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface TicketConsumerOptions {
  client: MessagingClient;
  intake: HotlineTicketIntake;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  now: () => Date;
  logger: TicketConsumerLogger;
  /** Back-off between attempts at a message that failed for a transient reason. */
  retry?: { initialMs: number; maxMs: number };
}

/**
 * Tickets in (SPEC §8): each message on `gov12345.tickets` becomes a call on the ticket intake.
 * A message that can never be applied (unparseable, unknown schema, invalid, refused by the
 * case service) is copied byte for byte to the dead-letter topic with headers
 * naming the reason, and the partition moves on. Anything else (the store unavailable, the
 * dead-letter topic unreachable) fails the attempt: the messaging port hands the same message
 * again after a back-off and commits nothing past it until it succeeds.
 *
 * Logs name the ticket's topic, partition and offset and the reason, never message content,
 * which carries personal data.
 */
export class TicketConsumer {
  private readonly consumer: MessageConsumer;
  private readonly deadLetters: MessageProducer;
  /** Messages handled; a message delivered again (after a rebalance) counts again. */
  private processed = 0;
  /** Cases the intake opened: a ticket delivered again opens none. */
  private casesCreated = 0;
  private deadLettered = 0;

  constructor(private readonly options: TicketConsumerOptions) {
    this.deadLetters = options.client.producer();
    this.consumer = options.client.consumer({
      groupId: options.groupId,
      topics: [options.topic],
      fromBeginning: true,
      handle: (message) => this.handle(message),
      ...(options.retry ? { retry: options.retry } : {}),
      onHandlerError: (error, message, attempt, retryInMs) =>
        options.logger.warn(
          `Ticket ${where(message)} failed (attempt ${attempt}: ${error instanceof Error ? error.message : String(error)}); retrying in ${retryInMs} ms`,
        ),
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.deadLetters.disconnect().catch(() => undefined);
  }

  status(): TicketConsumerStatus {
    return { ...this.consumer.status(), processed: this.processed, casesCreated: this.casesCreated, deadLettered: this.deadLettered };
  }

  private async handle(message: IncomingMessage): Promise<void> {
    const parsed = parseTicketMessage(message.value);
    if (!parsed.ok) return this.deadLetter(message, parsed.poison.reason, parsed.poison.detail);
    const meta = messageMeta(message, parsed.message);
    try {
      await this.apply(parsed.message, meta);
    } catch (error) {
      if (error instanceof TicketNotApplicableError) return this.deadLetter(message, error.reason, error.detail);
      throw error;
    }
    this.processed += 1;
  }

  private async apply(message: TicketMessage, meta: TicketMessageMeta): Promise<void> {
    if (await applyTicketMessage(this.options.intake, message, meta)) this.casesCreated += 1;
  }

  /** Copies the message, bytes and headers unchanged, to the dead-letter topic; a failure here is transient. */
  private async deadLetter(message: IncomingMessage, reason: DeadLetterReason, detail: string): Promise<void> {
    const headers: MessageHeader[] = [
      ...message.headers.filter((header) => !Object.values(DEAD_LETTER_HEADERS).includes(header.name as never)),
      textHeader(DEAD_LETTER_HEADERS.reason, reason),
      textHeader(DEAD_LETTER_HEADERS.detail, detail.slice(0, DETAIL_MAX_LENGTH)),
      textHeader(DEAD_LETTER_HEADERS.topic, message.topic),
      textHeader(DEAD_LETTER_HEADERS.partition, String(message.partition)),
      textHeader(DEAD_LETTER_HEADERS.offset, message.offset),
      textHeader(DEAD_LETTER_HEADERS.failedAt, this.options.now().toISOString()),
    ];
    await this.deadLetters.send([
      {
        topic: this.options.deadLetterTopic,
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers,
      },
    ]);
    this.deadLettered += 1;
    this.options.logger.warn(`Ticket ${where(message)} sent to ${this.options.deadLetterTopic}: ${reason}: ${detail}`);
  }
}

/**
 * Hands one valid platform message to the intake: true when it opened a case. Throws what the
 * intake throws (`TicketNotApplicableError` for a message that can never apply). Shared by the
 * consumer and the dead-letter replay.
 */
export async function applyTicketMessage(intake: HotlineTicketIntake, message: TicketMessage, meta: TicketMessageMeta): Promise<boolean> {
  switch (message.schema) {
    case TICKET_SCHEMAS.dispatched: {
      const { ticket } = message;
      const result = await intake.receive(
        {
          ticketNo: ticket.ticketNo,
          title: ticket.title,
          content: ticket.content,
          community: ticket.community,
          ...(ticket.category !== undefined ? { category: ticket.category } : {}),
          urgency: ticket.urgency,
          ...(ticket.caller !== undefined ? { caller: { ...ticket.caller } } : {}),
          ...(ticket.deadline !== undefined ? { deadline: ticket.deadline } : {}),
          dispatchedAt: ticket.dispatchedAt,
        },
        meta,
      );
      return result.created;
    }
    case TICKET_SCHEMAS.urged: {
      const { ticket } = message;
      await intake.urge(
        { ticketNo: ticket.ticketNo, urgedAt: ticket.urgedAt, ...(ticket.note !== undefined ? { note: ticket.note } : {}) },
        meta,
      );
      return false;
    }
    case TICKET_SCHEMAS.withdrawn: {
      const { ticket } = message;
      await intake.withdraw({ ticketNo: ticket.ticketNo, withdrawnAt: ticket.withdrawnAt, reason: ticket.reason }, meta);
      return false;
    }
    default: {
      const unexpected: never = message;
      throw new Error(`Unhandled ticket schema ${(unexpected as { schema: string }).schema}`);
    }
  }
}

function where(message: IncomingMessage): string {
  return `${message.topic}/${message.partition}@${message.offset}`;
}

/** Where the message came from and what it says, as the intake keys redeliveries. */
export function messageMeta(message: IncomingMessage, parsed: TicketMessage): TicketMessageMeta {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    correlationId: uuidv5(`${message.topic}/${message.partition}/${message.offset}`, MESSAGE_ID_NAMESPACE),
    contentHash: createHash('sha256')
      .update(`${parsed.schema}\n${stringify(parsed.ticket)}`)
      .digest('hex'),
  };
}

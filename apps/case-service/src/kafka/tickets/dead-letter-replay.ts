import { headerText, type IncomingMessage, type MessagingClient } from '@cases/messaging';
import { TicketNotApplicableError, type HotlineTicketIntake } from './hotline-ticket-intake';
import { DEAD_LETTER_HEADERS, applyTicketMessage, messageMeta } from './ticket-consumer';
import { parseTicketMessage } from './ticket-messages';

export interface DeadLetterReplayOptions {
  client: MessagingClient;
  intake: HotlineTicketIntake;
  deadLetterTopic: string;
  /** A group of its own per run: the replay reads the whole topic each time. */
  groupId: string;
  /** Longest the run may take; what was not read by then is reported as not reached. */
  timeoutMs: number;
  retry?: { initialMs: number; maxMs: number };
}

/** One dead-lettered message that still cannot be applied, named by where it first arrived; never its content. */
export interface StillFailing {
  original: string;
  reason: string;
  detail: string;
}

export interface DeadLetterReplayResult {
  /** Messages read from the dead-letter topic. */
  read: number;
  /** Applied now (or already applied: the intake is idempotent). */
  applied: number;
  casesCreated: number;
  stillFailing: StillFailing[];
  /** Messages that were on the topic at the start and were not reached before the timeout. */
  notReached: number;
}

/**
 * `kafka replay-dlq`: after a fix (a release that supports a message, a ticket that has arrived
 * since), feeds every message on the dead-letter topic back through the ticket intake, as the
 * consumer would have. The topic is read from its start to where it ended when the run began, with
 * a consumer group of the run's own, so each run sees everything and no run hides a message from
 * the next. Applying a message twice writes nothing the second time (one case per ticket number;
 * an urge or a withdrawal carries an idempotency key derived from its content), so messages fixed
 * by an earlier run are harmless. A message that still cannot be applied stays where it is, on the
 * dead-letter topic, and is reported; it is not dead-lettered a second time. Transient failures
 * (the store away) are retried as by the consumer.
 */
export async function replayDeadLetters(options: DeadLetterReplayOptions): Promise<DeadLetterReplayResult> {
  const ends = new Map((await options.client.topicEnds(options.deadLetterTopic)).map((end) => [end.partition, BigInt(end.offset)]));
  const result: DeadLetterReplayResult = { read: 0, applied: 0, casesCreated: 0, stillFailing: [], notReached: 0 };
  const reached = new Map<number, bigint>();
  const remaining = () => [...ends].reduce((sum, [partition, end]) => sum + Number(end - (reached.get(partition) ?? 0n)), 0);
  if (remaining() === 0) return result;

  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const consumer = options.client.consumer({
    groupId: options.groupId,
    topics: [options.deadLetterTopic],
    fromBeginning: true,
    ...(options.retry ? { retry: options.retry } : {}),
    handle: async (message) => {
      const end = ends.get(message.partition) ?? 0n;
      // Written after the run began (by the live consumer): the next run's.
      if (BigInt(message.offset) >= end) return;
      await replayOne(message, options.intake, result);
      reached.set(message.partition, BigInt(message.offset) + 1n);
      if (remaining() <= 0) finished();
    },
  });
  await consumer.start();
  const timer = setTimeout(finished, options.timeoutMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
  result.notReached = Math.max(0, remaining());
  return result;
}

async function replayOne(message: IncomingMessage, intake: HotlineTicketIntake, result: DeadLetterReplayResult): Promise<void> {
  // The original delivery's coordinates: the correlation id of the commands is the one it had.
  const original = {
    ...message,
    topic: headerText(message.headers, DEAD_LETTER_HEADERS.topic) ?? message.topic,
    partition: Number(headerText(message.headers, DEAD_LETTER_HEADERS.partition) ?? message.partition),
    offset: headerText(message.headers, DEAD_LETTER_HEADERS.offset) ?? message.offset,
  };
  const where = `${original.topic}/${original.partition}@${original.offset}`;
  result.read += 1;
  const parsed = parseTicketMessage(message.value);
  if (!parsed.ok) {
    result.stillFailing.push({ original: where, reason: parsed.poison.reason, detail: parsed.poison.detail });
    return;
  }
  try {
    if (await applyTicketMessage(intake, parsed.message, messageMeta(original, parsed.message))) result.casesCreated += 1;
    result.applied += 1;
  } catch (error) {
    if (!(error instanceof TicketNotApplicableError)) throw error;
    result.stillFailing.push({ original: where, reason: error.reason, detail: error.detail });
  }
}

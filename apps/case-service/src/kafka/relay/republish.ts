import type { EventStore } from '@cases/event-store';
import type { MessageProducer, RetryBackoff } from '@cases/messaging';
import { CaseEventRelay } from './case-event-relay';
import type { PersonPseudonyms } from './person-pseudonyms';
import type { RelayCheckpoint } from './relay-checkpoint';

export interface RepublishOptions {
  store: EventStore;
  producer: MessageProducer;
  pseudonyms: PersonPseudonyms;
  topics: { caseEvents: string; status: string | null };
  /** First log position to publish again. */
  from: bigint;
  batchSize: number;
  retry: RetryBackoff;
  /** Gives up when Kafka has not taken the events by then. */
  timeoutMs: number;
  onProgress?: (position: bigint, upTo: bigint) => void;
}

export interface RepublishResult {
  from: bigint;
  /** The log's head when the run began: the last position published. */
  upTo: bigint;
  messages: number;
}

/** Where a one-off run stands: in memory, so the live relay's own checkpoint is never moved. */
class RunCheckpoint implements RelayCheckpoint {
  constructor(public position: bigint) {}
  async read(): Promise<bigint> {
    return this.position;
  }
  async write(position: bigint): Promise<void> {
    this.position = position;
  }
  async close(): Promise<void> {}
}

/**
 * `kafka republish --from <position>`: publishes the log's case events again from `from` up to the
 * head as it stood when the run began, exactly as the relay published them (same keys, headers and
 * values, people replaced by the same references), for a consumer that lost them. It leaves the
 * relay's checkpoint alone and can run while the service runs: consumers deduplicate by `event-id`
 * (at least once, docs/decisions/0010), so what the relay also sends meanwhile is harmless.
 */
export async function republishCaseEvents(options: RepublishOptions): Promise<RepublishResult> {
  const upTo = await options.store.headPosition();
  const from = options.from < 1n ? 1n : options.from;
  if (from > upTo) return { from, upTo, messages: 0 };
  const checkpoint = new RunCheckpoint(from - 1n);
  let lastError: string | undefined;
  const relay = new CaseEventRelay({
    store: options.store,
    producer: options.producer,
    checkpoint,
    pseudonyms: options.pseudonyms,
    topics: options.topics,
    batchSize: options.batchSize,
    retry: options.retry,
    logger: { log: () => undefined, error: (message) => (lastError = message) },
    now: () => new Date(),
  });
  const deadline = Date.now() + options.timeoutMs;
  await relay.start();
  try {
    while (checkpoint.position < upTo) {
      if (Date.now() > deadline) {
        throw new Error(`Kafka took the events only up to position ${checkpoint.position} of ${upTo}${lastError ? `: ${lastError}` : ''}`);
      }
      options.onProgress?.(checkpoint.position, upTo);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    options.onProgress?.(checkpoint.position, upTo);
    return { from, upTo, messages: relay.status(upTo).published };
  } finally {
    await relay.close();
  }
}

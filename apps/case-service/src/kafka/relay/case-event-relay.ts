import { caseStreamId, decodeCaseEvent } from '@cases/domain';
import type { EventStore, RecordedEvent, Subscription } from '@cases/event-store';
import { backoffDelay, type MessageProducer, type OutgoingMessage, type RetryBackoff } from '@cases/messaging';
import type { PersonPseudonyms } from './person-pseudonyms';
import { caseEventMessage, loggedCaseEvent, platformStatusMessage, platformStatusOf, type LoggedCaseEvent } from './published-messages';
import type { RelayCheckpoint } from './relay-checkpoint';

export interface CaseEventRelayLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface CaseEventRelayOptions {
  store: EventStore;
  producer: MessageProducer;
  checkpoint: RelayCheckpoint;
  pseudonyms: PersonPseudonyms;
  /** `status: null`: case events only (a re-publication that must not repeat the platform's statuses). */
  topics: { caseEvents: string; status: string | null };
  batchSize: number;
  retry: RetryBackoff;
  logger: CaseEventRelayLogger;
  now: () => Date;
}

/** `stopped`: this instance does not hold the relay's lease (another one publishes) or is shutting down. */
export type RelayState = 'stopped' | 'running' | 'degraded';

export interface RelayStatus {
  state: RelayState;
  /** Last log position published and acknowledged. */
  position: bigint;
  /** Events in the log not yet published. */
  lag: bigint;
  published: number;
  degradedSince?: string;
  lastError?: string;
}

/** Ticket numbers of recent cases (null: not a hotline case), so a status needs no read per event. */
const TICKET_CACHE_SIZE = 10_000;

/**
 * Case events out (SPEC §8), with the event store as the outbox: one subscription to the global
 * log, from the relay's own durable checkpoint, publishes each case event to `cases.events` (key:
 * case id, so one case's events stay in order on one partition) and each status step of a
 * hotline ticket to `gov12345.status` (key: ticket number), and moves the checkpoint only once
 * the broker has acknowledged the whole batch. At least once: a failure after the broker stored
 * part of a batch publishes that part again; consumers deduplicate by the `event-id` header.
 *
 * When Kafka is unreachable, nothing else waits: commands go on appending to the log, the relay
 * reports itself degraded, and it retries with back-off from its checkpoint, in log order.
 */
export class CaseEventRelay {
  private subscription: Subscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private position = 0n;
  private state: RelayState = 'stopped';
  private failures = 0;
  private published = 0;
  private degradedSince: Date | undefined;
  private lastError: string | undefined;
  private readonly ticketNumbers = new Map<string, string | null>();

  constructor(private readonly options: CaseEventRelayOptions) {}

  /** Starts publishing from the shared checkpoint: called by the instance that took the relay's lease. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.position = await this.options.checkpoint.read();
    this.state = 'running';
    this.failures = 0;
    this.subscribe();
  }

  /** Stops publishing (the lease was lost or given up); `start` may follow again. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.degradedSince = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.options.producer.disconnect().catch(() => undefined);
  }

  /** Stops for good and closes the checkpoint. */
  async close(): Promise<void> {
    await this.stop();
    await this.options.checkpoint.close();
  }

  status(head: bigint): RelayStatus {
    return {
      state: this.state,
      position: this.position,
      lag: head > this.position ? head - this.position : 0n,
      published: this.published,
      ...(this.degradedSince ? { degradedSince: this.degradedSince.toISOString() } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private subscribe(): void {
    if (this.state === 'stopped' || this.subscription) return;
    let subscription: Subscription;
    try {
      subscription = this.options.store.subscribeToAll({
        after: this.position,
        maxBatch: this.options.batchSize,
        handle: (events) => this.publish(events),
      });
    } catch (error) {
      this.failed(error);
      return;
    }
    this.subscription = subscription;
    subscription.done.then(
      () => {
        if (this.subscription === subscription) this.subscription = undefined;
      },
      (error: unknown) => {
        if (this.subscription !== subscription) return;
        this.subscription = undefined;
        this.failed(error);
      },
    );
  }

  private failed(error: unknown): void {
    if (this.state === 'stopped') return;
    this.failures += 1;
    this.state = 'degraded';
    this.degradedSince ??= this.options.now();
    this.lastError = error instanceof Error ? error.message : String(error);
    const delayMs = backoffDelay(this.failures, this.options.retry);
    this.options.logger.error(
      `Publishing the event log stopped at position ${this.position} (${this.lastError}); retrying in ${delayMs} ms (failure ${this.failures} in a row)`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.subscribe();
    }, delayMs);
  }

  private async publish(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const messages: OutgoingMessage[] = [];
    for (const recorded of events) {
      const logged = loggedCaseEvent(recorded);
      if (logged) messages.push(...(await this.messagesFor(logged)));
    }
    await this.options.producer.send(messages);
    const position = events[events.length - 1].position;
    await this.options.checkpoint.write(position);
    this.position = position;
    this.published += messages.length;
    if (this.state === 'degraded') {
      this.options.logger.log(`Publishing the event log again from position ${position} after ${this.failures} failure(s)`);
      this.state = 'running';
    }
    this.failures = 0;
    this.degradedSince = undefined;
    this.lastError = undefined;
  }

  private async messagesFor(logged: LoggedCaseEvent): Promise<OutgoingMessage[]> {
    const { topics, pseudonyms } = this.options;
    const { metadata, event } = logged;
    // The decoded event's personal part: an older schema version may have kept people elsewhere.
    const persons = pseudonyms.referencesFor(metadata.orgId, metadata.caseId, event.personal);
    const messages = [caseEventMessage(logged, persons, topics.caseEvents)];
    if (event.type === 'HotlineTicketReceived') this.rememberTicket(metadata.caseId, event.data.platformTicketNo);
    const status = topics.status === null ? null : platformStatusOf(event);
    if (status && topics.status !== null) {
      const ticketNo = await this.ticketNumberOf(metadata.caseId);
      if (ticketNo !== null) {
        if (status.status === 'extended' && event.type === 'ExtensionDecided') {
          const requested = await this.extensionReason(metadata.caseId, event.data.requestId);
          if (requested !== undefined) status.reason = requested;
        }
        messages.push(platformStatusMessage(logged, ticketNo, status, topics.status));
      }
    }
    return messages;
  }

  private rememberTicket(caseId: string, ticketNo: string | null): void {
    if (this.ticketNumbers.size >= TICKET_CACHE_SIZE) {
      const oldest = this.ticketNumbers.keys().next().value;
      if (oldest !== undefined) this.ticketNumbers.delete(oldest);
    }
    this.ticketNumbers.set(caseId, ticketNo);
  }

  private async ticketNumberOf(caseId: string): Promise<string | null> {
    const cached = this.ticketNumbers.get(caseId);
    if (cached !== undefined) return cached;
    const [first] = await this.options.store.readStream(caseStreamId(caseId), { maxCount: 1 });
    const intake = first ? decodeCaseEvent(first) : undefined;
    const ticketNo = intake?.type === 'HotlineTicketReceived' ? intake.data.platformTicketNo : null;
    this.rememberTicket(caseId, ticketNo);
    return ticketNo;
  }

  /** Why the extension was asked for: the unit's reason is what the platform is told. */
  private async extensionReason(caseId: string, requestId: string): Promise<string | undefined> {
    const stream = await this.options.store.readStream(caseStreamId(caseId));
    for (const recorded of stream) {
      if (recorded.type !== 'ExtensionRequested') continue;
      const event = decodeCaseEvent(recorded);
      if (event.type === 'ExtensionRequested' && event.data.requestId === requestId) return event.data.reason;
    }
    return undefined;
  }
}

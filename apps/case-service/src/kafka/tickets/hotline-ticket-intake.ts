import type { Actor, Caller, Urgency } from '@cases/domain';

/**
 * What the Kafka consumer needs from the case service, and nothing more: the consumer turns
 * platform messages into calls here and decides, from what is thrown, between the dead-letter
 * topic and a retry. The implementation is the one place that knows the command pipeline.
 */
export interface HotlineTicketIntake {
  /**
   * A dispatched ticket becomes a hotline case, once per ticket number: the same ticket again
   * answers with the case it made (`created: false`) and writes nothing; the same ticket number
   * with other content records a correction of the ticket (`amended: true`).
   */
  receive(ticket: DispatchedTicket, meta: TicketMessageMeta): Promise<TicketIntakeResult>;
  /** The platform urged (催办) a ticket already on file. */
  urge(urge: TicketUrge, meta: TicketMessageMeta): Promise<TicketCommandResult>;
  /** The platform withdrew (撤单) a ticket already on file. */
  withdraw(withdrawal: TicketWithdrawal, meta: TicketMessageMeta): Promise<TicketCommandResult>;
}

export const HOTLINE_TICKET_INTAKE = Symbol('HOTLINE_TICKET_INTAKE');

/** Who the history shows for every step the platform takes (SPEC §2: every event records who). */
export const PLATFORM_ACTOR: Actor = { id: '12345-platform', role: 'system' };

export interface DispatchedTicket {
  ticketNo: string;
  title: string;
  content: string;
  community: string;
  category?: string;
  urgency: Urgency;
  /** PERSONAL DATA (SPEC §7). */
  caller?: Caller;
  /** The platform's resolve deadline (ISO-8601). */
  deadline?: string;
  /** When the platform dispatched the ticket: the case's business time (ISO-8601). */
  dispatchedAt: string;
}

export interface TicketUrge {
  ticketNo: string;
  urgedAt: string;
  note?: string;
}

export interface TicketWithdrawal {
  ticketNo: string;
  withdrawnAt: string;
  reason: string;
}

/** Where a message came from: the same message redelivered carries the same meta. */
export interface TicketMessageMeta {
  topic: string;
  partition: number;
  offset: string;
  /** Stable for one message, so a redelivery is recognised as the same request. */
  correlationId: string;
  /** SHA-256 of the message's schema and validated content. */
  contentHash: string;
}

export interface TicketIntakeResult {
  caseId: string;
  number: string;
  /** False when the ticket number was already on file. */
  created: boolean;
  /** The ticket was on file with other content: the correction was recorded (`amend-ticket`). */
  amended: boolean;
}

export interface TicketCommandResult {
  caseId: string;
  /** False when the step was already recorded (a redelivery): nothing was written. */
  recorded: boolean;
}

/**
 * The message can never be applied as it is (the case service refused it): it goes to the dead-letter topic with this reason, and the partition moves on. Any
 * other error is taken as transient and the message is retried.
 */
export class TicketNotApplicableError extends Error {
  constructor(
    /** A business rule or the case's state refused it (an urge of a closed ticket, a correction of a withdrawn one). */
    readonly reason: 'refused',
    /** Names rules, states and fields; never a personal value. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'TicketNotApplicableError';
  }
}

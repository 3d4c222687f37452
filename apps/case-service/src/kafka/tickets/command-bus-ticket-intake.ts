import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError, type IntakeDetails } from '@cases/domain';
import { TicketConflictError } from '../../cases/commands/command-errors';
import { RegisterCaseCommand } from '../../cases/commands/register-case.command';
import type { CommandRequest } from '../../cases/commands/command-request';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import {
  PLATFORM_ACTOR,
  TicketNotApplicableError,
  type DispatchedTicket,
  type HotlineTicketIntake,
  type TicketCommandResult,
  type TicketIntakeResult,
  type TicketMessageMeta,
  type TicketUrge,
  type TicketWithdrawal,
} from './hotline-ticket-intake';

/**
 * How far ahead of this server's clock the platform's dispatch time may be and still be taken as
 * "now": the two clocks are never exactly in step, and the domain refuses business times in the
 * future. Anything further ahead is refused like any other impossible time.
 */
const TOLERATED_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The ticket intake over the same command pipeline as HTTP: `RegisterCaseCommand` for a hotline
 * case, keyed by the platform's ticket number, under the 12345 platform's system actor.
 *
 * Urging and withdrawing have no domain command yet: both answer "unsupported", which sends the
 * message to the dead-letter topic to be replayed once they exist. A known ticket arriving again
 * with other content (the intake handler compares it with the ticket on file, the caller
 * included, and refuses it with `TicketConflictError`, naming the fields as the HTTP intake body
 * names them) is "unsupported" too, since no command records such an update.
 */
@Injectable()
export class CommandBusTicketIntake implements HotlineTicketIntake {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async receive(ticket: DispatchedTicket, meta: TicketMessageMeta): Promise<TicketIntakeResult> {
    const occurredAt = this.businessTime(ticket.dispatchedAt);
    const request: CommandRequest = {
      actor: PLATFORM_ACTOR,
      correlationId: meta.correlationId,
      causationId: null,
      requestHash: meta.contentHash,
      ...(occurredAt !== undefined ? { occurredAt } : {}),
    };
    let outcome;
    try {
      outcome = await this.commandBus.execute(new RegisterCaseCommand(toIntakeDetails(ticket), request));
    } catch (error) {
      throw refusedOrTransient(error);
    }
    return { caseId: outcome.id, number: outcome.number, created: !outcome.existing };
  }

  async urge(_urge: TicketUrge, _meta: TicketMessageMeta): Promise<TicketCommandResult> {
    throw new TicketNotApplicableError('unsupported', 'urging a ticket (gov12345.ticket.urged/v1) has no case command in this release');
  }

  async withdraw(_withdrawal: TicketWithdrawal, _meta: TicketMessageMeta): Promise<TicketCommandResult> {
    throw new TicketNotApplicableError(
      'unsupported',
      'withdrawing a ticket (gov12345.ticket.withdrawn/v1) has no case command in this release',
    );
  }

  /** The dispatch time, or none ("now") when it is ahead of this clock by no more than the tolerated skew. */
  private businessTime(dispatchedAt: string): string | undefined {
    const dispatched = Date.parse(dispatchedAt);
    const ahead = dispatched - this.clock.now().getTime();
    if (ahead > 0 && ahead <= TOLERATED_CLOCK_SKEW_MS) return undefined;
    return new Date(dispatched).toISOString();
  }
}

function toIntakeDetails(ticket: DispatchedTicket): IntakeDetails {
  return {
    type: 'receive-hotline-ticket',
    title: ticket.title,
    description: ticket.content,
    community: ticket.community,
    ...(ticket.category !== undefined ? { category: ticket.category } : {}),
    platformTicketNo: ticket.ticketNo,
    urgency: ticket.urgency,
    ...(ticket.caller !== undefined ? { caller: ticket.caller } : {}),
    ...(ticket.deadline !== undefined ? { platformDeadline: ticket.deadline } : {}),
  };
}

/** A domain refusal can never succeed on retry; anything else (the store, a lost race) may. */
function refusedOrTransient(error: unknown): unknown {
  if (error instanceof TicketConflictError) {
    // The handler compares a known ticket with the one on file (the caller included) before this
    // class's own check could: other content is an update no command records yet.
    return new TicketNotApplicableError(
      'unsupported',
      `ticket already on file as case ${error.caseId} with different ${error.fields.join(', ')}; updating a ticket has no case command in this release`,
    );
  }
  if (error instanceof DomainError) return new TicketNotApplicableError('refused', `${error.code}: ${error.message}`);
  return error;
}

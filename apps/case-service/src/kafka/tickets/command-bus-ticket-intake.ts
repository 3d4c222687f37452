import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError, type IntakeDetails, type LifecycleCommand, type RemovableTicketField } from '@cases/domain';
import { TicketConflictError } from '../../cases/commands/command-errors';
import { hotlineCaseId, RegisterCaseCommand } from '../../cases/commands/register-case.command';
import { RunCaseActionCommand } from '../../cases/commands/run-case-action.command';
import type { CommandRequest } from '../../cases/commands/command-request';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
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
 * case, keyed by the platform's ticket number, and the `urge`, `withdraw` and `amend-ticket`
 * lifecycle commands on that case, all under the 12345 platform's system actor, at the platform's
 * own time (a correction: when it arrives).
 *
 * An urge or a withdrawal carries an Idempotency-Key derived from the message's content, so the
 * same message delivered again (at least once) is answered from the log and writes nothing. One
 * timed before the case's latest step is recorded at that step's time. A ticket not on file, or a
 * step its status refuses (a withdrawn or closed ticket), is "refused".
 * A known ticket arriving again with other content (the intake handler compares it with the
 * ticket as it stands, the caller included, and refuses it with `TicketConflictError`, naming the
 * fields) is a correction: the `amend-ticket` command records the fields that changed. A ticket
 * message carries an Idempotency-Key naming the message itself (its topic, partition and offset,
 * by way of the correlation id, and its content), so a redelivery, even of an older version of the
 * ticket after a newer one was recorded, is answered from the log and writes nothing; the same
 * content at another offset finds nothing to change.
 */
@Injectable()
export class CommandBusTicketIntake implements HotlineTicketIntake {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async receive(ticket: DispatchedTicket, meta: TicketMessageMeta): Promise<TicketIntakeResult> {
    const occurredAt = this.businessTime(ticket.dispatchedAt);
    const request: CommandRequest = {
      actor: PLATFORM_ACTOR,
      correlationId: meta.correlationId,
      causationId: null,
      // The message's coordinates and its content: a different message ever found at the same
      // coordinates (a topic created anew) is a new key, never a key reused with another request.
      idempotencyKey: `gov12345-ticket-${meta.correlationId}-${meta.contentHash.slice(0, 16)}`,
      requestHash: meta.contentHash,
      ...(occurredAt !== undefined ? { occurredAt } : {}),
    };
    let outcome;
    try {
      outcome = await this.commandBus.execute(new RegisterCaseCommand(toIntakeDetails(ticket), request));
    } catch (error) {
      if (!(error instanceof TicketConflictError)) throw refusedOrTransient(error);
      return this.amend(ticket, error, request);
    }
    // A replay of this very message (its key found on the case) created nothing this time.
    return { caseId: outcome.id, number: outcome.number, created: !outcome.existing && !outcome.replayed, amended: false };
  }

  /**
   * Records the platform's correction of a ticket on file. Only the fields the intake found
   * different are sent, so the caller is only re-recorded when it differs from the one on file.
   * The correction is timed when it reaches the service: the message's `dispatchedAt` is when the
   * ticket was first dispatched, not when it was corrected.
   */
  private async amend(ticket: DispatchedTicket, conflict: TicketConflictError, request: CommandRequest): Promise<TicketIntakeResult> {
    const { occurredAt: _dispatchedAt, ...now } = request;
    let outcome;
    try {
      outcome = await this.commandBus.execute(new RunCaseActionCommand(conflict.caseId, toAmendment(ticket, conflict.fields), now));
    } catch (error) {
      throw refusedOrTransient(error);
    }
    return { caseId: conflict.caseId, number: conflict.number, created: false, amended: !outcome.replayed };
  }

  urge(urge: TicketUrge, meta: TicketMessageMeta): Promise<TicketCommandResult> {
    const command: LifecycleCommand = { type: 'urge', ...(urge.note !== undefined ? { note: urge.note } : {}) };
    return this.onTicket(urge.ticketNo, command, urge.urgedAt, meta);
  }

  withdraw(withdrawal: TicketWithdrawal, meta: TicketMessageMeta): Promise<TicketCommandResult> {
    return this.onTicket(withdrawal.ticketNo, { type: 'withdraw', reason: withdrawal.reason }, withdrawal.withdrawnAt, meta);
  }

  private async onTicket(ticketNo: string, command: LifecycleCommand, at: string, meta: TicketMessageMeta): Promise<TicketCommandResult> {
    const caseId = hotlineCaseId(this.config.org.id, ticketNo);
    const occurredAt = this.businessTime(at);
    const request: CommandRequest = {
      actor: PLATFORM_ACTOR,
      correlationId: meta.correlationId,
      causationId: null,
      // The message's own content names the step: a redelivery finds it on the case and writes nothing.
      idempotencyKey: `gov12345-${command.type}-${meta.contentHash.slice(0, 32)}`,
      requestHash: meta.contentHash,
      ...(occurredAt !== undefined ? { occurredAt } : {}),
    };
    let outcome;
    try {
      outcome = await this.commandBus.execute(new RunCaseActionCommand(caseId, command, request));
    } catch (error) {
      const latest = latestStepOf(error);
      if (latest === undefined) throw refusedOrTransient(error);
      // The platform's step crossed one of the service's (an urge timed just before the unit signed
      // reached us after it): business time on a case never goes back, so it is recorded at the
      // case's latest step instead of being refused.
      try {
        outcome = await this.commandBus.execute(new RunCaseActionCommand(caseId, command, { ...request, occurredAt: latest }));
      } catch (again) {
        throw refusedOrTransient(again);
      }
    }
    return { caseId, recorded: !outcome.replayed };
  }

  /** The platform's time of its step, or none ("now") when it is ahead of this clock by no more than the tolerated skew. */
  private businessTime(platformTime: string): string | undefined {
    const at = Date.parse(platformTime);
    const ahead = at - this.clock.now().getTime();
    if (ahead > 0 && ahead <= TOLERATED_CLOCK_SKEW_MS) return undefined;
    return new Date(at).toISOString();
  }
}

/**
 * The correction `fields` (as `TicketConflictError` names them) call for: each differing field's new
 * value, or its removal when the resent ticket no longer has it. The caller is sent whole when
 * either of its fields differs.
 */
function toAmendment(ticket: DispatchedTicket, fields: readonly string[]): LifecycleCommand {
  const differs = (field: string) => fields.includes(field);
  const remove: RemovableTicketField[] = [];
  if (differs('category') && ticket.category === undefined) remove.push('category');
  if (differs('platformDeadline') && ticket.deadline === undefined) remove.push('platformDeadline');
  const callerDiffers = differs('caller.name') || differs('caller.phone');
  const caller =
    ticket.caller !== undefined && (ticket.caller.name !== undefined || ticket.caller.phone !== undefined) ? ticket.caller : undefined;
  if (callerDiffers && caller === undefined) remove.push('caller');
  return {
    type: 'amend-ticket',
    ...(differs('title') ? { title: ticket.title } : {}),
    ...(differs('description') ? { description: ticket.content } : {}),
    ...(differs('community') ? { community: ticket.community } : {}),
    ...(differs('category') && ticket.category !== undefined ? { category: ticket.category } : {}),
    ...(differs('urgency') ? { urgency: ticket.urgency } : {}),
    ...(differs('platformDeadline') && ticket.deadline !== undefined ? { platformDeadline: ticket.deadline } : {}),
    ...(callerDiffers && caller !== undefined ? { caller } : {}),
    ...(remove.length > 0 ? { remove } : {}),
  };
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

/** The case's latest step time, when `error` refused a business time before it; undefined for any other error. */
function latestStepOf(error: unknown): string | undefined {
  if (!(error instanceof DomainError) || error.code !== 'CASE.INVALID_COMMAND') return undefined;
  const latest = (error.details as { lastCommandAt?: unknown } | undefined)?.lastCommandAt;
  return typeof latest === 'string' ? latest : undefined;
}

/** A domain refusal can never succeed on retry; anything else (the store, a lost race) may. */
function refusedOrTransient(error: unknown): unknown {
  if (error instanceof DomainError) return new TicketNotApplicableError('refused', `${error.code}: ${error.message}`);
  return error;
}

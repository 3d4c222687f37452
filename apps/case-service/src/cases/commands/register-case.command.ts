import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  INTAKE_KIND,
  IllegalTransitionError,
  decideIntake,
  currentPersonalPart,
  decodeCaseEvent,
  type CaseEvent,
  type IntakeCommand,
  type IntakeDetails,
  type IntakeIds,
  type OpenedCase,
} from '@cases/domain';
import { WrongExpectedVersionError } from '@cases/event-store';
import { PersonalDataVault } from '@cases/personal-data';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { CaseCommandPipeline, NO_CASE, asSeenBy, type LoadedCase } from './case-command.pipeline';
import { CaseNumberAllocator } from './case-number.allocator';
import { TicketConflictError } from './command-errors';
import type { CommandOutcome, CommandRequest } from './command-request';

/** Stands in for the number while an intake is only being checked; never stored. */
const UNALLOCATED_NUMBER = 'unallocated';

const MAX_NUMBER_ATTEMPTS = 20;

/** An intake that opened no case: the case is on file (or, tried unread, may be). */
const NOT_OPENED = Symbol('not opened');

/** Namespace for case ids derived from natural keys (a platform ticket number, an Idempotency-Key). */
const CASE_ID_NAMESPACE = '5b0f7f4e-8f0e-4c55-9a52-2f1f4f3c7d11';

export interface IntakeOutcome extends CommandOutcome {
  number: string;
  /** The ticket number was already on file: nothing was written and the existing case is returned. */
  existing: boolean;
}

/** The case a 12345 ticket number opens (or opened): the platform's later steps on the ticket address it. */
export function hotlineCaseId(orgId: string, platformTicketNo: string): string {
  return uuidv5(`${orgId}/hotline/${platformTicketNo}`, CASE_ID_NAMESPACE);
}

/** An intake of any kind, as plain data: the handler allocates the case id and number. */
export class RegisterCaseCommand extends Command<IntakeOutcome> {
  constructor(
    readonly intake: IntakeDetails,
    readonly request: CommandRequest,
  ) {
    super();
  }
}

/**
 * Intake of any kind. The case id is derived from a natural key when there is one, so a repeat
 * lands on the same stream and is answered from it instead of creating a second case: the
 * 12345 platform's ticket number (a second intake of a ticket returns the existing case), or
 * the client's Idempotency-Key. Otherwise the id is random.
 */
@CommandHandler(RegisterCaseCommand)
export class RegisterCaseHandler implements ICommandHandler<RegisterCaseCommand, IntakeOutcome> {
  private readonly inFlight = new Map<string, Promise<IntakeOutcome>>();

  constructor(
    private readonly pipeline: CaseCommandPipeline,
    private readonly numbers: CaseNumberAllocator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly vault: PersonalDataVault,
  ) {}

  async execute({ intake, request }: RegisterCaseCommand): Promise<IntakeOutcome> {
    const orgId = this.config.org.id;
    // A hotline ticket's natural key is the 12345 platform's ticket number.
    const platformTicketNo = intake.type === 'receive-hotline-ticket' ? intake.platformTicketNo : undefined;
    const caseId = this.caseIdFor(orgId, platformTicketNo, request);
    // Identical intakes (a double click, a platform resend) queue behind each other here, so only
    // the first takes a case number and the others are answered from the case it created.
    const previous = this.inFlight.get(caseId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.register(caseId, intake, platformTicketNo, request));
    this.inFlight.set(caseId, current);
    try {
      return await current;
    } finally {
      if (this.inFlight.get(caseId) === current) this.inFlight.delete(caseId);
    }
  }

  private async register(
    caseId: string,
    intake: IntakeDetails,
    platformTicketNo: string | undefined,
    request: CommandRequest,
  ): Promise<IntakeOutcome> {
    // Nearly every intake opens a new case, whose stream is empty: it is first tried as one without
    // reading the stream, its append being conditional on there being none. Only when a case is on
    // file (a resent ticket, a repeated Idempotency-Key) or the intake is refused is the stream read
    // and the intake handled from it, so that a case on file answers before any refusal.
    if (request.expectedRevision === undefined) {
      const opened = await this.open(caseId, intake, request, NO_CASE, 'unread');
      if (opened !== NOT_OPENED) return opened;
    }
    const loaded = await this.pipeline.load(caseId);
    const existing = await this.existingCase(caseId, loaded, intake, request);
    if (existing) return existing;
    const opened = await this.open(caseId, intake, request, loaded, 'read');
    if (opened !== NOT_OPENED) return opened;
    // Another instance registered the same case meanwhile: answer as it did.
    const raced = await this.existingCase(caseId, await this.pipeline.load(caseId), intake, request);
    if (raced) return raced;
    throw new Error(`Case ${caseId} could not be registered: no case number after ${MAX_NUMBER_ATTEMPTS} attempts`);
  }

  /**
   * Opens the case with a new number, on the case as `loaded` (read, or taken to have no stream
   * when `unread`). NOT_OPENED when the case turned out to be on file; when `unread`, also when the
   * intake was refused, which the caller then decides again on the case as read.
   */
  private async open(
    caseId: string,
    intake: IntakeDetails,
    request: CommandRequest,
    loaded: LoadedCase,
    stream: 'read' | 'unread',
  ): Promise<IntakeOutcome | typeof NOT_OPENED> {
    const orgId = this.config.org.id;
    // Refusals (a future occurredAt, back-dating without the role) must not use up a number.
    try {
      this.pipeline.check(loaded, request, (state, context) =>
        decideIntake(withIds(intake, { caseId, orgId, number: UNALLOCATED_NUMBER }), state, context),
      );
    } catch (refusal) {
      if (stream === 'unread') return NOT_OPENED;
      throw refusal;
    }
    const occurredAt = request.occurredAt ? new Date(request.occurredAt) : this.clock.now();
    let reservation = await this.numbers.reserve(orgId, INTAKE_KIND[intake.type], occurredAt, caseId);
    // Every way out of here settles the reservation: a number left outstanding would hold up, for
    // ever, every later number of this instance that loses on the sequence and waits for it.
    let taken = false;
    try {
      for (let attempt = 1; attempt <= MAX_NUMBER_ATTEMPTS; attempt++) {
        const command = withIds(intake, { caseId, orgId, number: reservation.number });
        try {
          const outcome = await this.pipeline.execute({
            caseId,
            command: 'intake',
            request,
            decide: (state, context) => decideIntake(command, state, context),
            alongside: reservation.append,
            // The case as the caller has it: no (second) read of the stream. The append is
            // conditional on its revision, so a case written meanwhile is never overwritten.
            loaded,
            unread: stream === 'unread',
          });
          if (outcome.replayed) return NOT_OPENED;
          this.numbers.taken(reservation);
          taken = true;
          return { ...outcome, number: reservation.number, existing: false };
        } catch (error) {
          // Taken to be missing, the stream was not read: whether the intake lost on the number
          // or on the case stream (the case is on file), the caller reads it before any retry.
          // A resent ticket, whose number is stale as often as not while tickets are delivered
          // again, is then answered from its case at once rather than after a run of attempts.
          if (stream === 'unread' && error instanceof WrongExpectedVersionError) return NOT_OPENED;
          if (error instanceof WrongExpectedVersionError && this.numbers.isConflictOf(reservation, error)) {
            if (attempt < MAX_NUMBER_ATTEMPTS) reservation = await this.numbers.conflicted(reservation, error);
            continue;
          }
          if (!(error instanceof IllegalTransitionError)) throw error;
          return NOT_OPENED;
        }
      }
      return NOT_OPENED;
    } finally {
      if (!taken) this.numbers.unused(reservation);
    }
  }

  private caseIdFor(orgId: string, platformTicketNo: string | undefined, request: CommandRequest): string {
    if (platformTicketNo !== undefined) return hotlineCaseId(orgId, platformTicketNo);
    if (request.idempotencyKey) return uuidv5(`${orgId}/intake/${request.idempotencyKey}`, CASE_ID_NAMESPACE);
    return randomUUID();
  }

  private async existingCase(
    caseId: string,
    loaded: LoadedCase,
    intake: IntakeDetails,
    request: CommandRequest,
  ): Promise<IntakeOutcome | null> {
    if (loaded.state.status === 'none') return null;
    const number = (loaded.state as OpenedCase).number;
    const replay = this.pipeline.findReplay(caseId, loaded, request);
    if (replay) return { ...replay, number, existing: false };
    // Only a hotline ticket can reach an existing case without a matching key: same ticket number.
    if (intake.type !== 'receive-hotline-ticket') {
      throw new Error(`Case ${caseId} exists but holds no event for its Idempotency-Key`);
    }
    // A unit sending a ticket number another unit's case holds learns nothing of that case: not
    // its id, number, revision or which fields differ (docs/security.md).
    if (asSeenBy(loaded, request.actor).state.status === 'none') {
      throw new DomainError('CASE.FORBIDDEN', 'This 12345 ticket number is on file for a case your unit does not handle');
    }
    // The same ticket again is answered with its case; the same number with other content is a
    // conflict, judged against the ticket as it stands now (after any amendment).
    const events = loaded.recorded.map(decodeCaseEvent);
    const differing = ticketDifferences(loaded.state as OpenedCase, intake, await this.callerOnFile(events));
    if (differing.length > 0) throw new TicketConflictError(caseId, number, differing);
    const last = loaded.recorded[loaded.recorded.length - 1];
    return { id: caseId, number, revision: last.revision, position: last.position, replayed: true, existing: true };
  }

  /**
   * The caller the ticket on file names (the intake's, or the latest amendment's), opened from its
   * sealed personal part; `unknown` when the caller's key has been destroyed (crypto-shredded),
   * which leaves nothing to compare with.
   */
  private async callerOnFile(events: readonly CaseEvent[]): Promise<CallerOnFile> {
    const opened = await this.vault.open(currentPersonalPart(events) ?? null);
    const caller = opened.caller;
    if (caller === undefined) return undefined;
    if (Array.isArray(caller) || caller.state === 'destroyed') return 'unknown';
    return caller.fields;
  }
}

/**
 * The fields of a resent hotline ticket that differ from the ticket on file, named as the intake
 * body names them. The caller's name and phone count too (compared here, never shown), unless
 * the caller's key has been destroyed.
 */
type CallerOnFile = { name?: string; phone?: string } | undefined | 'unknown';

function ticketDifferences(
  data: OpenedCase,
  ticket: Extract<IntakeDetails, { type: 'receive-hotline-ticket' }>,
  caller: CallerOnFile,
): string[] {
  if (data.kind !== 'hotline') return ['platformTicketNo'];
  const differs: [string, boolean][] = [
    ['title', data.title !== ticket.title],
    ['description', data.description !== ticket.description],
    ['community', data.community !== ticket.community],
    ['category', data.category !== ticket.category],
    ['urgency', data.urgency !== ticket.urgency],
    ['platformDeadline', !sameInstant(data.platformDeadline, ticket.platformDeadline)],
    ['caller.name', caller !== 'unknown' && caller?.name !== ticket.caller?.name],
    ['caller.phone', caller !== 'unknown' && caller?.phone !== ticket.caller?.phone],
  ];
  return differs.filter(([, different]) => different).map(([field]) => field);
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Date.parse(a) === Date.parse(b);
}

function withIds(intake: IntakeDetails, ids: IntakeIds): IntakeCommand {
  return { ...intake, ...ids } as IntakeCommand;
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import {
  caseStreamId,
  decodeCaseEvent,
  encodeCaseEvent,
  evolve,
  foldCase,
  INITIAL_CASE_STATE,
  unitMaySee,
  type Actor,
  type CaseEvent,
  type CaseState,
  type DeadlinePolicy,
  type DecisionContext,
  type EnvelopeMetadata,
} from '@cases/domain';
import { EVENT_STORE, WrongExpectedVersionError, type EventStore, type RecordedEvent, type StreamAppend } from '@cases/event-store';
import { PersonalDataVault } from '@cases/personal-data';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { DEADLINE_POLICY } from '../../infrastructure/deadline-policy.provider';
import { ConcurrencyRetriesExhaustedError, IdempotencyKeyReusedError, StaleRevisionError } from './command-errors';
import type { CommandOutcome, CommandRequest } from './command-request';
import { KeyedQueue } from './keyed-queue';

/** Attempts against fresh state when another instance keeps winning the race for a case. */
const MAX_ATTEMPTS = 8;
/** Full-jitter exponential backoff between attempts: a random wait up to min(cap, base·2^attempt). */
const BACKOFF = { baseMs: 5, capMs: 200 };

/** A case's stream as the store holds it, decoded and folded: the one way the service reads a case's log. */
export interface LoadedCase {
  state: CaseState;
  recorded: RecordedEvent[];
  /** Revision of the last event, or null when the stream does not exist. */
  revision: bigint | null;
}

export type Decision = (state: CaseState, context: DecisionContext) => CaseEvent[];

export interface CommandExecution {
  caseId: string;
  /** The command's name as the envelope records it (the action, 'intake', 'scheduler'). */
  command: string;
  request: CommandRequest;
  decide: Decision;
  /**
   * Deterministic ids where a step must be recorded once however many times (or instances) try it:
   * the store keeps an append whose ids it already holds only once. Random otherwise.
   */
  eventId?: (event: CaseEvent) => string;
  /** Appended atomically with the case's events (an intake's case number); a conflict on it is the caller's. */
  alongside?: StreamAppend;
  /**
   * The case as the caller has just read it, used by the first attempt instead of reading the
   * stream again (an intake reads it to look for the ticket on file). The append is conditional
   * on its revision, so a snapshot gone stale meanwhile costs one retry from fresh state, never a
   * wrong write. Not used under If-Match, whose answer must come from the case as it is now.
   */
  loaded?: LoadedCase;
  /**
   * `loaded` was not read but taken to be `NO_CASE` (an intake opening a new case): when the
   * stream turns out to exist, the store's WrongExpectedVersionError is thrown to the caller,
   * which reads the case on file, instead of being retried here.
   */
  unread?: boolean;
}

/** A case with no stream: what a case id nothing was recorded under reads as. */
export const NO_CASE: LoadedCase = Object.freeze({ state: INITIAL_CASE_STATE, recorded: [], revision: null });

export interface CommandResult extends CommandOutcome {
  /** The case as the command left it. */
  state: CaseState;
}

/**
 * The one command-handling pipeline (every intake, lifecycle command and scheduler record goes
 * through it):
 *  1. wait for this case's earlier commands in this instance (a keyed queue);
 *  2. read the case's stream and fold it; a case a unit may not see is, for that unit, a case
 *     with no stream at all (docs/security.md), before anything else can tell it apart;
 *  3. replay the first answer if this Idempotency-Key was seen on this case;
 *  4. check If-Match;
 *  5. decide (pure);
 *  6. append with the revision just read (or the client's);
 *  7. when another instance wrote first: with If-Match answer 412, otherwise back off with jitter
 *     and start again from fresh state.
 */
@Injectable()
export class CaseCommandPipeline {
  private readonly queue = new KeyedQueue();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEADLINE_POLICY) private readonly policy: DeadlinePolicy,
    private readonly vault: PersonalDataVault,
  ) {}

  async load(caseId: string): Promise<LoadedCase> {
    const recorded = await this.store.readStream(caseStreamId(caseId));
    const state = foldCase(recorded.map(decodeCaseEvent));
    const revision = recorded.length === 0 ? null : recorded[recorded.length - 1].revision;
    return { state, recorded, revision };
  }

  /** Runs a decision on a loaded case without writing: throws exactly what `execute` would refuse with. */
  check(loaded: LoadedCase, request: CommandRequest, decide: Decision): void {
    decide(loaded.state, this.context(request));
  }

  /** The first answer given to this Idempotency-Key on this case, or null when the key is new here. */
  findReplay(caseId: string, loaded: LoadedCase, request: CommandRequest): CommandOutcome | null {
    if (!request.idempotencyKey) return null;
    const earlier = loaded.recorded.filter((event) => event.metadata.idempotencyKey === request.idempotencyKey);
    if (earlier.length === 0) return null;
    if (earlier.some((event) => event.metadata.requestHash !== request.requestHash)) {
      throw new IdempotencyKeyReusedError(request.idempotencyKey);
    }
    const last = earlier[earlier.length - 1];
    return { id: caseId, revision: last.revision, position: last.position, replayed: true };
  }

  execute(execution: CommandExecution): Promise<CommandResult> {
    return this.queue.run(execution.caseId, () => this.attempt(execution));
  }

  private async attempt({
    caseId,
    command,
    request,
    decide,
    eventId = () => randomUUID(),
    alongside,
    loaded: snapshot,
    unread = false,
  }: CommandExecution): Promise<CommandResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const fresh = attempt === 1 && snapshot !== undefined && request.expectedRevision === undefined ? snapshot : await this.load(caseId);
      const loaded = asSeenBy(fresh, request.actor);
      // Taken at each attempt, once the case is loaded: a retry after another instance's write is a
      // new decision at a new instant, which the write just loaded cannot be later than.
      const context = this.context(request);
      const envelope: EnvelopeMetadata = {
        orgId: this.config.org.id,
        caseId,
        command,
        recordedAt: context.recordedAt.toISOString(),
        correlationId: request.correlationId,
        causationId: request.causationId,
        ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
        requestHash: request.requestHash,
      };
      const replay = this.findReplay(caseId, loaded, request);
      if (replay) return { ...replay, state: loaded.state };
      if (request.expectedRevision !== undefined && request.expectedRevision !== loaded.revision) {
        throw new StaleRevisionError(request.expectedRevision, loaded.revision);
      }
      const events = decide(loaded.state, context);
      if (events.length === 0) {
        const last = loaded.recorded[loaded.recorded.length - 1];
        return { id: caseId, revision: last.revision, position: last.position, replayed: true, state: loaded.state };
      }
      const caseAppend: StreamAppend = {
        streamId: caseStreamId(caseId),
        events: await Promise.all(
          events.map(async (event) => {
            const stored = encodeCaseEvent(event, envelope);
            // The one place personal data enters the log: sealed per person (SPEC §7, docs/decisions/0008).
            const personal = stored.personal === null ? null : await this.vault.seal(caseId, stored.personal);
            return { id: eventId(event), ...stored, personal, metadata: { ...stored.metadata } };
          }),
        ),
        expectedRevision: loaded.revision ?? 'no_stream',
      };
      try {
        const results = await this.store.appendMultiple(alongside ? [alongside, caseAppend] : [caseAppend]);
        const result = results[results.length - 1];
        const state = events.reduce(evolve, loaded.state);
        return { id: caseId, revision: result.nextExpectedRevision, position: result.position, replayed: false, state };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || error.streamId !== caseStreamId(caseId) || unread) throw error;
        if (request.expectedRevision !== undefined) {
          throw new StaleRevisionError(request.expectedRevision, error.actual === 'no_stream' ? null : error.actual);
        }
        await sleep(Math.random() * Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt));
      }
    }
    throw new ConcurrencyRetriesExhaustedError(caseId, MAX_ATTEMPTS);
  }

  private context(request: CommandRequest): DecisionContext {
    const recordedAt = this.clock.now();
    return {
      actor: request.actor,
      recordedAt,
      occurredAt: request.occurredAt ? new Date(request.occurredAt) : recordedAt,
      backdatingWindowMs: this.config.backdatingWindowMs,
      policy: this.policy,
      newId: randomUUID,
    };
  }
}

/**
 * The case as `actor` may know it: a handling unit's user knows only the cases dispatched to its
 * unit, now or before (`unitMaySee`); any other case is, for it, no case at all. Its commands then
 * get exactly what a command on a case that does not exist gets (404, or 412 under If-Match), and
 * neither an Idempotency-Key replay nor a stale revision tells that the case is there.
 */
export function asSeenBy(loaded: LoadedCase, actor: Actor): LoadedCase {
  if (actor.role !== 'unit' || loaded.state.status === 'none') return loaded;
  if (actor.unit !== undefined && unitMaySee(loaded.state, actor.unit)) return loaded;
  return NO_CASE;
}

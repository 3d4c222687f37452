import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  caseStreamId,
  decodeCaseEvent,
  encodeCaseEvent,
  foldCase,
  type CaseEvent,
  type EnvelopeMetadata,
  type CaseState,
  type DeadlinePolicy,
  type DecisionContext,
  type StoredCaseEvent,
} from '@cases/domain';
import {
  EVENT_STORE,
  WrongExpectedVersionError,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
} from '@cases/event-store';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { DEADLINE_POLICY } from '../../infrastructure/deadline-policy.provider';
import { ConcurrencyRetriesExhaustedError, IdempotencyKeyReusedError, StaleRevisionError } from './command-errors';
import type { CommandOutcome, CommandRequest } from './command-request';

const MAX_ATTEMPTS = 5;

export interface LoadedCase {
  state: CaseState;
  recorded: RecordedEvent[];
  /** Revision of the last event, or null when the stream does not exist. */
  revision: bigint | null;
}

/**
 * The one command-handling pipeline (every intake and lifecycle command goes through it):
 *  1. read the case's stream and fold it;
 *  2. replay the first answer if this Idempotency-Key was seen on this case;
 *  3. check If-Match;
 *  4. decide (pure);
 *  5. append with the revision just read (or the client's);
 *  6. on a concurrent write: with If-Match answer 412, otherwise start again from fresh state.
 */
@Injectable()
export class CaseCommandPipeline {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEADLINE_POLICY) private readonly policy: DeadlinePolicy,
  ) {}

  /** Runs a decision on a loaded case without writing: throws exactly what `execute` would refuse with. */
  check(loaded: LoadedCase, request: CommandRequest, decide: (state: CaseState, context: DecisionContext) => CaseEvent[]): void {
    decide(loaded.state, this.context(request));
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

  async load(caseId: string): Promise<LoadedCase> {
    const recorded = await this.store.readStream(caseStreamId(caseId));
    const state = foldCase(recorded.map((event) => decodeCaseEvent(event as unknown as StoredCaseEvent)));
    const revision = recorded.length === 0 ? null : recorded[recorded.length - 1].revision;
    return { state, recorded, revision };
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

  /**
   * `eventId` gives events deterministic ids where a step must be recorded once however many
   * times (or instances) try it: the store keeps an append whose ids it already holds only once.
   * `alongside` is appended atomically with the case's events (an intake's case number); a
   * conflict on it is the caller's to handle and is thrown as is.
   */
  async execute(
    caseId: string,
    command: string,
    request: CommandRequest,
    decide: (state: CaseState, context: DecisionContext) => CaseEvent[],
    eventId: (event: CaseEvent) => string = () => randomUUID(),
    alongside?: StreamAppend,
  ): Promise<CommandOutcome> {
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
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await this.load(caseId);
      const replay = this.findReplay(caseId, loaded, request);
      if (replay) return replay;
      if (request.expectedRevision !== undefined && request.expectedRevision !== loaded.revision) {
        throw new StaleRevisionError(request.expectedRevision, loaded.revision);
      }
      const events = decide(loaded.state, context);
      if (events.length === 0) {
        const last = loaded.recorded[loaded.recorded.length - 1];
        return { id: caseId, revision: last.revision, position: last.position, replayed: true };
      }
      try {
        const caseAppend: StreamAppend = {
          streamId: caseStreamId(caseId),
          events: events.map((event) => {
            const stored = encodeCaseEvent(event, envelope);
            return { id: eventId(event), ...stored, metadata: { ...stored.metadata } };
          }),
          expectedRevision: loaded.revision ?? 'no_stream',
        };
        const results = await this.store.appendMultiple(alongside ? [alongside, caseAppend] : [caseAppend]);
        const result = results[results.length - 1];
        return { id: caseId, revision: result.nextExpectedRevision, position: result.position, replayed: false };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || error.streamId !== caseStreamId(caseId)) throw error;
        if (request.expectedRevision !== undefined) {
          throw new StaleRevisionError(request.expectedRevision, error.actual === 'no_stream' ? null : error.actual);
        }
      }
    }
    throw new ConcurrencyRetriesExhaustedError(caseId, MAX_ATTEMPTS);
  }
}

import type { Actor } from '../shared/actor';
import type { CaseEvent, CaseEventType } from './case.events';
import type { CaseKind } from './case.types';
import { CURRENT_SCHEMA_VERSIONS, upcast } from './case.upcasters';

/**
 * How a case event is stored: the envelope every event-store adapter keeps, independent of
 * any adapter's types. Who, when and why live in metadata; personal data only in `personal`.
 */
export interface CaseEventMetadata {
  schemaVersion: number;
  orgId: string;
  caseId: string;
  /** The command that produced the event (the SPEC §6 action, or 'intake' / 'scheduler'). */
  command: string;
  actor: Actor;
  /** Business time (SPEC §2). */
  occurredAt: string;
  /** Server clock when the command was accepted (SPEC §2). */
  recordedAt: string;
  correlationId: string;
  causationId: string | null;
  idempotencyKey?: string;
  /** Hash of the request body, so a reused Idempotency-Key with another body is detected. */
  requestHash?: string;
}

export interface StoredCaseEvent {
  type: string;
  data: unknown;
  personal: unknown | null;
  metadata: CaseEventMetadata;
}

/** Any event as a store hands it back (the event store's RecordedEvent is one): metadata untyped. */
export interface StoredEvent {
  type: string;
  data: unknown;
  personal: unknown | null;
  metadata: object;
}

export type EnvelopeMetadata = Omit<CaseEventMetadata, 'schemaVersion' | 'actor' | 'occurredAt'>;

/*
 * Stream names (docs/architecture.md, "Streams"). Each case is one stream in the `case` category;
 * the per-organisation case-number sequences live in their own `casenumbers` category, so "is
 * this a case stream" is a question about the category alone. Names hold ids only, never
 * anything personal.
 */
const CASE_CATEGORY = 'case';
const CASE_NUMBER_CATEGORY = 'casenumbers';

export function caseStreamId(caseId: string): string {
  return `${CASE_CATEGORY}-${caseId}`;
}

/** The one rule for "is this a case's stream" (as opposed to a number sequence or another category). */
export function isCaseStream(streamId: string): boolean {
  return streamId.startsWith(`${CASE_CATEGORY}-`);
}

/** Whether a stream is one of the case-number sequences. */
export function isCaseNumberStream(streamId: string): boolean {
  return streamId.startsWith(`${CASE_NUMBER_CATEGORY}-`);
}

/** The sequence stream that hands out an organisation's case numbers for one kind and year. */
export function caseNumberStreamId(orgId: string, kind: CaseKind, year: number): string {
  return `${CASE_NUMBER_CATEGORY}-${orgId}-${kind}-${year}`;
}

export function encodeCaseEvent(event: CaseEvent, envelope: EnvelopeMetadata): StoredCaseEvent {
  return {
    type: event.type,
    data: event.data,
    personal: event.personal ?? null,
    metadata: {
      ...envelope,
      schemaVersion: CURRENT_SCHEMA_VERSIONS[event.type],
      actor: event.actor,
      occurredAt: event.occurredAt,
    },
  };
}

/** A stored case event's envelope, typed: what encodeCaseEvent wrote. */
export function caseEventMetadata(stored: StoredEvent): CaseEventMetadata {
  return stored.metadata as unknown as CaseEventMetadata;
}

/** Reads a stored event back as today's shape, upcasting older schema versions. */
export function decodeCaseEvent(recorded: StoredEvent): CaseEvent {
  // Runs once per event on every read of the log: no copy of the recorded event, one object built.
  const metadata = caseEventMetadata(recorded);
  const { data, personal } = upcast(recorded.type, metadata.schemaVersion ?? 1, recorded.data, recorded.personal);
  const type = recorded.type as CaseEventType;
  const event =
    personal === null || personal === undefined
      ? { type, data, occurredAt: metadata.occurredAt, actor: metadata.actor }
      : { type, data, occurredAt: metadata.occurredAt, actor: metadata.actor, personal };
  return event as CaseEvent;
}

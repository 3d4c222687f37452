import type { Actor } from '../shared/actor';
import type { CaseEvent, CaseEventType } from './case.events';
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

export type EnvelopeMetadata = Omit<CaseEventMetadata, 'schemaVersion' | 'actor' | 'occurredAt'>;

export function caseStreamId(caseId: string): string {
  return `case-${caseId}`;
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

/** Reads a stored event back as today's shape, upcasting older schema versions. */
export function decodeCaseEvent(stored: StoredCaseEvent): CaseEvent {
  const { data, personal } = upcast(stored.type, stored.metadata.schemaVersion ?? 1, stored.data, stored.personal);
  const event = {
    type: stored.type as CaseEventType,
    data,
    occurredAt: stored.metadata.occurredAt,
    actor: stored.metadata.actor,
    ...(personal === null || personal === undefined ? {} : { personal }),
  };
  return event as CaseEvent;
}

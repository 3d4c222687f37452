import {
  CURRENT_SCHEMA_VERSIONS,
  caseStreamId,
  decodeCaseEvent,
  isCaseEventType,
  type CaseEvent,
  type CaseEventMetadata,
} from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import { textHeader, type OutgoingMessage } from '@cases/messaging';
import type { PersonReference } from './person-pseudonyms';

/**
 * What leaves the service on Kafka (SPEC §8), built from the global log. Pure: the relay gives
 * each function what it looked up.
 */

export const CASE_EVENT_HEADERS = { eventId: 'event-id', eventType: 'event-type', schemaVersion: 'schema-version' } as const;

export const PLATFORM_STATUS_SCHEMA = 'gov12345.ticket.status/v1';
export const PLATFORM_STATUS_SCHEMA_VERSION = 1;

/** The value of a `cases.events` message: the stored event without its personal part. */
export interface PublishedCaseEvent {
  eventId: string;
  type: string;
  /** Version of `data`'s shape: always this release's current one (older events are upcast first). */
  schemaVersion: number;
  caseId: string;
  orgId: string;
  /** 0-based position in the case's stream: per case, strictly increasing. */
  revision: number | string;
  /** Position in the service's global log. */
  position: number | string;
  command: string;
  actor: CaseEventMetadata['actor'];
  occurredAt: string;
  recordedAt: string;
  correlationId: string;
  causationId: string | null;
  data: unknown;
  /** Present when the stored event has a personal part: one reference per person, in place of them. */
  persons?: PersonReference[];
}

export type PlatformStatus = 'signed' | 'returned' | 'extended' | 'resolved' | 'reviewed' | 'withdrawn';

/** The value of a `gov12345.status` message (SPEC §8). */
export interface PlatformStatusMessage {
  schema: typeof PLATFORM_STATUS_SCHEMA;
  ticketNo: string;
  status: PlatformStatus;
  at: string;
  unit?: string;
  reply?: string;
  reason?: string;
}

/** A case event as read from the log: the stored envelope and the event decoded to today's shape. */
export interface LoggedCaseEvent {
  recorded: RecordedEvent;
  metadata: CaseEventMetadata;
  event: CaseEvent;
}

/**
 * Who looked at or destroyed a person's data (their reasons, field names and person ids) stays
 * inside the service: it is an audit record, not a step of the case.
 */
const INTERNAL_EVENT_TYPES: readonly string[] = ['PersonalDataRevealed', 'PersonalDataDestroyed'];

/**
 * The log's case events, decoded; everything else (case-number counters, any stream that is not a
 * case's, and the internal audit records) is not published.
 */
export function loggedCaseEvent(recorded: RecordedEvent): LoggedCaseEvent | null {
  const metadata = recorded.metadata as Partial<CaseEventMetadata>;
  if (typeof metadata.caseId !== 'string' || recorded.streamId !== caseStreamId(metadata.caseId)) return null;
  if (!isCaseEventType(recorded.type) || INTERNAL_EVENT_TYPES.includes(recorded.type)) return null;
  const event = decodeCaseEvent(recorded);
  return { recorded, metadata: metadata as CaseEventMetadata, event };
}

/** JSON has no 64-bit integers: exact numbers up to 2^53, decimal strings past that (as the HTTP API does). */
function jsonInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export function caseEventMessage(logged: LoggedCaseEvent, persons: PersonReference[], topic: string): OutgoingMessage {
  const { recorded, metadata, event } = logged;
  const schemaVersion = CURRENT_SCHEMA_VERSIONS[event.type];
  const value: PublishedCaseEvent = {
    eventId: recorded.id,
    type: event.type,
    schemaVersion,
    caseId: metadata.caseId,
    orgId: metadata.orgId,
    revision: jsonInteger(recorded.revision),
    position: jsonInteger(recorded.position),
    command: metadata.command,
    actor: event.actor,
    occurredAt: event.occurredAt,
    recordedAt: metadata.recordedAt,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    data: event.data,
    ...(persons.length > 0 ? { persons } : {}),
  };
  return {
    topic,
    key: metadata.caseId,
    value: Buffer.from(JSON.stringify(value), 'utf8'),
    headers: [
      textHeader(CASE_EVENT_HEADERS.eventId, recorded.id),
      textHeader(CASE_EVENT_HEADERS.eventType, event.type),
      textHeader(CASE_EVENT_HEADERS.schemaVersion, String(schemaVersion)),
    ],
  };
}

/** The platform status an event stands for, or null when the platform is not told about it. */
export function platformStatusOf(event: CaseEvent): { status: PlatformStatus; unit?: string; reply?: string; reason?: string } | null {
  switch (event.type) {
    case 'CaseSigned':
      return { status: 'signed', unit: event.data.unit };
    case 'CaseReturned':
      return { status: 'returned', unit: event.data.unit, reason: event.data.reason };
    case 'ExtensionDecided':
      return event.data.approved ? { status: 'extended', ...(event.data.reason !== undefined ? { reason: event.data.reason } : {}) } : null;
    case 'CaseResolved':
      return event.data.kind === 'hotline'
        ? { status: 'resolved', reply: event.data.reply, ...(event.actor.unit !== undefined ? { unit: event.actor.unit } : {}) }
        : null;
    case 'CaseReviewed':
      return { status: 'reviewed' };
    // Also when the withdrawal came from the platform itself: the platform learns the ticket is
    // closed here too, and one recorded by hand (a supervisor told otherwise) reaches it this way.
    case 'CaseWithdrawn':
      return { status: 'withdrawn', reason: event.data.reason };
    default:
      return null;
  }
}

/**
 * A `gov12345.status` message, keyed by ticket number so one ticket's statuses stay in order.
 * `event-id` names the case event it reports, for deduplication.
 */
export function platformStatusMessage(
  logged: LoggedCaseEvent,
  ticketNo: string,
  status: NonNullable<ReturnType<typeof platformStatusOf>>,
  topic: string,
): OutgoingMessage {
  const value: PlatformStatusMessage = {
    schema: PLATFORM_STATUS_SCHEMA,
    ticketNo,
    status: status.status,
    at: logged.event.occurredAt,
    ...(status.unit !== undefined ? { unit: status.unit } : {}),
    ...(status.reply !== undefined ? { reply: status.reply } : {}),
    ...(status.reason !== undefined ? { reason: status.reason } : {}),
  };
  return {
    topic,
    key: ticketNo,
    value: Buffer.from(JSON.stringify(value), 'utf8'),
    headers: [
      textHeader(CASE_EVENT_HEADERS.eventId, logged.recorded.id),
      textHeader(CASE_EVENT_HEADERS.schemaVersion, String(PLATFORM_STATUS_SCHEMA_VERSION)),
    ],
  };
}

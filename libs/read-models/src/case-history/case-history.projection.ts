import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';
import type { Projection } from '../projection/projection';
import { caseEventsOf } from '../case-events/recorded-case-event';

export const CASE_HISTORY_PROJECTION = 'case-history';

/**
 * Every event of every case, in stream order, with who, when (business and server time) and why.
 * Only the event's `data` is kept, decoded to today's shape: its personal part never reaches the
 * read model (SPEC §7); the API reads that from the store on demand, masked.
 */
export function caseHistoryProjection(): Projection {
  return {
    name: CASE_HISTORY_PROJECTION,
    version: 1,
    createSchema(db) {
      db.exec(`CREATE TABLE IF NOT EXISTS case_history (
        case_id        TEXT    NOT NULL,
        revision       INTEGER NOT NULL,
        position       INTEGER NOT NULL,
        type           TEXT    NOT NULL,
        occurred_at    TEXT    NOT NULL,
        recorded_at    TEXT    NOT NULL,
        actor_id       TEXT    NOT NULL,
        actor_role     TEXT    NOT NULL,
        actor_unit     TEXT,
        command        TEXT    NOT NULL,
        correlation_id TEXT    NOT NULL,
        causation_id   TEXT,
        reason         TEXT,
        data           TEXT    NOT NULL,
        PRIMARY KEY (case_id, revision)
      )`);
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS case_history');
    },
    applyBatch(db, events) {
      applyToCaseHistory(db, events);
    },
  };
}

function applyToCaseHistory(db: Database, events: readonly RecordedEvent[]): void {
  // A redelivered event hits the (case_id, revision) key and is ignored.
  const insert = db.prepare(
    `INSERT INTO case_history (case_id, revision, position, type, occurred_at, recorded_at, actor_id, actor_role,
                               actor_unit, command, correlation_id, causation_id, reason, data)
     VALUES (@caseId, @revision, @position, @type, @occurredAt, @recordedAt, @actorId, @actorRole,
             @actorUnit, @command, @correlationId, @causationId, @reason, @data)
     ON CONFLICT (case_id, revision) DO NOTHING`,
  );
  for (const { caseId, revision, position, metadata, event } of caseEventsOf(events)) {
    insert.run({
      caseId,
      revision,
      position,
      type: event.type,
      occurredAt: event.occurredAt,
      recordedAt: metadata.recordedAt,
      actorId: event.actor.id,
      actorRole: event.actor.role,
      actorUnit: event.actor.unit ?? null,
      command: metadata.command,
      correlationId: metadata.correlationId,
      causationId: metadata.causationId ?? null,
      reason: reasonOf(event.data),
      data: JSON.stringify(event.data),
    });
  }
}

/** The reason a step gave (reject, return, extension, reopen…), when it has one. */
function reasonOf(data: object): string | null {
  const reason = (data as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : null;
}

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
    version: 2,
    createSchema(db) {
      // Events are stored in log order (position as row id) and found by an integer key per case,
      // handed out in the order cases appear: a batch then writes to the end of both trees rather
      // than to one random page per event, as an index on the case UUID would.
      db.exec(`
        CREATE TABLE IF NOT EXISTS case_history_cases (
          case_key INTEGER PRIMARY KEY,
          case_id  TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS case_history (
          position       INTEGER PRIMARY KEY,
          case_key       INTEGER NOT NULL,
          revision       INTEGER NOT NULL,
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
          data           TEXT    NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS case_history_by_case ON case_history (case_key, revision);
      `);
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS case_history; DROP TABLE IF EXISTS case_history_cases;');
    },
    applyBatch(db, events) {
      applyToCaseHistory(db, events);
    },
  };
}

function applyToCaseHistory(db: Database, events: readonly RecordedEvent[]): void {
  const selectKey = db
    .prepare<[string], bigint>('SELECT case_key FROM case_history_cases WHERE case_id = ?')
    .pluck()
    .safeIntegers(true);
  const insertKey = db
    .prepare<[string], bigint>('INSERT INTO case_history_cases (case_id) VALUES (?) RETURNING case_key')
    .pluck()
    .safeIntegers(true);
  // A redelivered event hits its (case_key, revision) or its position and is ignored.
  const insertEvent = db.prepare(
    `INSERT INTO case_history (position, case_key, revision, type, occurred_at, recorded_at, actor_id, actor_role,
                               actor_unit, command, correlation_id, causation_id, reason, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const caseKeys = new Map<string, bigint>();
  const caseKeyOf = (caseId: string): bigint => {
    let caseKey = caseKeys.get(caseId);
    if (caseKey === undefined) {
      caseKey = selectKey.get(caseId) ?? (insertKey.get(caseId) as bigint);
      caseKeys.set(caseId, caseKey);
    }
    return caseKey;
  };

  for (const { caseId, revision, position, metadata, event } of caseEventsOf(events)) {
    insertEvent.run(
      position,
      caseKeyOf(caseId),
      revision,
      event.type,
      event.occurredAt,
      metadata.recordedAt,
      event.actor.id,
      event.actor.role,
      event.actor.unit ?? null,
      metadata.command,
      metadata.correlationId,
      metadata.causationId ?? null,
      reasonOf(event.data),
      JSON.stringify(event.data),
    );
  }
}

/** The reason a step gave (reject, return, extension, reopen…), when it has one. */
function reasonOf(data: object): string | null {
  const reason = (data as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : null;
}

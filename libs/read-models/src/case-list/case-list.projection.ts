import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';
import type { Projection } from '../projection/projection';
import { caseEventsOf } from '../case-events/recorded-case-event';
import { foldCaseBatch, type StoredFold } from '../case-events/fold-case-batch';

export const CASE_LIST_PROJECTION = 'case-list';

/**
 * One row per case for GET /api/cases, plus the current version of each milestone's deadline for
 * the overdue filter. Status, unit and deadlines come from the domain's fold, kept in
 * `folded_state` so the next event continues from it: the list never restates the lifecycle rules.
 *
 * Times are stored as UTC ISO-8601 strings (`Date#toISOString`), which sort and compare as text;
 * events may carry other offsets (+08:00), so they are normalised on the way in.
 */
export function caseListProjection(): Projection {
  return {
    name: CASE_LIST_PROJECTION,
    version: 1,
    createSchema(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS case_list (
          case_id            TEXT PRIMARY KEY,
          org_id             TEXT    NOT NULL,
          kind               TEXT    NOT NULL,
          number             TEXT    NOT NULL,
          status             TEXT    NOT NULL,
          title              TEXT    NOT NULL,
          description        TEXT    NOT NULL,
          community          TEXT    NOT NULL,
          unit               TEXT,
          urgency            TEXT    NOT NULL,
          platform_ticket_no TEXT,
          registered_at      TEXT    NOT NULL,
          updated_at         TEXT    NOT NULL,
          revision           INTEGER NOT NULL,
          folded_state       TEXT    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS case_list_by_org_registered ON case_list (org_id, registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_registered ON case_list (registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_status ON case_list (status);
        CREATE INDEX IF NOT EXISTS case_list_by_unit ON case_list (unit);
        CREATE INDEX IF NOT EXISTS case_list_by_community ON case_list (community);
        CREATE TABLE IF NOT EXISTS case_deadlines (
          case_id    TEXT    NOT NULL,
          milestone  TEXT    NOT NULL,
          version    INTEGER NOT NULL,
          due_at     TEXT    NOT NULL,
          reached_at TEXT,
          PRIMARY KEY (case_id, milestone)
        );
        CREATE INDEX IF NOT EXISTS case_deadlines_open_by_due ON case_deadlines (due_at) WHERE reached_at IS NULL;
      `);
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS case_list; DROP TABLE IF EXISTS case_deadlines;');
    },
    applyBatch(db, events) {
      applyToCaseList(db, events);
    },
  };
}

function applyToCaseList(db: Database, events: readonly RecordedEvent[]): void {
  const select = db
    .prepare<[string], { folded_state: string; revision: bigint }>(
      'SELECT folded_state, revision FROM case_list WHERE case_id = ?',
    )
    .safeIntegers(true);
  const upsertCase = db.prepare(
    `INSERT INTO case_list (case_id, org_id, kind, number, status, title, description, community, unit, urgency,
                            platform_ticket_no, registered_at, updated_at, revision, folded_state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (case_id) DO UPDATE SET
       org_id = excluded.org_id, kind = excluded.kind, number = excluded.number, status = excluded.status,
       title = excluded.title, description = excluded.description, community = excluded.community,
       unit = excluded.unit, urgency = excluded.urgency, platform_ticket_no = excluded.platform_ticket_no,
       registered_at = excluded.registered_at, updated_at = excluded.updated_at, revision = excluded.revision,
       folded_state = excluded.folded_state`,
  );
  const upsertDeadline = db.prepare<[string, string, number, string, string | null]>(
    `INSERT INTO case_deadlines (case_id, milestone, version, due_at, reached_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (case_id, milestone) DO UPDATE SET
       version = excluded.version, due_at = excluded.due_at, reached_at = excluded.reached_at`,
  );
  const deleteDeadline = db.prepare<[string, string]>('DELETE FROM case_deadlines WHERE case_id = ? AND milestone = ?');
  const load = (caseId: string): StoredFold | undefined => {
    const row = select.get(caseId);
    return row && { state: JSON.parse(row.folded_state), revision: row.revision };
  };

  for (const [caseId, folded] of foldCaseBatch(caseEventsOf(events), load)) {
    const { state } = folded;
    upsertCase.run(
      caseId,
      state.orgId,
      state.kind,
      state.number,
      state.status,
      state.title,
      state.description,
      state.community,
      state.unit ?? null,
      state.urgency,
      state.platformTicketNo ?? null,
      utc(state.registeredAt),
      // When the case last changed in the system; business times may be back-dated.
      utc(folded.last.metadata.recordedAt),
      folded.revision,
      JSON.stringify(state),
    );

    // evolve returns the same objects for what an event leaves alone, so an unchanged deadline
    // (the same object as in the stored fold) needs no write.
    const before = new Map((folded.before?.state.deadlines ?? []).map((deadline) => [deadline.milestone, deadline]));
    for (const deadline of state.deadlines) {
      if (before.get(deadline.milestone) === deadline) continue;
      upsertDeadline.run(
        caseId,
        deadline.milestone,
        deadline.version,
        utc(deadline.dueAt),
        deadline.reachedAt === undefined ? null : utc(deadline.reachedAt),
      );
    }
    for (const milestone of before.keys()) {
      if (!state.deadlines.some((deadline) => deadline.milestone === milestone)) deleteDeadline.run(caseId, milestone);
    }
  }
}

/** Matches what `Date#toISOString` writes, which is what the service records. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function utc(isoTime: string): string {
  // Parsing a time that is already canonical would cost more than writing the rest of the row.
  return CANONICAL_UTC.test(isoTime) ? isoTime : new Date(isoTime).toISOString();
}

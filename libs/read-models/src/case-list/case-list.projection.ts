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
 *
 * Rows are clustered by `case_key`, an integer handed out in the order cases first appear in the
 * log, rather than by the random case UUID: the cases a batch touches are mostly recent ones, so
 * their rows and deadlines share few pages and a commit writes little, where keyed by the UUID
 * nearly every write would dirty a page of its own.
 */
export function caseListProjection(): Projection {
  return {
    name: CASE_LIST_PROJECTION,
    version: 2,
    createSchema(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS case_list (
          case_key           INTEGER PRIMARY KEY,
          case_id            TEXT    NOT NULL UNIQUE,
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
        -- Each filter's index also holds the list's order, so a page is read without sorting the matches.
        CREATE INDEX IF NOT EXISTS case_list_by_registered ON case_list (registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_org ON case_list (org_id, registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_status ON case_list (status, registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_unit ON case_list (unit, registered_at);
        CREATE INDEX IF NOT EXISTS case_list_by_community ON case_list (community, registered_at);
        CREATE TABLE IF NOT EXISTS case_deadlines (
          case_key   INTEGER NOT NULL,
          case_id    TEXT    NOT NULL,
          milestone  TEXT    NOT NULL,
          version    INTEGER NOT NULL,
          due_at     TEXT    NOT NULL,
          reached_at TEXT,
          PRIMARY KEY (case_key, milestone)
        ) WITHOUT ROWID;
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
    .prepare<[string], { case_key: bigint; folded_state: string; revision: bigint }>(
      'SELECT case_key, folded_state, revision FROM case_list WHERE case_id = ?',
    )
    .safeIntegers(true);
  const insertCase = db
    .prepare(
      `INSERT INTO case_list (case_id, org_id, kind, number, status, title, description, community, unit, urgency,
                              platform_ticket_no, registered_at, updated_at, revision, folded_state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .safeIntegers(true);
  // Organisation, kind, number, registration time and ticket number identify a case from its
  // intake on; leaving them out of the update spares their indexes.
  const updateCase = db.prepare(
    `UPDATE case_list SET status = ?, title = ?, description = ?, community = ?, unit = ?, urgency = ?,
                          updated_at = ?, revision = ?, folded_state = ?
     WHERE case_key = ?`,
  );
  const upsertDeadline = db.prepare<[bigint, string, string, number, string, string | null]>(
    `INSERT INTO case_deadlines (case_key, case_id, milestone, version, due_at, reached_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (case_key, milestone) DO UPDATE SET
       version = excluded.version, due_at = excluded.due_at, reached_at = excluded.reached_at`,
  );
  const deleteDeadline = db.prepare<[bigint, string]>('DELETE FROM case_deadlines WHERE case_key = ? AND milestone = ?');
  const caseKeys = new Map<string, bigint>();
  const load = (caseId: string): StoredFold | undefined => {
    const row = select.get(caseId);
    if (!row) return undefined;
    caseKeys.set(caseId, row.case_key);
    return { state: JSON.parse(row.folded_state), revision: row.revision };
  };

  for (const [caseId, folded] of foldCaseBatch(caseEventsOf(events), load)) {
    const { state } = folded;
    // When the case last changed in the system; business times may be back-dated.
    const updatedAt = utc(folded.last.metadata.recordedAt);
    let caseKey = caseKeys.get(caseId);
    if (caseKey === undefined) {
      caseKey = insertCase.run(
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
        updatedAt,
        folded.revision,
        JSON.stringify(state),
      ).lastInsertRowid as bigint;
    } else {
      updateCase.run(
        state.status,
        state.title,
        state.description,
        state.community,
        state.unit ?? null,
        state.urgency,
        updatedAt,
        folded.revision,
        JSON.stringify(state),
        caseKey,
      );
    }

    // evolve returns the same objects for what an event leaves alone, so a deadline that is the
    // very object of the stored fold has not changed and needs no write.
    const stored = folded.before?.state.deadlines ?? [];
    for (const deadline of state.deadlines) {
      if (stored.includes(deadline)) continue;
      upsertDeadline.run(
        caseKey,
        caseId,
        deadline.milestone,
        deadline.version,
        utc(deadline.dueAt),
        deadline.reachedAt === undefined ? null : utc(deadline.reachedAt),
      );
    }
    for (const { milestone } of stored) {
      if (!state.deadlines.some((deadline) => deadline.milestone === milestone)) deleteDeadline.run(caseKey, milestone);
    }
  }
}

/** Matches what `Date#toISOString` writes, which is what the service records. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function utc(isoTime: string): string {
  // Parsing a time that is already canonical would cost more than writing the rest of the row.
  return CANONICAL_UTC.test(isoTime) ? isoTime : new Date(isoTime).toISOString();
}

import type { Database } from 'better-sqlite3';
import { timelinessFacts } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import type { Projection } from '../projection/projection';
import { caseEventsOf } from '../case-events/recorded-case-event';
import { foldCaseBatch, type StoredFold } from '../case-events/fold-case-batch';

export const CASE_VIEW_PROJECTION = 'case-view';

/**
 * Per case, the domain's folded `OpenedCase` (JSON), the stream revision it reflects and the
 * global position of its last event: what GET /api/cases/{id} answers, with the revision as ETag.
 * Beside it, the case's timeliness facts (SPEC §4–5) derived from the same fold, so statistics
 * and reports cost no second fold; `position` lets a reader fetch just the cases changed since
 * it last looked.
 */
export function caseViewProjection(): Projection {
  return {
    name: CASE_VIEW_PROJECTION,
    version: 2,
    createSchema(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS case_view (
          case_id  TEXT PRIMARY KEY,
          org_id   TEXT    NOT NULL,
          state    TEXT    NOT NULL,
          facts    TEXT    NOT NULL,
          revision INTEGER NOT NULL,
          position INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS case_view_by_org_position ON case_view (org_id, position);
      `);
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS case_view');
    },
    applyBatch(db, events) {
      applyToCaseView(db, events);
    },
  };
}

function applyToCaseView(db: Database, events: readonly RecordedEvent[]): void {
  const select = db
    .prepare<[string], { state: string; revision: bigint }>('SELECT state, revision FROM case_view WHERE case_id = ?')
    .safeIntegers(true);
  const insert = db.prepare<[string, string, string, string, bigint, bigint]>(
    'INSERT INTO case_view (case_id, org_id, state, facts, revision, position) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const update = db.prepare<[string, string, bigint, bigint, string]>(
    'UPDATE case_view SET state = ?, facts = ?, revision = ?, position = ? WHERE case_id = ?',
  );
  const load = (caseId: string): StoredFold | undefined => {
    const row = select.get(caseId);
    return row && { state: JSON.parse(row.state), revision: row.revision };
  };
  for (const [caseId, folded] of foldCaseBatch(caseEventsOf(events), load)) {
    const state = JSON.stringify(folded.state);
    const facts = JSON.stringify(timelinessFacts(folded.state));
    if (folded.before === null) insert.run(caseId, folded.state.orgId, state, facts, folded.revision, folded.last.position);
    else update.run(state, facts, folded.revision, folded.last.position, caseId);
  }
}

import type { Database } from 'better-sqlite3';
import { timelinessFacts } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import { caseEventsOf } from '../case-events/recorded-case-event';
import { foldCaseBatch, type StoredFold } from '../case-events/fold-case-batch';
import type { Projection } from '../projection/projection';

export const TIMELINESS_PROJECTION = 'timeliness';

/**
 * Per case, the facts the timeliness KPIs and the monthly report are computed from (SPEC §4–5):
 * milestones with their final deadlines and reach times, call-backs, closure, mediation outcome,
 * repeat links, supervision orders. `position` is the global position of the case's last event,
 * so a reader can fetch just the cases changed since it last looked.
 */
export function timelinessProjection(): Projection {
  return {
    name: TIMELINESS_PROJECTION,
    version: 1,
    createSchema(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS case_timeliness (
          case_id  TEXT PRIMARY KEY,
          org_id   TEXT    NOT NULL,
          state    TEXT    NOT NULL,
          facts    TEXT    NOT NULL,
          revision INTEGER NOT NULL,
          position INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS case_timeliness_by_position ON case_timeliness (position);
      `);
    },
    dropSchema(db) {
      db.exec('DROP TABLE IF EXISTS case_timeliness');
    },
    applyBatch(db, events) {
      applyToTimeliness(db, events);
    },
  };
}

function applyToTimeliness(db: Database, events: readonly RecordedEvent[]): void {
  const select = db
    .prepare<[string], { state: string; revision: bigint }>('SELECT state, revision FROM case_timeliness WHERE case_id = ?')
    .safeIntegers(true);
  const upsert = db.prepare<[string, string, string, string, bigint, bigint]>(
    `INSERT INTO case_timeliness (case_id, org_id, state, facts, revision, position) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, facts = excluded.facts,
       revision = excluded.revision, position = excluded.position`,
  );
  const load = (caseId: string): StoredFold | undefined => {
    const row = select.get(caseId);
    return row && { state: JSON.parse(row.state), revision: row.revision };
  };
  for (const [caseId, folded] of foldCaseBatch(caseEventsOf(events), load)) {
    upsert.run(
      caseId,
      folded.state.orgId,
      JSON.stringify(folded.state),
      JSON.stringify(timelinessFacts(folded.state)),
      folded.revision,
      folded.last.position,
    );
  }
}

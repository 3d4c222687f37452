import type { Database } from 'better-sqlite3';
import type { OpenedCase } from '@cases/domain';

export interface CaseView {
  state: OpenedCase;
  /** Stream revision the state reflects (the ETag). */
  revision: bigint;
  /** Global position of the case's last event. */
  position: bigint;
}

/** The case as the domain folds it, or null when no such case has reached the read model. */
export function getCaseView(db: Database, caseId: string): CaseView | null {
  const row = db
    .prepare<[string], { state: string; revision: bigint; position: bigint }>(
      'SELECT state, revision, position FROM case_view WHERE case_id = ?',
    )
    .safeIntegers(true)
    .get(caseId);
  return row ? { state: JSON.parse(row.state) as OpenedCase, revision: row.revision, position: row.position } : null;
}

import type { Database } from 'better-sqlite3';
import type { CaseFacts } from '@cases/domain';

/** The timeliness facts of every case of `orgId` whose last event lies after `afterPosition`. */
export function changedCaseFacts(db: Database, orgId: string, afterPosition: bigint): CaseFacts[] {
  return db
    .prepare<[string, bigint], { facts: string }>('SELECT facts FROM case_view WHERE org_id = ? AND position > ?')
    .all(orgId, afterPosition)
    .map((row) => JSON.parse(row.facts) as CaseFacts);
}

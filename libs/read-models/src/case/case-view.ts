import type { Database } from 'better-sqlite3';
import type { CaseFacts, OpenedCase } from '@cases/domain';
import { casesNeedingAttention } from '../projection/parked-events';
import { selectCaseView, selectCasesWithOpenDeadlines, selectFactsChangedSince, type OpenDeadlineCaseRow } from './case.sql';

export interface CaseView {
  state: OpenedCase;
  /** Stream revision the state reflects (the ETag). */
  revision: bigint;
  /** Global position of the case's last event. */
  position: bigint;
  /** A read model parked an event of the case: the view may stop short of the log (docs/architecture.md, "Parked events"). */
  needsAttention: boolean;
}

/** The case as the domain folds it, or null when no such case has reached the read model. */
export function getCaseView(db: Database, caseId: string): CaseView | null {
  const row = selectCaseView(db, caseId);
  if (!row) return null;
  const needsAttention = casesNeedingAttention(db, [caseId]).size > 0;
  return { state: JSON.parse(row.state) as OpenedCase, revision: row.revision, position: row.position, needsAttention };
}

/** The timeliness facts of every case of `orgId` whose last event lies after `afterPosition`. */
export function changedCaseFacts(db: Database, orgId: string, afterPosition: bigint): CaseFacts[] {
  return selectFactsChangedSince(db, orgId, afterPosition).map((facts) => JSON.parse(facts) as CaseFacts);
}

export type OpenDeadlineCase = OpenDeadlineCaseRow;

/** Cases still open that have a deadline not yet reached, with the revision the read model holds. */
export function casesWithOpenDeadlines(db: Database): OpenDeadlineCase[] {
  return selectCasesWithOpenDeadlines(db);
}

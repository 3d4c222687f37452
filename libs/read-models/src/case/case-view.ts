import type { Kysely } from 'kysely';
import type { CaseFacts, OpenedCase } from '@cases/domain';
import type { ReadModelTables } from '../database/read-model-tables';
import { casesNeedingAttention } from '../projection/parked-events';
import { selectCaseView, selectCasesWithOpenDeadlines, selectFactsChangedSince, type OpenDeadlineCaseRow } from './case.sql';

type Db = Kysely<ReadModelTables>;

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
export async function getCaseView(db: Db, caseId: string): Promise<CaseView | null> {
  const row = await selectCaseView(db, caseId);
  if (!row) return null;
  const needsAttention = (await casesNeedingAttention(db, [caseId])).size > 0;
  return { state: JSON.parse(row.state) as OpenedCase, revision: row.revision, position: row.position, needsAttention };
}

/** The timeliness facts of every case of `orgId` whose last event lies after `afterPosition`. */
export async function changedCaseFacts(db: Db, orgId: string, afterPosition: bigint): Promise<CaseFacts[]> {
  return (await selectFactsChangedSince(db, orgId, afterPosition)).map((facts) => JSON.parse(facts) as CaseFacts);
}

export type OpenDeadlineCase = OpenDeadlineCaseRow;

/** Cases still open that have a deadline not yet reached, with the revision the read model holds. */
export function casesWithOpenDeadlines(db: Db): Promise<OpenDeadlineCase[]> {
  return selectCasesWithOpenDeadlines(db);
}

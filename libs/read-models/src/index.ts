import { caseHistoryProjection } from './case-history/case-history.projection';
import { caseProjection } from './case/case.projection';
import type { Projection } from './projection/projection';

export { LogBatch, type CaseEventDecoder, type LogEntry, type RecordedCaseEvent, type UndecodableEvent } from './log/log-batch';
export type { Projection, ProjectionWriter, BulkProjectionWriter } from './projection/projection';
export type { SchemaTarget } from './projection/projection';
export type { TableNames } from './projection/table-names';
export type { ReadModelDialect, ReadModelLocation } from './database/read-model-database';
export type { ReadModelTables } from './database/read-model-tables';
export { prepareReadModelDatabase } from './database/migrations';
export {
  ProjectionRunner,
  UnknownProjectionError,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type ReadAt,
  type ReadModelReader,
} from './projection/projection-runner';
export type { ProjectionLogger } from './projection/projected-model';
export { PositionBeyondLogError, ProjectionTimeoutError } from './projection/position-waiters';
export type { ParkedCount, ParkedEvent, ParkedReason } from './projection/parked-events';
export type { ReplayOutcome } from './projection/parked-replay';
export type { RebuildProgress, RebuildResult } from './projection/rebuilder';
export { CASE_PROJECTION, caseProjection } from './case/case.projection';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type CaseListItem, type CaseListPage, type CaseListQuery } from './case/case-list';
export type { CaseView, OpenDeadlineCase } from './case/case-view';
export { CASE_HISTORY_PROJECTION, caseHistoryProjection } from './case-history/case-history.projection';
export type { CaseHistoryEntry } from './case-history/get-case-history';
export * from './read-models';

/** Every projection the case service runs, for one runner to feed. */
export function caseProjections(): Projection[] {
  return [caseProjection(), caseHistoryProjection()];
}

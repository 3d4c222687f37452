import type { Database } from 'better-sqlite3';
import type { LogBatch } from '../log/log-batch';
import type { Projection, ProjectionWriter } from '../projection/projection';
import type { TableNames } from '../projection/table-names';
import { CASE_HISTORY_TABLES, CaseHistoryTables, createCaseHistoryIndexes, createCaseHistoryTables } from './case-history.sql';

export const CASE_HISTORY_PROJECTION = 'case-history';

/**
 * Every event of every case, in stream order, with who, when (business and server time) and why.
 * Only the event's `data` is kept, decoded to today's shape: its personal part never reaches the
 * read model (docs/decisions/0005-read-models-without-personal-data.md); the API reads that from
 * the store on demand. It appends rows and folds nothing.
 */
export function caseHistoryProjection(): Projection {
  return {
    name: CASE_HISTORY_PROJECTION,
    version: 3,
    tables: CASE_HISTORY_TABLES,
    createTables: createCaseHistoryTables,
    createIndexes: createCaseHistoryIndexes,
    writer: (db, names) => new CaseHistoryWriter(db, names),
  };
}

class CaseHistoryWriter implements ProjectionWriter {
  private readonly tables: CaseHistoryTables;

  constructor(db: Database, names: TableNames) {
    this.tables = new CaseHistoryTables(db, names);
  }

  apply(batch: LogBatch): void {
    // Per batch only: keys handed out by a batch that rolls back must not outlive it.
    const caseKeys = new Map<string, bigint>();
    for (const { caseId, revision, position, metadata, event } of batch.caseEvents) {
      let caseKey = caseKeys.get(caseId);
      if (caseKey === undefined) {
        caseKey = this.tables.caseKey(caseId);
        caseKeys.set(caseId, caseKey);
      }
      this.tables.insert({
        position,
        caseKey,
        revision,
        type: event.type,
        occurredAt: event.occurredAt,
        recordedAt: metadata.recordedAt,
        actorId: event.actor.id,
        actorRole: event.actor.role,
        actorUnit: event.actor.unit ?? null,
        command: metadata.command,
        correlationId: metadata.correlationId,
        causationId: metadata.causationId ?? null,
        reason: reasonOf(event.data),
        data: JSON.stringify(event.data),
      });
    }
  }
}

/** The reason a step gave (reject, return, extension, reopen…), when it has one. */
function reasonOf(data: object): string | null {
  const reason = (data as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : null;
}

import type { Kysely } from 'kysely';
import type { ReadModelTables } from '../database/read-model-tables';
import type { LogBatch } from '../log/log-batch';
import type { Projection, ProjectionWriter } from '../projection/projection';
import { CASE_HISTORY_TABLES, caseKeys, createCaseHistoryIndexes, createCaseHistoryTables, insertHistoryRows } from './case-history.sql';

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
    writer: () => new CaseHistoryWriter(),
  };
}

class CaseHistoryWriter implements ProjectionWriter {
  async apply(db: Kysely<ReadModelTables>, batch: LogBatch): Promise<void> {
    const events = batch.caseEvents;
    if (events.length === 0) return;
    // Per batch only: keys handed out by a batch that rolls back must not outlive it.
    const keys = await caseKeys(db, [...new Set(events.map((event) => event.caseId))]);
    await insertHistoryRows(
      db,
      events.map(({ caseId, revision, position, metadata, event }) => ({
        position,
        caseKey: keys.get(caseId) as bigint,
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
      })),
    );
  }
}

/** The reason a step gave (reject, return, extension, reopen…), when it has one. */
function reasonOf(data: object): string | null {
  const reason = (data as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : null;
}

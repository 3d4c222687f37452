import type { Kysely } from 'kysely';
import type { ReadModelTables } from '../database/read-model-tables';
import type { Actor, CaseEventType } from '@cases/domain';
import { selectCaseHistory } from './case-history.sql';

export interface CaseHistoryEntry {
  caseId: string;
  revision: bigint;
  position: bigint;
  type: CaseEventType;
  /** Business time (docs/domain/overview.md, "Who, when and why"), as recorded. */
  occurredAt: string;
  /** Server time the command was accepted, as recorded. */
  recordedAt: string;
  actor: Actor;
  command: string;
  correlationId: string;
  causationId: string | null;
  reason?: string;
  /** The event's data in today's shape; never its personal part. */
  data: Record<string, unknown>;
}

/** Every event of the case in stream order; empty when no such case has reached the read model. */
export async function getCaseHistory(db: Kysely<ReadModelTables>, caseId: string): Promise<CaseHistoryEntry[]> {
  return (await selectCaseHistory(db, caseId)).map((row) => ({
    caseId,
    revision: row.revision,
    position: row.position,
    type: row.type,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    actor: { id: row.actor_id, role: row.actor_role, ...(row.actor_unit !== null && { unit: row.actor_unit }) },
    command: row.command,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    ...(row.reason !== null && { reason: row.reason }),
    data: JSON.parse(row.data) as Record<string, unknown>,
  }));
}

import type { Database } from 'better-sqlite3';
import type { Actor, CaseEventType, Role } from '@cases/domain';

export interface CaseHistoryEntry {
  caseId: string;
  revision: bigint;
  position: bigint;
  type: CaseEventType;
  /** Business time (SPEC §2), as recorded. */
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

interface CaseHistoryRow {
  revision: bigint;
  position: bigint;
  type: CaseEventType;
  occurred_at: string;
  recorded_at: string;
  actor_id: string;
  actor_role: Role;
  actor_unit: string | null;
  command: string;
  correlation_id: string;
  causation_id: string | null;
  reason: string | null;
  data: string;
}

/** Every event of the case in stream order; empty when no such case has reached the read model. */
export function getCaseHistory(db: Database, caseId: string): CaseHistoryEntry[] {
  const rows = db
    .prepare<[string], CaseHistoryRow>(
      `SELECT h.* FROM case_history_cases c JOIN case_history h ON h.case_key = c.case_key
       WHERE c.case_id = ? ORDER BY h.revision`,
    )
    .safeIntegers(true)
    .all(caseId);
  return rows.map((row) => ({
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

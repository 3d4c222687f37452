import type { Database, Statement } from 'better-sqlite3';
import type { CaseEventType, Role } from '@cases/domain';
import type { TableNames } from '../projection/table-names';

/**
 * Every SQL statement of the case history read model. Nothing outside this file names its tables.
 *
 * Events are stored in log order (position as row id) and found by an integer key per case,
 * handed out in the order cases appear: a batch then writes to the end of both trees rather than
 * to one random page per event, as an index on the case UUID would.
 */

export const CASE_HISTORY_TABLES = ['case_history_cases', 'case_history'] as const;

export function createCaseHistoryTables(db: Database, names: TableNames): void {
  const cases = names.table('case_history_cases');
  const history = names.table('case_history');
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${cases} (
      case_key INTEGER PRIMARY KEY,
      case_id  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS ${history} (
      position       INTEGER PRIMARY KEY,
      case_key       INTEGER NOT NULL,
      revision       INTEGER NOT NULL,
      type           TEXT    NOT NULL,
      occurred_at    TEXT    NOT NULL,
      recorded_at    TEXT    NOT NULL,
      actor_id       TEXT    NOT NULL,
      actor_role     TEXT    NOT NULL,
      actor_unit     TEXT,
      command        TEXT    NOT NULL,
      correlation_id TEXT    NOT NULL,
      causation_id   TEXT,
      reason         TEXT,
      data           TEXT    NOT NULL
    );
  `);
}

export function createCaseHistoryIndexes(db: Database, names: TableNames): void {
  const history = names.table('case_history');
  // Also what refuses a redelivered event that would reach a position of its own.
  db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${names.index('case_history_by_case')} ON ${history} (case_key, revision)`);
}

export interface HistoryRowWrite {
  position: bigint;
  caseKey: bigint;
  revision: bigint;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  actorRole: string;
  actorUnit: string | null;
  command: string;
  correlationId: string;
  causationId: string | null;
  reason: string | null;
  /** The event's data, as JSON. */
  data: string;
}

/** The projection's statements against one generation of the tables. */
export class CaseHistoryTables {
  private readonly selectKey: Statement<[string], bigint>;
  private readonly insertKey: Statement<[string], bigint>;
  private readonly insertEvent: Statement<unknown[]>;

  constructor(db: Database, names: TableNames) {
    const cases = names.table('case_history_cases');
    const history = names.table('case_history');
    this.selectKey = db.prepare<[string], bigint>(`SELECT case_key FROM ${cases} WHERE case_id = ?`).pluck().safeIntegers(true);
    this.insertKey = db
      .prepare<[string], bigint>(`INSERT INTO ${cases} (case_id) VALUES (?) RETURNING case_key`)
      .pluck()
      .safeIntegers(true);
    // A redelivered event hits its (case_key, revision) or its position and is ignored.
    this.insertEvent = db.prepare(
      `INSERT INTO ${history} (position, case_key, revision, type, occurred_at, recorded_at, actor_id, actor_role,
                               actor_unit, command, correlation_id, causation_id, reason, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
  }

  /** The case's key, handed out on its first event. */
  caseKey(caseId: string): bigint {
    return this.selectKey.get(caseId) ?? (this.insertKey.get(caseId) as bigint);
  }

  insert(row: HistoryRowWrite): void {
    this.insertEvent.run(
      row.position,
      row.caseKey,
      row.revision,
      row.type,
      row.occurredAt,
      row.recordedAt,
      row.actorId,
      row.actorRole,
      row.actorUnit,
      row.command,
      row.correlationId,
      row.causationId,
      row.reason,
      row.data,
    );
  }
}

export interface CaseHistoryRow {
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

/** Every event row of the case in stream order (live tables). */
export function selectCaseHistory(db: Database, caseId: string): CaseHistoryRow[] {
  return db
    .prepare<[string], CaseHistoryRow>(
      `SELECT h.revision, h.position, h.type, h.occurred_at, h.recorded_at, h.actor_id, h.actor_role, h.actor_unit,
              h.command, h.correlation_id, h.causation_id, h.reason, h.data
       FROM case_history_cases c JOIN case_history h ON h.case_key = c.case_key
       WHERE c.case_id = ? ORDER BY h.revision`,
    )
    .safeIntegers(true)
    .all(caseId);
}

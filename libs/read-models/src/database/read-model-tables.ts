import type { ColumnType } from 'kysely';

/**
 * An integer column: always read as a bigint (SQLite with safe integers, PostgreSQL `bigint`
 * parsed to BigInt), written as a bigint or a number.
 */
export type IntegerColumn = ColumnType<bigint, bigint | number, bigint | number>;

/**
 * Every read-model table, as the typed query builder sees it, on SQLite and PostgreSQL alike.
 * These are the live (base) names: a rebuild writes the same queries to its own tables through
 * `TableNamesPlugin` (see `projection/table-names.ts`).
 */
export interface ReadModelTables {
  projection_checkpoints: ProjectionCheckpointsTable;
  parked_events: ParkedEventsTable;
  case_view: CaseViewTable;
  case_list: CaseListTable;
  case_deadlines: CaseDeadlinesTable;
  case_units: CaseUnitsTable;
  case_history_cases: CaseHistoryCasesTable;
  case_history: CaseHistoryTable;
}

export interface ProjectionCheckpointsTable {
  projection: string;
  position: IntegerColumn;
  version: IntegerColumn;
  generation: IntegerColumn;
}

/** Events a projection did not apply (`projection/parked-events.ts`); keyed by projection and position. */
export interface ParkedEventsTable {
  projection: string;
  position: IntegerColumn;
  stream_id: string;
  case_id: string;
  revision: IntegerColumn;
  event_id: string;
  type: string;
  /** `refused` or `held`. */
  reason: string;
  error: string | null;
  parked_at: string;
  replay_attempts: IntegerColumn;
}

export interface CaseViewTable {
  case_key: IntegerColumn;
  case_id: string;
  org_id: string;
  revision: IntegerColumn;
  position: IntegerColumn;
  /** The folded state, as JSON. */
  state: string;
  /** The timeliness facts, as JSON. */
  facts: string;
}

export interface CaseListTable {
  case_key: IntegerColumn;
  case_id: string;
  org_id: string;
  kind: string;
  number: string;
  status: string;
  title: string;
  description: string;
  community: string;
  unit: string | null;
  urgency: string;
  platform_ticket_no: string | null;
  registered_at: string;
  updated_at: string;
  revision: IntegerColumn;
}

export interface CaseDeadlinesTable {
  case_key: IntegerColumn;
  milestone: string;
  version: IntegerColumn;
  due_at: string;
  reached_at: string | null;
}

/** The units that may see a case: the one holding it now and every one that held it before. */
export interface CaseUnitsTable {
  unit: string;
  case_key: IntegerColumn;
}

export interface CaseHistoryCasesTable {
  case_key: IntegerColumn;
  case_id: string;
}

export interface CaseHistoryTable {
  position: IntegerColumn;
  case_key: IntegerColumn;
  revision: IntegerColumn;
  type: string;
  occurred_at: string;
  recorded_at: string;
  actor_id: string;
  actor_role: string;
  actor_unit: string | null;
  command: string;
  correlation_id: string;
  causation_id: string | null;
  reason: string | null;
  /** The event's data, as JSON. */
  data: string;
}

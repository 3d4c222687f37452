import type { Kysely } from 'kysely';
import type { CaseEventType, Role } from '@cases/domain';
import { BulkInsert } from '../database/bulk-insert';
import { chunked, integerType } from '../database/columns';
import type { ReadModelTables } from '../database/read-model-tables';
import type { SchemaTarget } from '../projection/projection';

/**
 * Every query of the case history read model, written once for SQLite and PostgreSQL. Nothing
 * outside this file names its tables.
 *
 * Events are stored in log order (position as key) and found by an integer key per case,
 * handed out in the order cases appear: a batch then writes to the end of both trees rather than
 * to one random page per event, as an index on the case UUID would.
 */
export const CASE_HISTORY_TABLES = ['case_history_cases', 'case_history'] as const;

type Db = Kysely<ReadModelTables>;

export async function createCaseHistoryTables({ db, dialect, names }: SchemaTarget): Promise<void> {
  const integer = integerType(dialect);
  await db.schema
    .createTable('case_history_cases')
    .ifNotExists()
    .addColumn('case_key', integer, (column) => column.notNull())
    .addColumn('case_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint(names.index('case_history_cases_pkey'), ['case_key'])
    .addUniqueConstraint(names.index('case_history_cases_case_id'), ['case_id'])
    .execute();
  await db.schema
    .createTable('case_history')
    .ifNotExists()
    .addColumn('position', integer, (column) => column.notNull())
    .addColumn('case_key', integer, (column) => column.notNull())
    .addColumn('revision', integer, (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('occurred_at', 'text', (column) => column.notNull())
    .addColumn('recorded_at', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text', (column) => column.notNull())
    .addColumn('actor_role', 'text', (column) => column.notNull())
    .addColumn('actor_unit', 'text')
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('correlation_id', 'text', (column) => column.notNull())
    .addColumn('causation_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('data', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint(names.index('case_history_pkey'), ['position'])
    .execute();
}

export async function createCaseHistoryIndexes({ db, names }: SchemaTarget): Promise<void> {
  // Also what refuses a redelivered event that would reach a position of its own.
  await db.schema
    .createIndex(names.index('case_history_by_case'))
    .ifNotExists()
    .unique()
    .on('case_history')
    .columns(['case_key', 'revision'])
    .execute();
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

const KEYS_PER_QUERY = 500;
/** Rows per multi-row insert (14 parameters each), well under both databases' limits. */
const ROWS_PER_INSERT = 500;

/**
 * The keys of the cases of `caseIds` (in the order given), handing out the next free keys, in
 * that order, to those seen for the first time.
 */
export async function caseKeys(db: Db, caseIds: readonly string[]): Promise<Map<string, bigint>> {
  const keys = new Map<string, bigint>();
  for (const ids of chunked(caseIds, KEYS_PER_QUERY)) {
    const rows = await db.selectFrom('case_history_cases').select(['case_id', 'case_key']).where('case_id', 'in', ids).execute();
    for (const row of rows) keys.set(row.case_id, row.case_key);
  }
  const unseen = caseIds.filter((caseId) => !keys.has(caseId));
  if (unseen.length === 0) return keys;
  const last = await db
    .selectFrom('case_history_cases')
    .select((eb) => eb.fn.max('case_key').as('last'))
    .executeTakeFirst();
  let next = (last?.last === null || last?.last === undefined ? 0n : BigInt(last.last)) + 1n;
  for (const caseId of unseen) keys.set(caseId, next++);
  for (const ids of chunked(unseen, ROWS_PER_INSERT)) {
    await db
      .insertInto('case_history_cases')
      .values(ids.map((caseId) => ({ case_id: caseId, case_key: keys.get(caseId) as bigint })))
      .execute();
  }
  return keys;
}

const historyInsert = new BulkInsert<HistoryRowWrite>(
  (db, rows) =>
    db
      .insertInto('case_history')
      .values(
        rows.map((row) => ({
          position: row.position,
          case_key: row.caseKey,
          revision: row.revision,
          type: row.type,
          occurred_at: row.occurredAt,
          recorded_at: row.recordedAt,
          actor_id: row.actorId,
          actor_role: row.actorRole,
          actor_unit: row.actorUnit,
          command: row.command,
          correlation_id: row.correlationId,
          causation_id: row.causationId,
          reason: row.reason,
          data: row.data,
        })),
      )
      .onConflict((conflict) => conflict.doNothing()),
  (row) => [
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
  ],
  ROWS_PER_INSERT,
);

/** Inserts the rows; a redelivered event hits its (case_key, revision) or its position and is ignored. */
export function insertHistoryRows(db: Db, rows: readonly HistoryRowWrite[]): Promise<void> {
  return historyInsert.run(db, rows);
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
export async function selectCaseHistory(db: Db, caseId: string): Promise<CaseHistoryRow[]> {
  const rows = await db
    .selectFrom('case_history_cases as c')
    .innerJoin('case_history as h', 'h.case_key', 'c.case_key')
    .select([
      'h.revision',
      'h.position',
      'h.type',
      'h.occurred_at',
      'h.recorded_at',
      'h.actor_id',
      'h.actor_role',
      'h.actor_unit',
      'h.command',
      'h.correlation_id',
      'h.causation_id',
      'h.reason',
      'h.data',
    ])
    .where('c.case_id', '=', caseId)
    .orderBy('h.revision')
    .execute();
  return rows.map((row) => ({ ...row, type: row.type as CaseEventType, actor_role: row.actor_role as Role }));
}

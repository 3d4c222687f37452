import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import { TERMINAL_STATUSES, type CaseStatus, type Milestone } from '@cases/domain';
import type { ReadModelDialect } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import type { SchemaTarget } from '../projection/projection';
import { BulkInsert } from '../database/bulk-insert';
import { chunked, integerType, timeType } from '../database/columns';
import type { CaseListColumns, DeadlineColumns } from './case-state';
import type { CaseListFilter } from './case-list';

/**
 * Every query of the case read model, written once for SQLite and PostgreSQL: its tables, what
 * the projection writes and what the queries read. Nothing outside this file names these tables.
 *
 *  - `case_view`: per case, the domain's folded state (JSON, the fold the next event continues
 *    from), its timeliness facts (JSON), the stream revision and the global position of its last
 *    event; what GET /api/cases/{id} answers, and what statistics and reports are computed from.
 *  - `case_list`: one row of columns per case for GET /api/cases.
 *  - `case_deadlines`: the current version of each milestone's deadline, for the overdue filters
 *    and the deadline scheduler.
 *  - `case_units`: every handling unit that may see the case (`unitsThatMaySee`: the one holding
 *    it now and every one that held it before), for a unit user's list (docs/security.md).
 *
 * Rows are keyed by `case_key`, an integer handed out in the order cases first appear in the log,
 * rather than by the random case UUID: the cases a batch touches are mostly recent ones, so their
 * rows share few pages and a commit writes little, where keyed by the UUID nearly every write
 * would dirty a page of its own. The four tables share a case's key.
 */

export const CASE_TABLES = ['case_view', 'case_list', 'case_deadlines', 'case_units'] as const;

type Db = Kysely<ReadModelTables>;

export async function createCaseTables({ db, dialect, names }: SchemaTarget): Promise<void> {
  const integer = integerType(dialect);
  const time = timeType(dialect);
  // case_id is unique in the view: the projection finds a case's row by it.
  await db.schema
    .createTable('case_view')
    .ifNotExists()
    .addColumn('case_key', integer, (column) => column.notNull())
    .addColumn('case_id', 'text', (column) => column.notNull())
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('revision', integer, (column) => column.notNull())
    .addColumn('position', integer, (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('facts', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint(names.index('case_view_pkey'), ['case_key'])
    .addUniqueConstraint(names.index('case_view_case_id'), ['case_id'])
    .execute();
  await db.schema
    .createTable('case_list')
    .ifNotExists()
    .addColumn('case_key', integer, (column) => column.notNull())
    .addColumn('case_id', 'text', (column) => column.notNull())
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('number', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('community', 'text', (column) => column.notNull())
    .addColumn('unit', 'text')
    .addColumn('urgency', 'text', (column) => column.notNull())
    .addColumn('platform_ticket_no', 'text')
    .addColumn('registered_at', time, (column) => column.notNull())
    .addColumn('updated_at', time, (column) => column.notNull())
    .addColumn('revision', integer, (column) => column.notNull())
    .addPrimaryKeyConstraint(names.index('case_list_pkey'), ['case_key'])
    .execute();
  await db.schema
    .createTable('case_deadlines')
    .ifNotExists()
    .addColumn('case_key', integer, (column) => column.notNull())
    .addColumn('milestone', 'text', (column) => column.notNull())
    .addColumn('version', integer, (column) => column.notNull())
    .addColumn('due_at', time, (column) => column.notNull())
    .addColumn('reached_at', time)
    .addPrimaryKeyConstraint(names.index('case_deadlines_pkey'), ['case_key', 'milestone'])
    .$call((table) => (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table))
    .execute();
  // Keyed by unit first: the one question asked of it is "which cases may this unit see".
  await db.schema
    .createTable('case_units')
    .ifNotExists()
    .addColumn('unit', 'text', (column) => column.notNull())
    .addColumn('case_key', integer, (column) => column.notNull())
    .addPrimaryKeyConstraint(names.index('case_units_pkey'), ['unit', 'case_key'])
    .$call((table) => (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table))
    .execute();
}

export async function createCaseIndexes({ db, names }: SchemaTarget): Promise<void> {
  const index = (base: string) => db.schema.createIndex(names.index(base)).ifNotExists();
  await index('case_view_by_org_position').on('case_view').columns(['org_id', 'position']).execute();
  // Each filter's index also holds the list's order, so a page is read without sorting the matches.
  await index('case_list_by_registered').on('case_list').column('registered_at').execute();
  await index('case_list_by_org').on('case_list').columns(['org_id', 'registered_at']).execute();
  await index('case_list_by_status').on('case_list').columns(['status', 'registered_at']).execute();
  await index('case_list_by_unit').on('case_list').columns(['unit', 'registered_at']).execute();
  await index('case_list_by_community').on('case_list').columns(['community', 'registered_at']).execute();
  await index('case_deadlines_open_by_due').on('case_deadlines').column('due_at').where(sql.ref('reached_at'), 'is', null).execute();
}

/** A case as the view last stored it. */
export interface StoredCaseRow {
  key: bigint;
  revision: bigint;
  /** The folded state, as JSON. */
  state: string;
}

/** What the projection writes for one case. */
export interface CaseWrite {
  key: bigint;
  caseId: string;
  revision: bigint;
  position: bigint;
  /** The folded state and the timeliness facts, as JSON. */
  state: string;
  facts: string;
  list: CaseListColumns;
  /** When the case last changed in the system (UTC). */
  updatedAt: string;
}

/** Cases loaded per query. */
const LOAD_CHUNK = 500;
/**
 * Rows per multi-row insert: one statement for many rows is what keeps a rebuild's writes close
 * to SQLite's own speed (a statement per row would pay the query builder and the driver per row),
 * well under both databases' limits on bound parameters.
 */
const ROWS_PER_INSERT = 500;

/** The stored rows of the cases of `caseIds` that the view holds. */
export async function loadCases(db: Db, caseIds: readonly string[]): Promise<Map<string, StoredCaseRow>> {
  const found = new Map<string, StoredCaseRow>();
  for (const ids of chunked(caseIds, LOAD_CHUNK)) {
    const rows = await db
      .selectFrom('case_view')
      .select(['case_id', 'case_key', 'revision', 'state'])
      .where('case_id', 'in', ids)
      .execute();
    for (const row of rows) found.set(row.case_id, { key: row.case_key, revision: row.revision, state: row.state });
  }
  return found;
}

/** The key the next new case takes: keys follow the order cases first appear in the log. */
export async function nextCaseKey(db: Db): Promise<bigint> {
  const row = await db
    .selectFrom('case_view')
    .select((eb) => eb.fn.max('case_key').as('last'))
    .executeTakeFirst();
  return (row?.last === null || row?.last === undefined ? 0n : BigInt(row.last)) + 1n;
}

/** The writes a batch (or a rebuild's eviction) makes, gathered to be sent as few statements. */
export class CaseWriteSet {
  private readonly cases: CaseWrite[] = [];
  private readonly deadlines: { key: bigint; deadline: DeadlineColumns }[] = [];
  private readonly removedDeadlines: { key: bigint; milestone: Milestone }[] = [];
  private readonly units: { key: bigint; unit: string }[] = [];
  private readonly removedUnits: { key: bigint; unit: string }[] = [];

  /** A case's view and list row, inserted or, when its key is stored, updated. */
  writeCase(write: CaseWrite): void {
    this.cases.push(write);
  }

  writeDeadline(key: bigint, deadline: DeadlineColumns): void {
    this.deadlines.push({ key, deadline });
  }

  removeDeadline(key: bigint, milestone: Milestone): void {
    this.removedDeadlines.push({ key, milestone });
  }

  /** Records that `unit` may see the case. */
  addUnit(key: bigint, unit: string): void {
    this.units.push({ key, unit });
  }

  removeUnit(key: bigint, unit: string): void {
    this.removedUnits.push({ key, unit });
  }

  async flush(db: Db): Promise<void> {
    await viewUpsert.run(db, this.cases);
    await listUpsert.run(db, this.cases);
    await deadlineUpsert.run(db, this.deadlines);
    // Rare (a deadline the domain no longer keeps): one statement each.
    for (const { key, milestone } of this.removedDeadlines) {
      await db.deleteFrom('case_deadlines').where('case_key', '=', key).where('milestone', '=', milestone).execute();
    }
    await unitInsert.run(db, this.units);
    // Rare too: a unit leaves the list only when the domain forgets it held the case.
    for (const { key, unit } of this.removedUnits) {
      await db.deleteFrom('case_units').where('unit', '=', unit).where('case_key', '=', key).execute();
    }
  }
}

const viewUpsert = new BulkInsert<CaseWrite>(
  (db, writes) =>
    db
      .insertInto('case_view')
      .values(
        writes.map((write) => ({
          case_key: write.key,
          case_id: write.caseId,
          org_id: write.list.orgId,
          revision: write.revision,
          position: write.position,
          state: write.state,
          facts: write.facts,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('case_key').doUpdateSet((eb) => ({
          revision: eb.ref('excluded.revision'),
          position: eb.ref('excluded.position'),
          state: eb.ref('excluded.state'),
          facts: eb.ref('excluded.facts'),
        })),
      ),
  (write) => [write.key, write.caseId, write.list.orgId, write.revision, write.position, write.state, write.facts],
  ROWS_PER_INSERT,
);

const listUpsert = new BulkInsert<CaseWrite>(
  (db, writes) =>
    db
      .insertInto('case_list')
      .values(
        writes.map(({ key, caseId, list, updatedAt, revision }) => ({
          case_key: key,
          case_id: caseId,
          org_id: list.orgId,
          kind: list.kind,
          number: list.number,
          status: list.status,
          title: list.title,
          description: list.description,
          community: list.community,
          unit: list.unit,
          urgency: list.urgency,
          platform_ticket_no: list.platformTicketNo,
          registered_at: list.registeredAt,
          updated_at: updatedAt,
          revision,
        })),
      )
      // Organisation, kind, number, registration time and ticket number identify a case from
      // its intake on; leaving them out of the update spares their indexes.
      .onConflict((conflict) =>
        conflict.column('case_key').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          title: eb.ref('excluded.title'),
          description: eb.ref('excluded.description'),
          community: eb.ref('excluded.community'),
          unit: eb.ref('excluded.unit'),
          urgency: eb.ref('excluded.urgency'),
          updated_at: eb.ref('excluded.updated_at'),
          revision: eb.ref('excluded.revision'),
        })),
      ),
  ({ key, caseId, list, updatedAt, revision }) => [
    key,
    caseId,
    list.orgId,
    list.kind,
    list.number,
    list.status,
    list.title,
    list.description,
    list.community,
    list.unit,
    list.urgency,
    list.platformTicketNo,
    list.registeredAt,
    updatedAt,
    revision,
  ],
  ROWS_PER_INSERT,
);

const deadlineUpsert = new BulkInsert<{ key: bigint; deadline: DeadlineColumns }>(
  (db, deadlines) =>
    db
      .insertInto('case_deadlines')
      .values(
        deadlines.map(({ key, deadline }) => ({
          case_key: key,
          milestone: deadline.milestone,
          version: deadline.version,
          due_at: deadline.dueAt,
          reached_at: deadline.reachedAt,
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(['case_key', 'milestone']).doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          due_at: eb.ref('excluded.due_at'),
          reached_at: eb.ref('excluded.reached_at'),
        })),
      ),
  ({ key, deadline }) => [key, deadline.milestone, deadline.version, deadline.dueAt, deadline.reachedAt],
  ROWS_PER_INSERT,
);

const unitInsert = new BulkInsert<{ key: bigint; unit: string }>(
  (db, units) =>
    db
      .insertInto('case_units')
      .values(units.map(({ key, unit }) => ({ unit, case_key: key })))
      .onConflict((conflict) => conflict.columns(['unit', 'case_key']).doNothing()),
  ({ key, unit }) => [unit, key],
  ROWS_PER_INSERT,
);

// Queries: they read the live tables only.

export interface CaseViewRow {
  state: string;
  revision: bigint;
  position: bigint;
}

export function selectCaseView(db: Db, caseId: string): Promise<CaseViewRow | undefined> {
  return db.selectFrom('case_view').select(['state', 'revision', 'position']).where('case_id', '=', caseId).executeTakeFirst();
}

/** The facts (JSON) of every case of `orgId` whose last event lies after `afterPosition`. */
export async function selectFactsChangedSince(db: Db, orgId: string, afterPosition: bigint): Promise<string[]> {
  const rows = await db.selectFrom('case_view').select('facts').where('org_id', '=', orgId).where('position', '>', afterPosition).execute();
  return rows.map((row) => row.facts);
}

export interface OpenDeadlineCaseRow {
  caseId: string;
  revision: bigint;
}

/** Cases not ended (closed, rejected, withdrawn) that have a deadline not yet reached. */
export function selectCasesWithOpenDeadlines(db: Db): Promise<OpenDeadlineCaseRow[]> {
  const ended: readonly CaseStatus[] = TERMINAL_STATUSES;
  return db
    .selectFrom('case_list')
    .select(['case_id as caseId', 'revision'])
    .where('status', 'not in', ended)
    .where('case_key', 'in', (eb) => eb.selectFrom('case_deadlines').select('case_deadlines.case_key').where('reached_at', 'is', null))
    .execute();
}

export interface CaseListRow {
  key: bigint;
  id: string;
  number: string;
  kind: string;
  status: string;
  title: string;
  community: string;
  unit: string | null;
  urgency: string;
  platform_ticket_no: string | null;
  registered_at: string;
  updated_at: string;
  revision: bigint;
}

export interface PendingDeadlineRow {
  milestone: Milestone;
  due_at: string;
}

export interface CaseListSelection {
  total: number;
  rows: CaseListRow[];
  /** Per listed case, its pending deadline that falls due first. */
  earliestPending: Map<bigint, PendingDeadlineRow>;
}

/** One page of the cases matching `filter`, newest registration first. */
export async function selectCaseListPage(
  db: Db,
  dialect: ReadModelDialect,
  filter: CaseListFilter,
  nowIso: string,
  page: number,
  pageSize: number,
): Promise<CaseListSelection> {
  const matching = db.selectFrom('case_list').where((eb) => eb.and(listConditions(eb, dialect, filter, nowIso)));
  const counted = await matching.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  const rows = await matching
    .select([
      'case_key as key',
      'case_id as id',
      'number',
      'kind',
      'status',
      'title',
      'community',
      'unit',
      'urgency',
      'platform_ticket_no',
      'registered_at',
      'updated_at',
      'revision',
    ])
    .orderBy('registered_at', 'desc')
    .orderBy('case_key', 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    total: Number(counted.total),
    rows,
    earliestPending: await earliestPendingDeadlines(
      db,
      rows.map((row) => row.key),
    ),
  };
}

type ListBuilder = ExpressionBuilder<ReadModelTables, 'case_list'>;

/**
 * Cases with an unreached deadline matching the deadline filters together: of `milestone` (when
 * given), past due (`overdue: true`), and/or due in the next `dueWithinHours` hours. Null when no
 * deadline filter asks for a pending deadline.
 */
function pendingDeadlineCondition(eb: ListBuilder, filter: CaseListFilter, nowIso: string): Expression<SqlBool> | null {
  if (filter.milestone === undefined && filter.overdue !== true && filter.dueWithinHours === undefined) return null;
  const { milestone, overdue, dueWithinHours } = filter;
  const pending = eb
    .selectFrom('case_deadlines')
    .select('case_deadlines.case_key')
    .where('case_deadlines.reached_at', 'is', null)
    .$if(milestone !== undefined, (query) => query.where('case_deadlines.milestone', '=', milestone as Milestone))
    .$if(overdue === true, (query) => query.where('case_deadlines.due_at', '<', nowIso))
    .$if(dueWithinHours !== undefined, (query) =>
      query
        .where('case_deadlines.due_at', '>=', nowIso)
        .where('case_deadlines.due_at', '<', new Date(Date.parse(nowIso) + (dueWithinHours ?? 0) * 3_600_000).toISOString()),
    );
  return eb('case_list.case_key', 'in', pending);
}

function listConditions(eb: ListBuilder, dialect: ReadModelDialect, filter: CaseListFilter, nowIso: string): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const equals = (column: 'kind' | 'status' | 'unit' | 'community', value: string | undefined): void => {
    if (value !== undefined) conditions.push(eb(`case_list.${column}`, '=', value));
  };

  if (filter.orgId !== undefined) {
    const orgIds = typeof filter.orgId === 'string' ? [filter.orgId] : filter.orgId;
    // An empty list of organisations matches nothing, never everything.
    conditions.push(orgIds.length === 0 ? eb.lit(false) : eb('case_list.org_id', 'in', orgIds));
  }
  equals('kind', filter.kind);
  equals('status', filter.status);
  equals('unit', filter.unit);
  equals('community', filter.community);
  if (filter.seenByUnit !== undefined) {
    const seen = eb.selectFrom('case_units').select('case_units.case_key').where('case_units.unit', '=', filter.seenByUnit);
    conditions.push(eb('case_list.case_key', 'in', seen));
  }
  const pending = pendingDeadlineCondition(eb, filter, nowIso);
  if (pending) conditions.push(pending);
  if (filter.overdue === false) {
    const { milestone } = filter;
    const overdue = eb
      .selectFrom('case_deadlines')
      .select('case_deadlines.case_key')
      .where('case_deadlines.reached_at', 'is', null)
      .where('case_deadlines.due_at', '<', nowIso)
      .$if(milestone !== undefined, (query) => query.where('case_deadlines.milestone', '=', milestone as Milestone));
    conditions.push(eb('case_list.case_key', 'not in', overdue));
  }
  if (filter.registeredFrom !== undefined) conditions.push(eb('case_list.registered_at', '>=', filter.registeredFrom.toISOString()));
  if (filter.registeredTo !== undefined) conditions.push(eb('case_list.registered_at', '<', filter.registeredTo.toISOString()));
  if (filter.text !== undefined && filter.text !== '') {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
    // SQLite's LIKE ignores ASCII case (XF2026 / xf2026), PostgreSQL's ILIKE does; Chinese text has no case to ignore.
    const like = sql.raw(dialect === 'postgres' ? 'ilike' : 'like');
    const matches = (column: 'number' | 'title' | 'description' | 'platform_ticket_no') =>
      sql<SqlBool>`${eb.ref(`case_list.${column}`)} ${like} ${pattern} escape '\\'`;
    conditions.push(eb.or([matches('number'), matches('title'), matches('description'), matches('platform_ticket_no')]));
  }
  return conditions;
}

async function earliestPendingDeadlines(db: Db, caseKeys: readonly bigint[]): Promise<Map<bigint, PendingDeadlineRow>> {
  const earliest = new Map<bigint, PendingDeadlineRow>();
  if (caseKeys.length === 0) return earliest;
  const rows = await db
    .selectFrom('case_deadlines')
    .select(['case_key as key', 'milestone', 'due_at'])
    .where('reached_at', 'is', null)
    .where('case_key', 'in', caseKeys)
    .orderBy('due_at')
    .orderBy('milestone')
    .execute();
  for (const row of rows) if (!earliest.has(row.key)) earliest.set(row.key, { milestone: row.milestone as Milestone, due_at: row.due_at });
  return earliest;
}

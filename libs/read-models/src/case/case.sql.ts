import type { Database, Statement } from 'better-sqlite3';
import { TERMINAL_STATUSES, type CaseStatus, type Milestone } from '@cases/domain';
import type { TableNames } from '../projection/table-names';
import type { CaseListColumns, DeadlineColumns } from './case-state';
import type { CaseListFilter } from './case-list';

/**
 * Every SQL statement of the case read model: its tables, what the projection writes and what
 * the queries read. Nothing outside this file names these tables.
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

export function createCaseTables(db: Database, names: TableNames): void {
  const view = names.table('case_view');
  const list = names.table('case_list');
  const deadlines = names.table('case_deadlines');
  const units = names.table('case_units');
  // case_id is unique in the view: the projection finds a case's row by it.
  // case_units is keyed by unit first: the one question asked of it is "which cases may this unit see".
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${view} (
      case_key INTEGER PRIMARY KEY,
      case_id  TEXT    NOT NULL UNIQUE,
      org_id   TEXT    NOT NULL,
      revision INTEGER NOT NULL,
      position INTEGER NOT NULL,
      state    TEXT    NOT NULL,
      facts    TEXT    NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${list} (
      case_key           INTEGER PRIMARY KEY,
      case_id            TEXT    NOT NULL,
      org_id             TEXT    NOT NULL,
      kind               TEXT    NOT NULL,
      number             TEXT    NOT NULL,
      status             TEXT    NOT NULL,
      title              TEXT    NOT NULL,
      description        TEXT    NOT NULL,
      community          TEXT    NOT NULL,
      unit               TEXT,
      urgency            TEXT    NOT NULL,
      platform_ticket_no TEXT,
      registered_at      TEXT    NOT NULL,
      updated_at         TEXT    NOT NULL,
      revision           INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${deadlines} (
      case_key   INTEGER NOT NULL,
      milestone  TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      due_at     TEXT    NOT NULL,
      reached_at TEXT,
      PRIMARY KEY (case_key, milestone)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${units} (
      unit     TEXT    NOT NULL,
      case_key INTEGER NOT NULL,
      PRIMARY KEY (unit, case_key)
    ) WITHOUT ROWID;
  `);
}

export function createCaseIndexes(db: Database, names: TableNames): void {
  const view = names.table('case_view');
  const list = names.table('case_list');
  const deadlines = names.table('case_deadlines');
  const index = (base: string) => names.index(base);
  db.exec(`
    CREATE INDEX IF NOT EXISTS ${index('case_view_by_org_position')} ON ${view} (org_id, position);
    -- Each filter's index also holds the list's order, so a page is read without sorting the matches.
    CREATE INDEX IF NOT EXISTS ${index('case_list_by_registered')} ON ${list} (registered_at);
    CREATE INDEX IF NOT EXISTS ${index('case_list_by_org')} ON ${list} (org_id, registered_at);
    CREATE INDEX IF NOT EXISTS ${index('case_list_by_status')} ON ${list} (status, registered_at);
    CREATE INDEX IF NOT EXISTS ${index('case_list_by_unit')} ON ${list} (unit, registered_at);
    CREATE INDEX IF NOT EXISTS ${index('case_list_by_community')} ON ${list} (community, registered_at);
    CREATE INDEX IF NOT EXISTS ${index('case_deadlines_open_by_due')} ON ${deadlines} (due_at) WHERE reached_at IS NULL;
  `);
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

/** The projection's statements against one generation of the tables. */
export class CaseTables {
  private readonly select: Statement<[string], { key: bigint; revision: bigint; state: string }>;
  private readonly insertView: Statement<[bigint, string, string, bigint, bigint, string, string]>;
  private readonly updateView: Statement<[bigint, bigint, string, string, bigint]>;
  private readonly insertList: Statement<unknown[]>;
  private readonly updateList: Statement<unknown[]>;
  private readonly upsertDeadline: Statement<[bigint, string, number, string, string | null]>;
  private readonly deleteDeadline: Statement<[bigint, string]>;
  private readonly insertUnit: Statement<[string, bigint]>;
  private readonly deleteUnit: Statement<[string, bigint]>;
  private readonly lastKey: Statement<[], bigint | null>;

  constructor(db: Database, names: TableNames) {
    const view = names.table('case_view');
    const list = names.table('case_list');
    const deadlines = names.table('case_deadlines');
    this.select = db
      .prepare<[string], { key: bigint; revision: bigint; state: string }>(
        `SELECT case_key AS key, revision, state FROM ${view} WHERE case_id = ?`,
      )
      .safeIntegers(true);
    this.insertView = db.prepare(
      `INSERT INTO ${view} (case_key, case_id, org_id, revision, position, state, facts) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateView = db.prepare(`UPDATE ${view} SET revision = ?, position = ?, state = ?, facts = ? WHERE case_key = ?`);
    this.insertList = db.prepare(
      `INSERT INTO ${list} (case_key, case_id, org_id, kind, number, status, title, description, community, unit,
                            urgency, platform_ticket_no, registered_at, updated_at, revision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Organisation, kind, number, registration time and ticket number identify a case from its
    // intake on; leaving them out of the update spares their indexes.
    this.updateList = db.prepare(
      `UPDATE ${list} SET status = ?, title = ?, description = ?, community = ?, unit = ?, urgency = ?,
                          updated_at = ?, revision = ?
       WHERE case_key = ?`,
    );
    this.upsertDeadline = db.prepare(
      `INSERT INTO ${deadlines} (case_key, milestone, version, due_at, reached_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (case_key, milestone) DO UPDATE SET
         version = excluded.version, due_at = excluded.due_at, reached_at = excluded.reached_at`,
    );
    this.deleteDeadline = db.prepare(`DELETE FROM ${deadlines} WHERE case_key = ? AND milestone = ?`);
    const units = names.table('case_units');
    this.insertUnit = db.prepare(`INSERT OR IGNORE INTO ${units} (unit, case_key) VALUES (?, ?)`);
    this.deleteUnit = db.prepare(`DELETE FROM ${units} WHERE unit = ? AND case_key = ?`);
    this.lastKey = db.prepare<[], bigint | null>(`SELECT MAX(case_key) FROM ${view}`).pluck().safeIntegers(true);
  }

  load(caseId: string): StoredCaseRow | undefined {
    return this.select.get(caseId);
  }

  /** The key the next new case takes: keys follow the order cases first appear in the log. */
  nextKey(): bigint {
    return (this.lastKey.get() ?? 0n) + 1n;
  }

  insert(write: CaseWrite): void {
    const { key, caseId, list } = write;
    this.insertView.run(key, caseId, list.orgId, write.revision, write.position, write.state, write.facts);
    this.insertList.run(
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
      write.updatedAt,
      write.revision,
    );
  }

  update(write: CaseWrite): void {
    const { key, list } = write;
    this.updateView.run(write.revision, write.position, write.state, write.facts, key);
    this.updateList.run(
      list.status,
      list.title,
      list.description,
      list.community,
      list.unit,
      list.urgency,
      write.updatedAt,
      write.revision,
      key,
    );
  }

  writeDeadline(key: bigint, deadline: DeadlineColumns): void {
    this.upsertDeadline.run(key, deadline.milestone, deadline.version, deadline.dueAt, deadline.reachedAt);
  }

  removeDeadline(key: bigint, milestone: Milestone): void {
    this.deleteDeadline.run(key, milestone);
  }

  /** Records that `unit` may see the case. */
  addUnit(key: bigint, unit: string): void {
    this.insertUnit.run(unit, key);
  }

  removeUnit(key: bigint, unit: string): void {
    this.deleteUnit.run(unit, key);
  }
}

// Queries: they read the live tables only.

export interface CaseViewRow {
  state: string;
  revision: bigint;
  position: bigint;
}

export function selectCaseView(db: Database, caseId: string): CaseViewRow | undefined {
  return db
    .prepare<[string], CaseViewRow>('SELECT state, revision, position FROM case_view WHERE case_id = ?')
    .safeIntegers(true)
    .get(caseId);
}

/** The facts (JSON) of every case of `orgId` whose last event lies after `afterPosition`. */
export function selectFactsChangedSince(db: Database, orgId: string, afterPosition: bigint): string[] {
  return db
    .prepare<[string, bigint], string>('SELECT facts FROM case_view WHERE org_id = ? AND position > ?')
    .pluck()
    .all(orgId, afterPosition);
}

export interface OpenDeadlineCaseRow {
  caseId: string;
  revision: bigint;
}

/** Cases not ended (closed, rejected, withdrawn) that have a deadline not yet reached. */
export function selectCasesWithOpenDeadlines(db: Database): OpenDeadlineCaseRow[] {
  const ended: readonly CaseStatus[] = TERMINAL_STATUSES;
  return db
    .prepare<string[], OpenDeadlineCaseRow>(
      `SELECT case_id AS caseId, revision FROM case_list
       WHERE status NOT IN (${ended.map(() => '?').join(', ')})
         AND case_key IN (SELECT case_key FROM case_deadlines WHERE reached_at IS NULL)`,
    )
    .safeIntegers(true)
    .all(...ended);
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
export function selectCaseListPage(
  db: Database,
  filter: CaseListFilter,
  nowIso: string,
  page: number,
  pageSize: number,
): CaseListSelection {
  const { where, parameters } = whereClause(filter, nowIso);
  const total = db
    .prepare(`SELECT COUNT(*) FROM case_list c ${where}`)
    .pluck()
    .get(...parameters) as number;
  const rows = db
    .prepare<unknown[], CaseListRow>(
      `SELECT c.case_key AS key, c.case_id AS id, c.number, c.kind, c.status, c.title, c.community, c.unit, c.urgency,
              c.platform_ticket_no, c.registered_at, c.updated_at, c.revision
       FROM case_list c ${where}
       ORDER BY c.registered_at DESC, c.case_key DESC
       LIMIT ? OFFSET ?`,
    )
    .safeIntegers(true)
    .all(...parameters, pageSize, (page - 1) * pageSize);
  return {
    total,
    rows,
    earliestPending: earliestPendingDeadlines(
      db,
      rows.map((row) => row.key),
    ),
  };
}

/**
 * Cases with an unreached deadline matching the deadline filters together: of `milestone` (when
 * given), past due (`overdue: true`), and/or due in the next `dueWithinHours` hours. Null when no
 * deadline filter asks for a pending deadline.
 */
function pendingDeadlineCondition(filter: CaseListFilter, nowIso: string): { where: string; parameters: unknown[] } | null {
  if (filter.milestone === undefined && filter.overdue !== true && filter.dueWithinHours === undefined) return null;
  const conditions = ['reached_at IS NULL'];
  const parameters: unknown[] = [];
  if (filter.milestone !== undefined) {
    conditions.push('milestone = ?');
    parameters.push(filter.milestone);
  }
  if (filter.overdue === true) {
    conditions.push('due_at < ?');
    parameters.push(nowIso);
  }
  if (filter.dueWithinHours !== undefined) {
    conditions.push('due_at >= ? AND due_at < ?');
    parameters.push(nowIso, new Date(Date.parse(nowIso) + filter.dueWithinHours * 3_600_000).toISOString());
  }
  return { where: conditions.join(' AND '), parameters };
}

function whereClause(filter: CaseListFilter, nowIso: string): { where: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const equals = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    conditions.push(`c.${column} = ?`);
    parameters.push(value);
  };

  if (filter.orgId !== undefined) {
    const orgIds = typeof filter.orgId === 'string' ? [filter.orgId] : filter.orgId;
    // An empty list of organisations matches nothing (IN (NULL)), never everything.
    conditions.push(`c.org_id IN (${orgIds.map(() => '?').join(', ') || 'NULL'})`);
    parameters.push(...orgIds);
  }
  equals('kind', filter.kind);
  equals('status', filter.status);
  equals('unit', filter.unit);
  equals('community', filter.community);
  if (filter.seenByUnit !== undefined) {
    conditions.push('c.case_key IN (SELECT case_key FROM case_units WHERE unit = ?)');
    parameters.push(filter.seenByUnit);
  }
  const pending = pendingDeadlineCondition(filter, nowIso);
  if (pending) {
    conditions.push(`c.case_key IN (SELECT case_key FROM case_deadlines WHERE ${pending.where})`);
    parameters.push(...pending.parameters);
  }
  if (filter.overdue === false) {
    const milestone = filter.milestone === undefined ? '' : ' AND milestone = ?';
    conditions.push(`c.case_key NOT IN (SELECT case_key FROM case_deadlines WHERE reached_at IS NULL AND due_at < ?${milestone})`);
    parameters.push(nowIso, ...(filter.milestone === undefined ? [] : [filter.milestone]));
  }
  if (filter.registeredFrom !== undefined) {
    conditions.push('c.registered_at >= ?');
    parameters.push(filter.registeredFrom.toISOString());
  }
  if (filter.registeredTo !== undefined) {
    conditions.push('c.registered_at < ?');
    parameters.push(filter.registeredTo.toISOString());
  }
  if (filter.text !== undefined && filter.text !== '') {
    // LIKE ignores ASCII case (XF2026 / xf2026); Chinese text has no case to ignore.
    const pattern = `%${filter.text.replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
    conditions.push(
      `(c.number LIKE ? ESCAPE '\\' OR c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\'
        OR c.platform_ticket_no LIKE ? ESCAPE '\\')`,
    );
    parameters.push(pattern, pattern, pattern, pattern);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, parameters };
}

function earliestPendingDeadlines(db: Database, caseKeys: readonly bigint[]): Map<bigint, PendingDeadlineRow> {
  const earliest = new Map<bigint, PendingDeadlineRow>();
  if (caseKeys.length === 0) return earliest;
  const rows = db
    .prepare<bigint[], PendingDeadlineRow & { key: bigint }>(
      `SELECT case_key AS key, milestone, due_at FROM case_deadlines
       WHERE reached_at IS NULL AND case_key IN (${caseKeys.map(() => '?').join(', ')})
       ORDER BY due_at, milestone`,
    )
    .safeIntegers(true)
    .all(...caseKeys);
  for (const row of rows) if (!earliest.has(row.key)) earliest.set(row.key, { milestone: row.milestone, due_at: row.due_at });
  return earliest;
}

import type { Database } from 'better-sqlite3';
import type { CaseKind, CaseStatus, Milestone, Urgency } from '@cases/domain';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface CaseListQuery {
  /** One organisation, or the organisations a district-level supervisor oversees. */
  orgId?: string | readonly string[];
  kind?: CaseKind;
  status?: CaseStatus;
  unit?: string;
  community?: string;
  /** true: some milestone's deadline has passed unreached; false: none has. */
  overdue?: boolean;
  /** Only deadlines of this milestone count for `overdue` and `dueWithinHours`; alone, cases with this milestone pending. */
  milestone?: Milestone;
  /** Some unreached deadline falls due within this many hours from now (and has not passed yet). */
  dueWithinHours?: number;
  /** Registered at or after this instant. */
  registeredFrom?: Date;
  /** Registered before this instant: the period is [registeredFrom, registeredTo). */
  registeredTo?: Date;
  /** Case-insensitive substring of the number, title, description or 12345 ticket number. */
  text?: string;
  /** 1-based (default 1). */
  page?: number;
  /** 1 to MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE). */
  pageSize?: number;
}

export interface CaseListItem {
  id: string;
  number: string;
  kind: CaseKind;
  status: CaseStatus;
  title: string;
  community: string;
  unit?: string;
  urgency: Urgency;
  platformTicketNo?: string;
  /** Business time of the intake (UTC ISO-8601). */
  registeredAt: string;
  /** When the case last changed in the system (UTC ISO-8601). */
  updatedAt: string;
  revision: bigint;
  /** The earliest deadline not yet reached, or null when none is pending; `hoursLeft` is negative once overdue. */
  nextDeadline: { milestone: Milestone; dueAt: string; hoursLeft: number } | null;
  overdue: boolean;
}

export interface CaseListPage {
  items: CaseListItem[];
  total: number;
  page: number;
  pageSize: number;
}

interface CaseListRow {
  case_key: bigint;
  id: string;
  number: string;
  kind: CaseKind;
  status: CaseStatus;
  title: string;
  community: string;
  unit: string | null;
  urgency: Urgency;
  platform_ticket_no: string | null;
  registered_at: string;
  updated_at: string;
  revision: bigint;
}

interface PendingDeadlineRow {
  case_key: bigint;
  milestone: Milestone;
  due_at: string;
}

/** Hours from `now` to `dueAt`, to two decimals: what the desk reads as time left (or, negative, overdue). */
function hoursBetween(now: Date, dueAt: string): number {
  return Math.round((Date.parse(dueAt) - now.getTime()) / 36_000) / 100;
}

/** Cases matching every given filter, newest registration first; overdue is judged at `now`. */
export function listCases(db: Database, query: CaseListQuery, now: Date): CaseListPage {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`page must be an integer ≥ 1, got ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const nowIso = now.toISOString();
  const { where, parameters } = whereClause(query, nowIso);

  const total = db.prepare(`SELECT COUNT(*) FROM case_list c ${where}`).pluck().get(...parameters) as number;
  const rows = db
    .prepare<unknown[], CaseListRow>(
      `SELECT c.case_key, c.case_id AS id, c.number, c.kind, c.status, c.title, c.community, c.unit, c.urgency,
              c.platform_ticket_no, c.registered_at, c.updated_at, c.revision
       FROM case_list c ${where}
       ORDER BY c.registered_at DESC, c.case_key DESC
       LIMIT ? OFFSET ?`,
    )
    .safeIntegers(true)
    .all(...parameters, pageSize, (page - 1) * pageSize);

  const nextDeadlines = earliestPendingDeadlines(
    db,
    rows.map((row) => row.case_key),
  );
  const items = rows.map((row): CaseListItem => {
    const next = nextDeadlines.get(row.case_key);
    return {
      id: row.id,
      number: row.number,
      kind: row.kind,
      status: row.status,
      title: row.title,
      community: row.community,
      ...(row.unit !== null && { unit: row.unit }),
      urgency: row.urgency,
      ...(row.platform_ticket_no !== null && { platformTicketNo: row.platform_ticket_no }),
      registeredAt: row.registered_at,
      updatedAt: row.updated_at,
      revision: row.revision,
      nextDeadline: next
        ? { milestone: next.milestone, dueAt: next.due_at, hoursLeft: hoursBetween(now, next.due_at) }
        : null,
      // The earliest pending deadline has passed exactly when some pending deadline has.
      overdue: next !== undefined && next.due_at < nowIso,
    };
  });
  return { items, total, page, pageSize };
}

/**
 * Cases with an unreached deadline matching the deadline filters together: of `milestone` (when
 * given), past due (`overdue: true`), and/or due in the next `dueWithinHours` hours. Null when no
 * deadline filter asks for a pending deadline.
 */
function pendingDeadlineCondition(query: CaseListQuery, nowIso: string): { where: string; parameters: unknown[] } | null {
  if (query.milestone === undefined && query.overdue !== true && query.dueWithinHours === undefined) return null;
  const conditions = ['reached_at IS NULL'];
  const parameters: unknown[] = [];
  if (query.milestone !== undefined) {
    conditions.push('milestone = ?');
    parameters.push(query.milestone);
  }
  if (query.overdue === true) {
    conditions.push('due_at < ?');
    parameters.push(nowIso);
  }
  if (query.dueWithinHours !== undefined) {
    conditions.push('due_at >= ? AND due_at < ?');
    parameters.push(nowIso, new Date(Date.parse(nowIso) + query.dueWithinHours * 3_600_000).toISOString());
  }
  return { where: conditions.join(' AND '), parameters };
}

function whereClause(query: CaseListQuery, nowIso: string): { where: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const equals = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    conditions.push(`c.${column} = ?`);
    parameters.push(value);
  };

  if (query.orgId !== undefined) {
    const orgIds = typeof query.orgId === 'string' ? [query.orgId] : query.orgId;
    // An empty list of organisations matches nothing (IN (NULL)), never everything.
    conditions.push(`c.org_id IN (${orgIds.map(() => '?').join(', ') || 'NULL'})`);
    parameters.push(...orgIds);
  }
  equals('kind', query.kind);
  equals('status', query.status);
  equals('unit', query.unit);
  equals('community', query.community);
  const pending = pendingDeadlineCondition(query, nowIso);
  if (pending) {
    conditions.push(`c.case_key IN (SELECT case_key FROM case_deadlines WHERE ${pending.where})`);
    parameters.push(...pending.parameters);
  }
  if (query.overdue === false) {
    const milestone = query.milestone === undefined ? '' : ' AND milestone = ?';
    conditions.push(
      `c.case_key NOT IN (SELECT case_key FROM case_deadlines WHERE reached_at IS NULL AND due_at < ?${milestone})`,
    );
    parameters.push(nowIso, ...(query.milestone === undefined ? [] : [query.milestone]));
  }
  if (query.registeredFrom !== undefined) {
    conditions.push('c.registered_at >= ?');
    parameters.push(query.registeredFrom.toISOString());
  }
  if (query.registeredTo !== undefined) {
    conditions.push('c.registered_at < ?');
    parameters.push(query.registeredTo.toISOString());
  }
  if (query.text !== undefined && query.text !== '') {
    // LIKE ignores ASCII case (XF2026 / xf2026); Chinese text has no case to ignore.
    const pattern = `%${query.text.replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
    conditions.push(
      `(c.number LIKE ? ESCAPE '\\' OR c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\'
        OR c.platform_ticket_no LIKE ? ESCAPE '\\')`,
    );
    parameters.push(pattern, pattern, pattern, pattern);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, parameters };
}

/** Per case, its pending deadline that falls due first. */
function earliestPendingDeadlines(db: Database, caseKeys: readonly bigint[]): Map<bigint, PendingDeadlineRow> {
  const earliest = new Map<bigint, PendingDeadlineRow>();
  if (caseKeys.length === 0) return earliest;
  const rows = db
    .prepare<bigint[], PendingDeadlineRow>(
      `SELECT case_key, milestone, due_at FROM case_deadlines
       WHERE reached_at IS NULL AND case_key IN (${caseKeys.map(() => '?').join(', ')})
       ORDER BY due_at, milestone`,
    )
    .safeIntegers(true)
    .all(...caseKeys);
  for (const row of rows) if (!earliest.has(row.case_key)) earliest.set(row.case_key, row);
  return earliest;
}

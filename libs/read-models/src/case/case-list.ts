import type { CaseKind, CaseStatus, Milestone, Urgency } from '@cases/domain';
import { casesNeedingAttention } from '../projection/parked-events';
import type { ReadModelReader } from '../projection/projection-runner';
import { selectCaseListPage } from './case.sql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface CaseListQuery {
  /** One organisation, or the organisations a district-level supervisor oversees. */
  orgId?: string | readonly string[];
  kind?: CaseKind;
  status?: CaseStatus;
  /** The unit holding the case now. */
  unit?: string;
  /** Only the cases this unit may see: it holds them now or held them before (a unit user's list, docs/security.md). */
  seenByUnit?: string;
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

/** The filters of a list query, without its paging. */
export type CaseListFilter = Omit<CaseListQuery, 'page' | 'pageSize'>;

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
  /** A read model parked an event of the case: its row may stop short of the log (docs/architecture.md, "Parked events"). */
  needsAttention: boolean;
}

export interface CaseListPage {
  items: CaseListItem[];
  total: number;
  page: number;
  pageSize: number;
}

/** Hours from `now` to `dueAt`, to two decimals: what the desk reads as time left (or, negative, overdue). */
function hoursBetween(now: Date, dueAt: string): number {
  return Math.round((Date.parse(dueAt) - now.getTime()) / 36_000) / 100;
}

/** Cases matching every given filter, newest registration first; overdue is judged at `now`. */
export async function listCases(reader: ReadModelReader, query: CaseListQuery, now: Date): Promise<CaseListPage> {
  const { page = 1, pageSize = DEFAULT_PAGE_SIZE, ...filter } = query;
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`page must be an integer ≥ 1, got ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const nowIso = now.toISOString();
  const { total, rows, earliestPending } = await selectCaseListPage(reader.db, reader.dialect, filter, nowIso, page, pageSize);
  const needingAttention = await casesNeedingAttention(
    reader.db,
    rows.map((row) => row.id),
  );
  const items = rows.map((row): CaseListItem => {
    const next = earliestPending.get(row.key);
    return {
      id: row.id,
      number: row.number,
      kind: row.kind as CaseKind,
      status: row.status as CaseStatus,
      title: row.title,
      community: row.community,
      ...(row.unit !== null && { unit: row.unit }),
      urgency: row.urgency as Urgency,
      ...(row.platform_ticket_no !== null && { platformTicketNo: row.platform_ticket_no }),
      registeredAt: row.registered_at,
      updatedAt: row.updated_at,
      revision: row.revision,
      nextDeadline: next ? { milestone: next.milestone, dueAt: next.due_at, hoursLeft: hoursBetween(now, next.due_at) } : null,
      // The earliest pending deadline has passed exactly when some pending deadline has.
      overdue: next !== undefined && next.due_at < nowIso,
      needsAttention: needingAttention.has(row.id),
    };
  });
  return { items, total, page, pageSize };
}

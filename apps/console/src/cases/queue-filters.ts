import { CASE_KINDS, CASE_STATUSES, type CaseKind, type CaseStatus } from '@cases/domain/cases/case.types';

/** The work queue's filters, as kept in the address bar so a filtered queue can be bookmarked or shared. */
export interface QueueFilters {
  kind?: CaseKind;
  status?: CaseStatus;
  unit?: string;
  community?: string;
  overdue?: boolean;
  dueWithinHours?: number;
  text?: string;
  page: number;
  pageSize: number;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

function positiveInteger(value: string | null, max: number): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 && number <= max ? number : undefined;
}

function text(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Reads the filters from the address bar, ignoring values the service would refuse. */
export function readFilters(params: URLSearchParams): QueueFilters {
  return {
    kind: oneOf(CASE_KINDS, params.get('kind')),
    status: oneOf(CASE_STATUSES, params.get('status')),
    unit: text(params.get('unit')),
    community: text(params.get('community')),
    overdue: params.get('overdue') === 'true' ? true : undefined,
    dueWithinHours: positiveInteger(params.get('dueWithinHours'), 8760),
    text: text(params.get('text')),
    page: positiveInteger(params.get('page'), 1_000_000) ?? 1,
    pageSize: positiveInteger(params.get('pageSize'), 100) ?? 20,
  };
}

/** The address-bar form of `filters`, without defaults. */
export function writeFilters(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || value === false) continue;
    if (key === 'page' && value === 1) continue;
    if (key === 'pageSize' && value === 20) continue;
    params.set(key, String(value));
  }
  return params;
}

/** The query of GET /api/cases for `filters`. */
export function listQuery(filters: QueueFilters) {
  const { kind, status, unit, community, overdue, dueWithinHours, text: search, page, pageSize } = filters;
  return { kind, status, unit, community, overdue, dueWithinHours, text: search, page, pageSize };
}

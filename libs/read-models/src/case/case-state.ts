import {
  unitsThatMaySee,
  type CaseKind,
  type CaseStatus,
  type DeadlineState,
  type Milestone,
  type OpenedCase,
  type Urgency,
} from '@cases/domain';

/**
 * Everything the case read model reads from the domain's folded case, in one place: when the
 * shape of the state changes, this file is the one to follow it.
 */

/** The columns of a case's list row. Times are UTC ISO-8601 (see `utc`). */
export interface CaseListColumns {
  orgId: string;
  kind: CaseKind;
  number: string;
  status: CaseStatus;
  title: string;
  description: string;
  community: string;
  unit: string | null;
  urgency: Urgency;
  platformTicketNo: string | null;
  registeredAt: string;
}

export function listColumnsOf(state: OpenedCase): CaseListColumns {
  return {
    orgId: state.orgId,
    kind: state.kind,
    number: state.number,
    status: state.status,
    title: state.title,
    description: state.description,
    community: state.community,
    unit: state.unit ?? null,
    urgency: state.urgency,
    platformTicketNo: state.platformTicketNo ?? null,
    registeredAt: utc(state.registeredAt),
  };
}

/** The units that may see the case: the one holding it now and every one that held it before. */
export function unitsOf(state: OpenedCase): readonly string[] {
  return unitsThatMaySee(state);
}

export function orgIdOf(state: OpenedCase): string {
  return state.orgId;
}

/** One milestone's current deadline as the list stores it. */
export interface DeadlineColumns {
  milestone: Milestone;
  version: number;
  dueAt: string;
  reachedAt: string | null;
}

/**
 * The case's deadlines, each as it stands. The domain's `evolve` returns the very same object for
 * a deadline an event leaves alone, so comparing by identity tells which ones changed.
 */
export function deadlinesOf(state: OpenedCase): readonly DeadlineState[] {
  return state.deadlines;
}

export function deadlineColumnsOf(deadline: DeadlineState): DeadlineColumns {
  return {
    milestone: deadline.milestone,
    version: deadline.version,
    dueAt: utc(deadline.dueAt),
    reachedAt: settledAt(deadline),
  };
}

/**
 * When the deadline stopped being owed: reached, or its episode ended unreached (a return (退单)
 * hands the ticket back, a reopen withdraws the resolution a call-back was owed for, a withdrawal
 * (撤单) ends them all). An ended episode is never pending nor overdue in the lists; whether it
 * counted as late is the statistics' business (docs/timeliness-rules.md).
 */
function settledAt(deadline: DeadlineState): string | null {
  if (deadline.reachedAt !== undefined) return utc(deadline.reachedAt);
  return deadline.endedAt !== undefined ? utc(deadline.endedAt) : null;
}

/** Matches what `Date#toISOString` writes, which is what the service records. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Times are stored as UTC ISO-8601 strings, which sort and compare as text; events may carry
 * other offsets (+08:00), so they are normalised on the way in.
 */
export function utc(isoTime: string): string {
  // Parsing a time that is already canonical would cost more than writing the rest of the row.
  return CANONICAL_UTC.test(isoTime) ? isoTime : new Date(isoTime).toISOString();
}

import type { CaseEventType } from '@cases/domain/cases/case.events';
import type {
  CaseKind,
  CaseStatus,
  DisputeOutcome,
  DisputeSource,
  LinkRelation,
  MediationType,
  Milestone,
  PetitionChannel,
  PetitionOutcome,
  ReexaminationDecision,
  Satisfaction,
  Urgency,
} from '@cases/domain/cases/case.types';
import type { KpiKey } from '@cases/domain/timeliness/kpi-definitions';

/*
 * The JSON bodies of the read endpoints. The service's OpenAPI document describes these answers
 * in prose only (no schema), so openapi-typescript cannot type them; these interfaces follow the
 * service's presenters (case list, case view, history, KPIs, monthly report). Once the document
 * gives schemas, the generated types replace them.
 */

export interface Actor {
  id: string;
  role: string;
  unit?: string;
}

/** GET /api/cases */
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
  registeredAt: string;
  updatedAt: string;
  revision: number;
  /** The earliest deadline not yet reached; `hoursLeft` is negative once overdue. */
  nextDeadline: { milestone: Milestone; dueAt: string; hoursLeft: number } | null;
  overdue: boolean;
}

export interface CaseListPage {
  items: CaseListItem[];
  total: number;
  page: number;
  pageSize: number;
}

export type DeadlineState = 'pending' | 'met' | 'late' | 'overdue';

/** One episode of a milestone's deadline: a restart (reopen, re-dispatch) starts a new one, and each counts. */
export interface DeadlineEpisodeView {
  milestone: Milestone;
  episode: number;
  startedAt: string;
  dueAt: string;
  reachedAt?: string;
  endedAt?: string;
  endedBy?: string;
  state: DeadlineState | 'superseded';
}

export interface DeadlineView {
  milestone: Milestone;
  dueAt: string;
  reachedAt?: string;
  /** `superseded`/`late` too for a deadline a step ended unreached (a return, a reopen, a withdrawal). */
  state: DeadlineState | 'superseded';
  version: number;
  provisional?: boolean;
  remainingHours?: number;
  overdueHours?: number;
}

export interface SupervisionView {
  supervisionId: string;
  instruction: string;
  dueAt?: string;
  issuedAt: string;
  issuedBy: Actor;
  answer?: string;
  answeredAt?: string;
  answeredBy?: Actor;
}

export interface ExtensionView {
  requestId: string;
  milestone: Milestone;
  days: number;
  reason: string;
  requestedAt: string;
  requestedBy: Actor;
  decision?: { approved: boolean; reason?: string; decidedAt: string; decidedBy: Actor };
}

export interface ResolutionView {
  kind: CaseKind;
  outcome?: PetitionOutcome | DisputeOutcome;
  mediationType?: MediationType;
  reply?: string;
  agreement?: string;
  referral?: string;
  resolvedAt: string;
}

/** GET /api/cases/{id}: personal data comes masked (张*, 138****1234). */
export interface CaseView {
  id: string;
  number: string;
  kind: CaseKind;
  status: CaseStatus;
  title: string;
  description: string;
  community: string;
  category?: string;
  urgency: Urgency;
  channel?: PetitionChannel;
  source?: DisputeSource;
  platformTicketNo?: string;
  platformDeadline?: string;
  unit?: string;
  dispatchedAt?: string;
  registeredAt: string;
  revision: number;
  deadlines: DeadlineView[];
  /** Every episode of every milestone, oldest first per milestone. */
  episodes: DeadlineEpisodeView[];
  extensions: ExtensionView[];
  supervisions: SupervisionView[];
  links: { targetId: string; relation: LinkRelation }[];
  reviews: { satisfaction?: Satisfaction; solved?: boolean; note?: string; reviewedAt: string }[];
  resolution?: ResolutionView;
  rejection?: { reason: string; referredTo?: string; rejectedAt: string };
  /** The 12345 platform's urges (催办), oldest first; absent when it never urged. */
  urges?: { urgedAt: string; note?: string }[];
  /** The 12345 platform withdrew the ticket (撤单). */
  withdrawal?: { reason: string; withdrawnAt: string };
  reexamination?: {
    reason: string;
    requestedAt: string;
    decision?: { decision: ReexaminationDecision; opinion: string; decidedAt: string };
  };
  closedAt?: string;
  personal?: unknown;
}

/** One entry of GET /api/cases/{id}/history. */
export interface HistoryEntry {
  revision: number;
  position: number | string;
  type: CaseEventType;
  occurredAt: string;
  recordedAt: string;
  actor: Actor;
  command: string;
  correlationId: string;
  causationId: string | null;
  reason?: string;
  data: Record<string, unknown>;
}

export interface CaseHistory {
  id: string;
  events: HistoryEntry[];
}

export interface Rate {
  numerator: number;
  denominator: number;
  ratio: number | null;
}

/** GET /api/stats/timeliness and its what-if. */
export interface TimelinessAnswer {
  from: string;
  to: string;
  position: string;
  judgedAt: string;
  groups: { group: { kind?: CaseKind; unit?: string; community?: string }; kpis: Record<KpiKey, Rate> }[];
}

/** GET /api/reports/monthly/{month} as JSON. */
export interface MonthlyReport {
  month: string;
  position: string;
  judgedAt: string;
  /** A unit user's report: its unit, its rank and how many units were ranked (other units' rows are withheld). */
  scope?: { unit: string; rank: number | null; rankedUnits: number };
  units: {
    unit: string;
    due: number;
    onTime: number;
    late: number;
    openOverdue: number;
    unsatisfied: number;
    onTimeRate: number | null;
    rank: number | null;
  }[];
  overdue: {
    caseId: string;
    number: string;
    kind: CaseKind;
    title: string;
    unit: string;
    milestone: Milestone;
    deadline: string;
    daysOverdue: number;
    supervisions: { instruction: string; issuedAt: string; dueAt: string | null; answered: boolean }[];
    /** The platform's urges (催办) by the end of the month. */
    urged: number;
  }[];
  unsatisfied: { caseId: string; number: string; title: string; unit: string; reviewedAt: string }[];
}

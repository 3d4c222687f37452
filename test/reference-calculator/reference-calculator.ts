import type { CaseEvent, CaseKind, Milestone, Satisfaction } from '@cases/domain';

/**
 * A second timeliness calculator, written from docs/timeliness-rules.md alone and deliberately
 * plain: it reads a case's events one by one and keeps what the rules name, nothing more. It shares
 * no code with libs/domain/src/timeliness (only the event types), so when it and the service agree
 * on a generated year, they agree because both follow the rules, not because they share a bug.
 *
 * Times are epoch milliseconds throughout.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNDISPATCHED = '未派单';
const DESK_MILESTONES: readonly Milestone[] = ['acceptance', 'callback', 'reexamination'];

/** A case event as it stands in the log: the case it belongs to and the decoded event. */
export interface LoggedEvent {
  caseId: string;
  event: CaseEvent;
}

export interface ReferenceEpisode {
  caseId: string;
  number: string;
  milestone: Milestone;
  /** 1, 2, … in the order the milestone's episodes started. */
  episode: number;
  start: number;
  deadline: number;
  reached?: number;
  ended?: number;
}

interface ReferenceCase {
  id: string;
  number: string;
  kind: CaseKind;
  title: string;
  /** Who held the case from when: a dispatch hands it to a unit, a return to nobody. */
  holders: { at: number; unit: string | null }[];
  episodes: ReferenceEpisode[];
  callbacks: { at: number; satisfaction: Satisfaction; solved: boolean }[];
  firstClose?: number;
  linkedAsRepeat: boolean;
  repeats: string[];
  reexaminationRequested: boolean;
  mediation?: { outcome: string; at: number };
  supervisions: { id: string; instruction: string; issuedAt: number; dueAt?: string; answeredAt?: number }[];
  urges: number[];
}

export interface KpiCount {
  numerator: number;
  denominator: number;
}

/** One counted item, so a disagreement can name its case. */
export interface CountedItem {
  caseId: string;
  number: string;
  /** The milestone, or the kind of item: 'call-back', 'first close', 'mediation outcome'. */
  what: string;
  episode?: number;
  kpi: string;
  label: string;
  good: boolean;
}

export interface ReferenceUnitRow {
  unit: string;
  due: number;
  onTime: number;
  late: number;
  openOverdue: number;
  unsatisfied: number;
  onTimeRate: number | null;
  rank: number | null;
}

export interface ReferenceOverdueRow {
  caseId: string;
  number: string;
  unit: string;
  milestone: Milestone;
  deadline: string;
  daysOverdue: number;
  supervisions: { instruction: string; issuedAt: string; dueAt: string | null; answered: boolean }[];
  urged: number;
}

export interface ReferenceUnsatisfiedRow {
  caseId: string;
  number: string;
  unit: string;
  reviewedAt: string;
}

export interface ReferenceReport {
  units: ReferenceUnitRow[];
  overdue: ReferenceOverdueRow[];
  unsatisfied: ReferenceUnsatisfiedRow[];
}

/** The default KPI table of the rules page: which kind and milestone each milestone KPI counts. */
const MILESTONE_KPIS: readonly { kpi: string; kind: CaseKind; milestone: Milestone }[] = [
  { kpi: 'timelyAcceptance', kind: 'petition', milestone: 'acceptance' },
  { kpi: 'onTimeReply', kind: 'petition', milestone: 'reply' },
  { kpi: 'response', kind: 'hotline', milestone: 'sign' },
  { kpi: 'onTimeResolution', kind: 'hotline', milestone: 'resolve' },
];

export class ReferenceCalculator {
  private readonly cases = new Map<string, ReferenceCase>();

  constructor(
    log: readonly LoggedEvent[],
    private readonly deskLabel: string,
  ) {
    for (const { caseId, event } of log) this.read(caseId, event);
  }

  /** Every episode of every case, for a test that wants to look at one. */
  episodesOf(caseId: string): ReferenceEpisode[] {
    return this.cases.get(caseId)?.episodes ?? [];
  }

  // ---- reading the log ------------------------------------------------------------------------

  private read(caseId: string, event: CaseEvent): void {
    const t = Date.parse(event.occurredAt);
    if (event.type === 'PetitionRegistered' || event.type === 'HotlineTicketReceived' || event.type === 'DisputeRegistered') {
      this.cases.set(caseId, {
        id: caseId,
        number: event.data.number,
        kind: event.data.kind,
        title: event.data.title,
        holders: [],
        episodes: [],
        callbacks: [],
        linkedAsRepeat: false,
        repeats: [],
        reexaminationRequested: false,
        supervisions: [],
        urges: [],
      });
      return;
    }
    const c = this.cases.get(caseId);
    if (c === undefined) throw new Error(`Event ${event.type} of case ${caseId} before its intake`);
    const resolving: Milestone = c.kind === 'petition' ? 'reply' : c.kind === 'hotline' ? 'resolve' : 'mediation';
    switch (event.type) {
      case 'DeadlineSet': {
        const running = this.running(c, event.data.milestone);
        const due = Date.parse(event.data.dueAt);
        if (event.data.cause === 'extended') {
          if (running === undefined || due <= running.deadline) break;
          if (t <= running.deadline) {
            running.deadline = due;
          } else {
            running.ended = t;
            this.startEpisode(c, event.data.milestone, t, due);
          }
        } else {
          const start = Date.parse(event.data.startedAt);
          if (running !== undefined) running.ended = start;
          this.startEpisode(c, event.data.milestone, start, due);
        }
        break;
      }
      case 'CaseAccepted':
      case 'CaseRejected':
        this.reach(c, 'acceptance', t);
        break;
      case 'CaseSigned':
        this.reach(c, 'sign', t);
        break;
      case 'CaseResolved':
        this.reach(c, resolving, t);
        if (event.data.kind === 'dispute') c.mediation = { outcome: event.data.outcome, at: t };
        break;
      case 'CaseReviewed':
        if (c.kind === 'hotline') {
          this.reach(c, 'callback', t);
          const { satisfaction, solved } = event.data;
          if (satisfaction !== undefined && solved !== undefined) c.callbacks.push({ at: t, satisfaction, solved });
        }
        break;
      case 'CaseClosed':
        if (c.kind === 'hotline') this.reach(c, 'callback', t);
        if (c.firstClose === undefined) c.firstClose = t;
        break;
      case 'ReexaminationRequested':
        c.reexaminationRequested = true;
        break;
      case 'ReexaminationDecided':
        this.reach(c, 'reexamination', t);
        break;
      case 'CaseDispatched':
        c.holders.push({ at: t, unit: event.data.unit });
        break;
      case 'CaseReturned':
        for (const milestone of ['sign', 'resolve'] as const) {
          const running = this.running(c, milestone);
          if (running !== undefined) running.ended = t;
        }
        c.holders.push({ at: t, unit: null });
        break;
      case 'CaseReopened': {
        const running = this.running(c, 'callback');
        if (running !== undefined) running.ended = t;
        c.mediation = undefined;
        break;
      }
      case 'CaseWithdrawn':
        // 撤单: whatever was still owed is no longer owed; a deadline already past stays missed.
        for (const e of c.episodes) if (e.reached === undefined && e.ended === undefined) e.ended = t;
        break;
      case 'CaseUrged':
        c.urges.push(t);
        break;
      case 'CaseLinked':
        if (event.data.relation === 'repeat-of') {
          c.linkedAsRepeat = true;
          if (c.kind === 'petition') c.repeats.push(event.data.targetId);
        }
        break;
      case 'SupervisionIssued':
        c.supervisions.push({
          id: event.data.supervisionId,
          instruction: event.data.instruction,
          issuedAt: t,
          ...(event.data.dueAt !== undefined && { dueAt: event.data.dueAt }),
        });
        break;
      case 'SupervisionAnswered': {
        const order = c.supervisions.find((supervision) => supervision.id === event.data.supervisionId);
        if (order !== undefined) order.answeredAt = t;
        break;
      }
      default:
        // Progress, notes, extension requests and decisions, the scheduler's warnings and misses:
        // none of them counts (an approved extension acts through its DeadlineSet).
        break;
    }
  }

  private running(c: ReferenceCase, milestone: Milestone): ReferenceEpisode | undefined {
    return c.episodes.find((e) => e.milestone === milestone && e.reached === undefined && e.ended === undefined);
  }

  private startEpisode(c: ReferenceCase, milestone: Milestone, start: number, deadline: number): void {
    const episode = c.episodes.filter((e) => e.milestone === milestone).length + 1;
    c.episodes.push({ caseId: c.id, number: c.number, milestone, episode, start, deadline });
  }

  private reach(c: ReferenceCase, milestone: Milestone, t: number): void {
    const running = this.running(c, milestone);
    if (running !== undefined) running.reached = t;
  }

  // ---- the rules --------------------------------------------------------------------------------

  /** 'on-time', 'late', or null when the episode does not count (not due yet, or ended in time). */
  private verdict(e: ReferenceEpisode, judgedAt: number): 'on-time' | 'late' | null {
    if (e.reached !== undefined) return e.reached <= e.deadline ? 'on-time' : 'late';
    if (e.ended !== undefined) return e.ended > e.deadline ? 'late' : null;
    return judgedAt > e.deadline ? 'late' : null;
  }

  private holderAt(c: ReferenceCase, t: number): string | null {
    let unit: string | null = null;
    for (const holder of c.holders) if (holder.at <= t) unit = holder.unit;
    return unit;
  }

  private labelOf(c: ReferenceCase, e: ReferenceEpisode): string {
    if (DESK_MILESTONES.includes(e.milestone)) return this.deskLabel;
    const settled = e.reached !== undefined && e.reached <= e.deadline ? e.reached : e.deadline;
    return this.holderAt(c, settled) ?? UNDISPATCHED;
  }

  private unitLabelAt(c: ReferenceCase, t: number): string {
    return this.holderAt(c, t) ?? UNDISPATCHED;
  }

  private repeatedIds(): Set<string> {
    const ids = new Set<string>();
    for (const c of this.cases.values()) for (const id of c.repeats) ids.add(id);
    return ids;
  }

  // ---- the KPIs ---------------------------------------------------------------------------------

  /** Every item the KPIs count in [from, to), judged at `judgedAt`. */
  countedItems(from: number, to: number, judgedAt: number): CountedItem[] {
    const inPeriod = (t: number | undefined) => t !== undefined && t >= from && t < to;
    const repeated = this.repeatedIds();
    const items: CountedItem[] = [];
    for (const c of this.cases.values()) {
      for (const { kpi, kind, milestone } of MILESTONE_KPIS) {
        if (c.kind !== kind) continue;
        for (const e of c.episodes) {
          if (e.milestone !== milestone || !inPeriod(e.deadline)) continue;
          const verdict = this.verdict(e, judgedAt);
          if (verdict === null) continue;
          items.push({
            caseId: c.id,
            number: c.number,
            what: milestone,
            episode: e.episode,
            kpi,
            label: this.labelOf(c, e),
            good: verdict === 'on-time',
          });
        }
      }
      for (const callback of c.callbacks) {
        if (c.kind !== 'hotline' || !inPeriod(callback.at)) continue;
        const label = this.unitLabelAt(c, callback.at);
        const satisfied = callback.satisfaction === 'satisfied' || callback.satisfaction === 'basically-satisfied';
        items.push({ caseId: c.id, number: c.number, what: 'call-back', kpi: 'satisfaction', label, good: satisfied });
        items.push({ caseId: c.id, number: c.number, what: 'call-back', kpi: 'solved', label, good: callback.solved });
      }
      if (c.kind === 'petition' && !c.linkedAsRepeat && inPeriod(c.firstClose)) {
        const oneOff = !c.reexaminationRequested && !repeated.has(c.id);
        const label = this.unitLabelAt(c, c.firstClose as number);
        items.push({ caseId: c.id, number: c.number, what: 'first close', kpi: 'firstTimeResolution', label, good: oneOff });
      }
      if (c.kind === 'dispute' && c.mediation !== undefined && inPeriod(c.mediation.at)) {
        const label = this.unitLabelAt(c, c.mediation.at);
        items.push({
          caseId: c.id,
          number: c.number,
          what: 'mediation outcome',
          kpi: 'disputeResolution',
          label,
          good: c.mediation.outcome === 'mediated',
        });
      }
    }
    return items;
  }

  /** The KPIs of [from, to) by `label` (or all together under ''), each as numerator and denominator. */
  kpis(from: number, to: number, judgedAt: number, byUnit: boolean): Map<string, Map<string, KpiCount>> {
    const groups = new Map<string, Map<string, KpiCount>>();
    for (const item of this.countedItems(from, to, judgedAt)) {
      const group = byUnit ? item.label : '';
      if (!groups.has(group)) groups.set(group, new Map());
      const kpis = groups.get(group) as Map<string, KpiCount>;
      const count = kpis.get(item.kpi) ?? { numerator: 0, denominator: 0 };
      count.denominator += 1;
      if (item.good) count.numerator += 1;
      kpis.set(item.kpi, count);
    }
    return groups;
  }

  // ---- the monthly report -----------------------------------------------------------------------

  /** The report of `month` ('YYYY-MM') judged at `judgedAt`; of `onlyCases` alone when given. */
  report(month: string, judgedAt: number, onlyCases?: ReadonlySet<string>): ReferenceReport {
    const [year, monthNumber] = month.split('-').map(Number);
    // Shanghai is UTC+8 all year (no daylight saving since 1991).
    const from = Date.UTC(year, monthNumber - 1, 1) - 8 * HOUR;
    const to = Date.UTC(year, monthNumber, 1) - 8 * HOUR;
    const end = Math.min(to, Math.max(from, judgedAt));
    // A month still running "ends" at the judging instant, and what the log holds happened by then;
    // a month's real end is the next month's first instant, so something at that instant is not in it.
    const happenedBy = (t: number | undefined) => t !== undefined && (end < to ? t <= end : t < end);
    const rows = new Map<string, ReferenceUnitRow>();
    const row = (unit: string): ReferenceUnitRow => {
      if (!rows.has(unit))
        rows.set(unit, { unit, due: 0, onTime: 0, late: 0, openOverdue: 0, unsatisfied: 0, onTimeRate: null, rank: null });
      return rows.get(unit) as ReferenceUnitRow;
    };
    const overdue: ReferenceOverdueRow[] = [];
    const unsatisfied: ReferenceUnsatisfiedRow[] = [];
    for (const c of this.cases.values()) {
      if (onlyCases !== undefined && !onlyCases.has(c.id)) continue;
      for (const e of c.episodes) {
        const label = this.labelOf(c, e);
        if (e.deadline >= from && e.deadline < to) {
          const verdict = this.verdict(e, judgedAt);
          if (verdict !== null) {
            row(label).due += 1;
            if (verdict === 'on-time') row(label).onTime += 1;
            else row(label).late += 1;
          }
        }
        if (e.deadline < end && !happenedBy(e.reached) && !happenedBy(e.ended)) {
          row(label).openOverdue += 1;
          overdue.push({
            caseId: c.id,
            number: c.number,
            unit: label,
            milestone: e.milestone,
            deadline: new Date(e.deadline).toISOString(),
            daysOverdue: Math.ceil((end - e.deadline) / DAY),
            supervisions: c.supervisions
              .filter((order) => order.issuedAt < end)
              .map((order) => ({
                instruction: order.instruction,
                issuedAt: new Date(order.issuedAt).toISOString(),
                dueAt: order.dueAt ?? null,
                answered: order.answeredAt !== undefined && order.answeredAt < end,
              })),
            urged: c.urges.filter((urgedAt) => urgedAt < end).length,
          });
        }
      }
      for (const callback of c.callbacks) {
        if (callback.satisfaction !== 'unsatisfied' || callback.at < from || callback.at >= to) continue;
        const label = this.unitLabelAt(c, callback.at);
        row(label).unsatisfied += 1;
        unsatisfied.push({ caseId: c.id, number: c.number, unit: label, reviewedAt: new Date(callback.at).toISOString() });
      }
    }
    const order = (unit: string) => (unit === UNDISPATCHED ? 2 : unit === this.deskLabel ? 1 : 0);
    const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const byName = (a: string, b: string) => order(a) - order(b) || text(a, b);
    const all = [...rows.values()];
    for (const r of all) r.onTimeRate = r.due === 0 ? null : r.onTime / r.due;
    const ranked = all.filter((r) => r.due > 0 && order(r.unit) === 0);
    // Rates compared as fractions, so 1/2 and 2/4 tie exactly.
    const better = (a: ReferenceUnitRow, b: ReferenceUnitRow) => b.onTime * a.due - a.onTime * b.due;
    ranked.sort((a, b) => better(a, b) || byName(a.unit, b.unit));
    ranked.forEach((r, i) => {
      r.rank = i > 0 && better(ranked[i - 1], r) === 0 ? ranked[i - 1].rank : i + 1;
    });
    const rest = all.filter((r) => !ranked.includes(r)).sort((a, b) => byName(a.unit, b.unit));
    const milestones: readonly Milestone[] = ['acceptance', 'reply', 'sign', 'resolve', 'callback', 'mediation', 'reexamination'];
    overdue.sort(
      (a, b) =>
        byName(a.unit, b.unit) ||
        Date.parse(a.deadline) - Date.parse(b.deadline) ||
        text(a.number, b.number) ||
        milestones.indexOf(a.milestone) - milestones.indexOf(b.milestone),
    );
    unsatisfied.sort((a, b) => byName(a.unit, b.unit) || Date.parse(a.reviewedAt) - Date.parse(b.reviewedAt) || text(a.number, b.number));
    return { units: [...ranked, ...rest], overdue, unsatisfied };
  }
}

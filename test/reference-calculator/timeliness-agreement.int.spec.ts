/**
 * The service's timeliness figures against the reference calculator (docs/timeliness-rules.md),
 * over a generated year of a sub-district centre: tens of thousands of events with extensions
 * (some approved after the deadline), returns, reopens, re-examinations, repeat petitions,
 * unreachable call-backs, back-dated steps and the scheduler's alerts (bench/case-log-generator.ts).
 *
 * Both calculators read the same events; they must agree exactly on every KPI of every month
 * (all together and by unit) and on every monthly report (unit rows, overdue list, unsatisfied
 * list), judged at the end of the log and again at a position in the middle of the year, when a
 * month is still running. A disagreement names the case and the milestone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeMonthlyReport,
  computeTimeliness,
  decodeCaseEvent,
  DEFAULT_KPI_DEFINITIONS,
  KPI_KEYS,
  MILESTONE_KPI_KEYS,
  parseKpiDefinitions,
  type CaseEventMetadata,
  type CaseFacts,
  type KpiDefinitions,
  type MonthlyReport,
} from '@cases/domain';
import { SqliteEventStore, type RecordedEvent } from '@cases/event-store';
import { TimelinessLogGenerator } from '../../bench/case-log-generator';
import { ReferenceCalculator, type CountedItem, type KpiCount, type LoggedEvent, type ReferenceReport } from './reference-calculator';
import { serviceFacts } from './service-side';

const GENERATED_EVENTS = 40_000;
const DESK = '大雁塔街道';
const MONTHS = [...Array.from({ length: 12 }, (_, index) => `2025-${String(index + 1).padStart(2, '0')}`), '2026-01'];
/** Reported per disagreement kind before the rest are summed up. */
const MAX_NAMED = 8;

interface LoggedAt extends LoggedEvent {
  position: bigint;
  recordedAtMs: number;
}

/** Everything both calculators see of the log up to one position, and the judging instant there. */
interface Prefix {
  name: string;
  judgedAt: Date;
  facts: CaseFacts[];
  reference: ReferenceCalculator;
}

function shanghaiMonthBounds(month: string): { from: Date; to: Date } {
  const [year, monthNumber] = month.split('-').map(Number);
  return { from: new Date(`${month}-01T00:00:00+08:00`), to: new Date(Date.UTC(year, monthNumber, 1) - 8 * 3_600_000) };
}

function caseEventOf(recorded: RecordedEvent): LoggedAt | undefined {
  const metadata = recorded.metadata as Partial<CaseEventMetadata>;
  if (typeof metadata.caseId !== 'string' || typeof metadata.recordedAt !== 'string') return undefined;
  const stored = { type: recorded.type, data: recorded.data, personal: recorded.personal, metadata: metadata as CaseEventMetadata };
  return {
    caseId: metadata.caseId,
    event: decodeCaseEvent(stored),
    position: recorded.position,
    recordedAtMs: Date.parse(metadata.recordedAt),
  };
}

function prefixAt(name: string, log: readonly LoggedAt[], length: number): Prefix {
  const events = log.slice(0, length);
  return {
    name,
    judgedAt: new Date(events[events.length - 1].recordedAtMs),
    facts: serviceFacts(events),
    reference: new ReferenceCalculator(events, DESK),
  };
}

type Figures = Map<string, KpiCount>;

function serviceKpis(
  facts: readonly CaseFacts[],
  from: Date,
  to: Date,
  judgedAt: Date,
  byUnit: boolean,
  definitions?: KpiDefinitions,
): Map<string, Figures> {
  const { groups } = computeTimeliness(
    facts,
    { from, to, judgedAt, ...(byUnit && { groupBy: ['unit'] }) },
    { deskLabel: DESK, ...(definitions && { definitions }) },
  );
  const result = new Map<string, Figures>();
  for (const { group, kpis } of groups) {
    const figures: Figures = new Map();
    for (const key of KPI_KEYS)
      if (kpis[key].denominator > 0) figures.set(key, { numerator: kpis[key].numerator, denominator: kpis[key].denominator });
    result.set(group.unit ?? '', figures);
  }
  return result;
}

function referenceKpis(reference: ReferenceCalculator, from: Date, to: Date, judgedAt: Date, byUnit: boolean): Map<string, Figures> {
  return reference.kpis(from.getTime(), to.getTime(), judgedAt.getTime(), byUnit);
}

function sameCount(left: KpiCount | undefined, right: KpiCount | undefined): boolean {
  return (left?.numerator ?? 0) === (right?.numerator ?? 0) && (left?.denominator ?? 0) === (right?.denominator ?? 0);
}

function show(count: KpiCount | undefined): string {
  return `${count?.numerator ?? 0}/${count?.denominator ?? 0}`;
}

/**
 * Names the cases behind a disagreement on `kpi` in `label`'s group: the service's figure for the
 * case alone (with, for first-time resolution, the petitions that repeat it, stripped of anything
 * countable) against the reference's items for the case.
 */
function culprits(prefix: Prefix, from: Date, to: Date, kpi: string, label: string | null): string[] {
  const items = prefix.reference.countedItems(from.getTime(), to.getTime(), prefix.judgedAt.getTime());
  const repeaters = (caseId: string) =>
    prefix.facts
      .filter((fact) => fact.kind === 'petition' && fact.repeatOf.includes(caseId))
      .map((fact) => ({ ...fact, episodes: [], callbacks: [], closure: undefined, mediation: undefined }));
  const named: string[] = [];
  for (const fact of prefix.facts) {
    const mine = items.filter((item) => item.caseId === fact.caseId && item.kpi === kpi && (label === null || item.label === label));
    const expected: KpiCount = { numerator: mine.filter((item) => item.good).length, denominator: mine.length };
    const alone = serviceKpis([fact, ...repeaters(fact.caseId)], from, to, prefix.judgedAt, label !== null);
    const actual = alone.get(label ?? '')?.get(kpi);
    if (sameCount(actual, expected)) continue;
    named.push(
      `case ${fact.number} (${fact.caseId}), ${kpi}${label === null ? '' : ` of ${label}`}: service ${show(actual)}, reference ${show(expected)} ` +
        `[reference: ${describeItems(mine)}] [service: ${describeFacts(fact, kpi)}]`,
    );
    if (named.length >= MAX_NAMED) break;
  }
  return named;
}

/** The part of a case's facts a KPI reads: the episodes of its milestone, or the call-backs, the closure, the mediation. */
function describeFacts(fact: CaseFacts, kpi: string): string {
  switch (kpi) {
    case 'satisfaction':
    case 'solved':
      return `call-backs ${JSON.stringify(fact.callbacks)}`;
    case 'firstTimeResolution':
      return `closure ${JSON.stringify(fact.closure ?? null)}, repeats ${JSON.stringify(fact.repeatOf)}`;
    case 'disputeResolution':
      return `mediation ${JSON.stringify(fact.mediation ?? null)}`;
    default: {
      const { milestone } = DEFAULT_KPI_DEFINITIONS[kpi as (typeof MILESTONE_KPI_KEYS)[number]];
      return `${milestone} episodes ${JSON.stringify(fact.episodes.filter((episode) => episode.milestone === milestone))}`;
    }
  }
}

function describeItems(items: readonly CountedItem[]): string {
  if (items.length === 0) return 'nothing counted';
  return items
    .map((item) => `${item.what}${item.episode === undefined ? '' : ` #${item.episode}`} ${item.good ? 'good' : 'not'} (${item.label})`)
    .join(', ');
}

function compareKpis(prefix: Prefix, month: string, byUnit: boolean): string[] {
  const { from, to } = shanghaiMonthBounds(month);
  const service = serviceKpis(prefix.facts, from, to, prefix.judgedAt, byUnit);
  const reference = referenceKpis(prefix.reference, from, to, prefix.judgedAt, byUnit);
  const problems: string[] = [];
  for (const label of new Set([...service.keys(), ...reference.keys()])) {
    for (const kpi of KPI_KEYS) {
      const ours = service.get(label)?.get(kpi);
      const theirs = reference.get(label)?.get(kpi);
      if (sameCount(ours, theirs)) continue;
      problems.push(
        `${prefix.name} ${month} ${kpi}${byUnit ? ` of ${label}` : ''}: service ${show(ours)}, reference ${show(theirs)}`,
        ...culprits(prefix, from, to, kpi, byUnit ? label : null),
      );
    }
  }
  return problems;
}

function comparableReport(report: MonthlyReport): ReferenceReport {
  return {
    units: report.units,
    overdue: report.overdue.map(({ caseId, number, unit, milestone, deadline, daysOverdue, supervisions, urged }) => ({
      caseId,
      number,
      unit,
      milestone,
      deadline,
      daysOverdue,
      supervisions,
      urged,
    })),
    unsatisfied: report.unsatisfied.map(({ caseId, number, unit, reviewedAt }) => ({ caseId, number, unit, reviewedAt })),
  };
}

/** Rows only one side has, or has differently, named by case, milestone and deadline. */
function diffRows<Row extends { caseId: string; number: string }>(
  listName: string,
  key: (row: Row) => string,
  ours: readonly Row[],
  theirs: readonly Row[],
): string[] {
  const problems: string[] = [];
  const theirsByKey = new Map(theirs.map((row) => [key(row), row]));
  const oursByKey = new Map(ours.map((row) => [key(row), row]));
  for (const row of ours) {
    const other = theirsByKey.get(key(row));
    if (other === undefined) problems.push(`${listName}: only the service lists case ${row.number} ${key(row)}: ${JSON.stringify(row)}`);
    else if (JSON.stringify(other) !== JSON.stringify(row))
      problems.push(`${listName}: case ${row.number} ${key(row)}: service ${JSON.stringify(row)}, reference ${JSON.stringify(other)}`);
  }
  for (const row of theirs) {
    if (!oursByKey.has(key(row)))
      problems.push(`${listName}: only the reference lists case ${row.number} ${key(row)}: ${JSON.stringify(row)}`);
  }
  if (problems.length === 0 && JSON.stringify(ours) !== JSON.stringify(theirs)) problems.push(`${listName}: same rows in another order`);
  return problems.slice(0, MAX_NAMED);
}

function compareReports(prefix: Prefix, month: string): string[] {
  const service = comparableReport(computeMonthlyReport(prefix.facts, month, { judgedAt: prefix.judgedAt, deskLabel: DESK }));
  const reference = prefix.reference.report(month, prefix.judgedAt.getTime());
  const where = `${prefix.name} report ${month}`;
  const problems: string[] = [];
  if (JSON.stringify(service.units) !== JSON.stringify(reference.units)) {
    problems.push(`${where} unit rows: service ${JSON.stringify(service.units)}, reference ${JSON.stringify(reference.units)}`);
    problems.push(...unitRowCulprits(prefix, month));
  }
  const episodeKey = (row: { caseId: string; milestone: string; deadline: string }) =>
    `${row.milestone} due ${row.deadline} (${row.caseId})`;
  problems.push(...diffRows(`${where} overdue list`, episodeKey, service.overdue, reference.overdue));
  const callbackKey = (row: { caseId: string; reviewedAt: string }) => `call-back at ${row.reviewedAt} (${row.caseId})`;
  problems.push(...diffRows(`${where} unsatisfied list`, callbackKey, service.unsatisfied, reference.unsatisfied));
  return problems;
}

/** The cases whose own report rows differ: a case's rows depend on that case alone. */
function unitRowCulprits(prefix: Prefix, month: string): string[] {
  const named: string[] = [];
  for (const fact of prefix.facts) {
    const ours = computeMonthlyReport([fact], month, { judgedAt: prefix.judgedAt, deskLabel: DESK }).units;
    const theirs = prefix.reference.report(month, prefix.judgedAt.getTime(), new Set([fact.caseId])).units;
    if (JSON.stringify(ours) === JSON.stringify(theirs)) continue;
    named.push(
      `case ${fact.number} (${fact.caseId}): service rows ${JSON.stringify(ours)}, reference rows ${JSON.stringify(theirs)} ` +
        `[service episodes: ${JSON.stringify(fact.episodes)}] [reference episodes: ${JSON.stringify(prefix.reference.episodesOf(fact.caseId))}]`,
    );
    if (named.length >= MAX_NAMED) break;
  }
  return named;
}

describe('the service and the reference calculator agree on a generated year (docs/timeliness-rules.md)', () => {
  let store: SqliteEventStore;
  let log: LoggedAt[];
  let prefixes: Prefix[];
  let dir: string;

  beforeAll(async () => {
    // A file, not ':memory:': the store commits from a writer thread with a connection of its own.
    dir = mkdtempSync(join(tmpdir(), 'reference-calculator-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await new TimelinessLogGenerator(store).generate(GENERATED_EVENTS);
    log = [];
    for (let after = 0n; ;) {
      const batch = await store.readAll({ after, maxCount: 10_000 });
      if (batch.length === 0) break;
      for (const recorded of batch) {
        const logged = caseEventOf(recorded);
        if (logged !== undefined) log.push(logged);
      }
      after = batch[batch.length - 1].position;
    }
    // At the end of the log, and at the event recorded around mid-June, with June still running.
    const midYear = log.findIndex((logged) => logged.recordedAtMs >= Date.parse('2025-06-17T10:00:00+08:00'));
    prefixes = [prefixAt('at the end of the log', log, log.length), prefixAt(`at position ${log[midYear].position}`, log, midYear + 1)];
  });

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates the corners the rules are about', () => {
    const all = prefixes[0];
    const episodes = all.facts.flatMap((fact) => fact.episodes);
    const count = (type: string) => log.filter((logged) => logged.event.type === type).length;
    expect(log.length).toBeGreaterThan(35_000);
    // Returns, reopens, re-examinations, repeat links, extensions, unreachable call-backs.
    expect(count('CaseReturned')).toBeGreaterThan(20);
    expect(count('CaseReopened')).toBeGreaterThan(50);
    expect(count('ReexaminationRequested')).toBeGreaterThan(10);
    expect(log.filter((logged) => logged.event.type === 'CaseLinked' && logged.event.data.relation === 'repeat-of').length).toBeGreaterThan(
      10,
    );
    expect(log.filter((logged) => logged.event.type === 'DeadlineSet' && logged.event.data.cause === 'extended').length).toBeGreaterThan(
      50,
    );
    expect(log.filter((logged) => logged.event.type === 'CaseClosed' && logged.event.data.by === 'close').length).toBeGreaterThan(30);
    // Second episodes (a reopen, a re-dispatch), and episodes ended unreached by a return.
    expect(episodes.filter((episode) => episode.episode > 1).length).toBeGreaterThan(50);
    expect(episodes.filter((episode) => episode.endedAt !== undefined).length).toBeGreaterThan(20);
    // The mid-year prefix has milestones not due yet, which count nowhere.
    const midYear = prefixes[1];
    const notDueYet = midYear.facts
      .flatMap((fact) => fact.episodes)
      .filter(
        (episode) =>
          episode.reachedAt === undefined && episode.endedAt === undefined && Date.parse(episode.dueAt) > midYear.judgedAt.getTime(),
      );
    expect(notDueYet.length).toBeGreaterThan(10);
  });

  it('on every KPI of every month, all together and by unit', () => {
    const problems = prefixes.flatMap((prefix) =>
      MONTHS.flatMap((month) => [...compareKpis(prefix, month, false), ...compareKpis(prefix, month, true)]),
    );
    expect(problems).toEqual([]);
    // Not vacuous: the year has late and on-time milestones in every month.
    const { from, to } = shanghaiMonthBounds('2025-06');
    const june = serviceKpis(prefixes[0].facts, from, to, prefixes[0].judgedAt, false).get('') as Figures;
    expect(june.get('onTimeResolution')?.denominator).toBeGreaterThan(100);
    expect(june.get('onTimeResolution')?.numerator).toBeLessThan(june.get('onTimeResolution')?.denominator as number);
  });

  it('on every monthly report: unit rows, overdue list and unsatisfied list', () => {
    const problems = prefixes.flatMap((prefix) => MONTHS.flatMap((month) => compareReports(prefix, month)));
    expect(problems).toEqual([]);
    const june = computeMonthlyReport(prefixes[1].facts, '2025-06', { judgedAt: prefixes[1].judgedAt, deskLabel: DESK });
    expect(june.overdue.length).toBeGreaterThan(0);
    expect(june.units.some((row) => row.unit === DESK)).toBe(true);
  });

  it("agrees with itself: every unit's report row is the sum of its KPIs over the seven milestones", () => {
    // The four milestone KPIs of the defaults, and three more pointed at the remaining milestones.
    const others = parseKpiDefinitions({
      timelyAcceptance: { kind: 'hotline', milestone: 'callback' },
      onTimeReply: { kind: 'petition', milestone: 'reexamination' },
      response: { kind: 'dispute', milestone: 'mediation' },
      onTimeResolution: { kind: 'petition', milestone: 'acceptance' },
      satisfaction: { numerator: { satisfaction: ['satisfied'] } },
      solved: { numerator: { solved: true } },
      firstTimeResolution: { numerator: { withoutReexamination: true, withoutRepeatPetition: true } },
      disputeResolution: { numerator: { outcomes: ['mediated'] } },
    });
    const problems: string[] = [];
    for (const prefix of prefixes) {
      for (const month of MONTHS) {
        const { from, to } = shanghaiMonthBounds(month);
        const defaults = serviceKpis(prefix.facts, from, to, prefix.judgedAt, true);
        const rest = serviceKpis(prefix.facts, from, to, prefix.judgedAt, true, others);
        const sums = new Map<string, KpiCount>();
        const add = (figures: Map<string, Figures>, keys: readonly string[]) => {
          for (const [label, kpis] of figures) {
            for (const key of keys) {
              const count = kpis.get(key);
              if (count === undefined) continue;
              const sum = sums.get(label) ?? { numerator: 0, denominator: 0 };
              sums.set(label, { numerator: sum.numerator + count.numerator, denominator: sum.denominator + count.denominator });
            }
          }
        };
        add(defaults, ['timelyAcceptance', 'onTimeReply', 'response', 'onTimeResolution']);
        add(rest, ['timelyAcceptance', 'onTimeReply', 'response']);
        const report = computeMonthlyReport(prefix.facts, month, { judgedAt: prefix.judgedAt, deskLabel: DESK });
        const rows = new Map(
          report.units.filter((row) => row.due > 0).map((row) => [row.unit, { numerator: row.onTime, denominator: row.due }]),
        );
        for (const label of new Set([...sums.keys(), ...rows.keys()])) {
          if (!sameCount(sums.get(label), rows.get(label))) {
            problems.push(`${prefix.name} ${month} ${label}: KPIs ${show(sums.get(label))}, report row ${show(rows.get(label))}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

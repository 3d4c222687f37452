import { foldCase } from '../cases/case.evolve';
import type { OpenedCase } from '../cases/case.state';
import { ACCEPTED_AT, deadlineSet, event, petitionHistory, UNIT_A, UNIT_A_USER } from '../cases/testing/case-fixtures';
import { timelinessFacts, type CaseFacts } from './case-facts';
import { DEFAULT_KPI_DEFINITIONS, KPI_KEYS, type KpiKey } from './kpi-definitions';
import { caseFacts } from './testing/case-facts-builder';
import { computeTimeliness, type KpiValue } from './timeliness-kpis';

/** Judged on 1 May: every milestone due in March is decided by then. */
const JUDGED_AT = new Date('2026-05-01T00:00:00+08:00');
const MARCH = { from: new Date('2026-03-01T00:00:00+08:00'), to: new Date('2026-04-01T00:00:00+08:00'), judgedAt: JUDGED_AT };
const DESK = '大雁塔街道';
const OPTIONS = { deskLabel: DESK };

const QUJIANG = '曲江社区';
const YANNAN = '雁南社区';
const URBAN_MANAGEMENT = '城管执法中队';
const QINGLONG = '青龙社区';
const YANTALU = '雁塔路社区';

const NO_RATE: KpiValue = { numerator: 0, denominator: 0, ratio: null };

/** Every KPI of a group: the ones given, and no rate (0/0) for the rest. */
function kpis(values: Partial<Record<KpiKey, KpiValue>>): Record<KpiKey, KpiValue> {
  return Object.fromEntries(KPI_KEYS.map((key) => [key, values[key] ?? NO_RATE])) as Record<KpiKey, KpiValue>;
}

// ---- March 2026 fixture. Acceptance episodes carry no unit: the desk owes them. ----

const P1 = caseFacts({
  caseId: 'p1',
  number: 'XF2026-0001',
  kind: 'petition',
  community: QINGLONG,
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-03-05T17:00:00+08:00', reachedAt: '2026-03-04T10:00:00+08:00' },
    { milestone: 'reply', episode: 1, dueAt: '2026-03-25T17:00:00+08:00', reachedAt: '2026-03-24T10:00:00+08:00', unit: QUJIANG },
  ],
  closure: { firstClosedAt: '2026-03-28T10:00:00+08:00', firstTime: true, reexaminationRequested: false, unit: QUJIANG },
});
const P2 = caseFacts({
  caseId: 'p2',
  number: 'XF2026-0002',
  kind: 'petition',
  community: YANTALU,
  episodes: [
    // Due at the very first instant of the period and reached exactly at the deadline.
    { milestone: 'acceptance', episode: 1, dueAt: '2026-03-01T00:00:00+08:00', reachedAt: '2026-03-01T00:00:00+08:00' },
    // Reached after the period: late, and counted in March, where it fell due.
    { milestone: 'reply', episode: 1, dueAt: '2026-03-30T09:00:00+08:00', reachedAt: '2026-04-02T10:00:00+08:00', unit: YANNAN },
  ],
  closure: { firstClosedAt: '2026-04-03T10:00:00+08:00', firstTime: true, reexaminationRequested: false, unit: YANNAN },
});
const P3 = caseFacts({
  caseId: 'p3',
  number: 'XF2026-0003',
  kind: 'petition',
  community: QINGLONG,
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-02-10T09:00:00+08:00', reachedAt: '2026-02-09T10:00:00+08:00' },
    { milestone: 'reply', episode: 1, dueAt: '2026-02-28T17:00:00+08:00', reachedAt: '2026-02-27T10:00:00+08:00', unit: YANNAN },
  ],
  closure: { firstClosedAt: '2026-03-15T10:00:00+08:00', firstTime: true, reexaminationRequested: true, unit: YANNAN },
});
const P4 = caseFacts({
  caseId: 'p4',
  number: 'XF2026-0004',
  kind: 'petition',
  community: QINGLONG,
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-02-20T09:00:00+08:00', reachedAt: '2026-02-19T10:00:00+08:00' },
    { milestone: 'reply', episode: 1, dueAt: '2026-03-10T09:00:00+08:00', reachedAt: '2026-03-10T09:00:01+08:00', unit: QUJIANG },
  ],
  closure: { firstClosedAt: '2026-03-18T10:00:00+08:00', firstTime: true, reexaminationRequested: false, unit: QUJIANG },
});
/** A repeat of P4: it makes P4 no one-off resolution, and is itself no first-time petition. */
const P5 = caseFacts({
  caseId: 'p5',
  number: 'XF2026-0005',
  kind: 'petition',
  community: QINGLONG,
  repeatOf: ['p4'],
  episodes: [
    { milestone: 'acceptance', episode: 1, dueAt: '2026-03-06T17:00:00+08:00', reachedAt: '2026-03-06T10:00:00+08:00' },
    { milestone: 'reply', episode: 1, dueAt: '2026-03-20T17:00:00+08:00', reachedAt: '2026-03-19T10:00:00+08:00', unit: QUJIANG },
  ],
  closure: { firstClosedAt: '2026-03-29T10:00:00+08:00', firstTime: false, reexaminationRequested: false, unit: QUJIANG },
});
const P6 = caseFacts({
  caseId: 'p6',
  number: 'XF2026-0006',
  kind: 'petition',
  community: QINGLONG,
  episodes: [{ milestone: 'acceptance', episode: 1, dueAt: '2026-03-20T17:00:00+08:00' }],
});
/** Due exactly at the end of the period: April's. */
const P7 = caseFacts({
  caseId: 'p7',
  number: 'XF2026-0007',
  kind: 'petition',
  community: QINGLONG,
  episodes: [{ milestone: 'acceptance', episode: 1, dueAt: '2026-04-01T00:00:00+08:00' }],
});
/** Due one second before the period: February's. */
const P8 = caseFacts({
  caseId: 'p8',
  number: 'XF2026-0008',
  kind: 'petition',
  community: QINGLONG,
  episodes: [{ milestone: 'acceptance', episode: 1, dueAt: '2026-02-28T23:59:59+08:00', reachedAt: '2026-03-02T10:00:00+08:00' }],
});

const H1 = caseFacts({
  caseId: 'h1',
  number: 'RX2026-0001',
  kind: 'hotline',
  community: QINGLONG,
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-03-02T11:00:00+08:00', reachedAt: '2026-03-02T10:30:00+08:00', unit: QUJIANG },
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T18:00:00+08:00', reachedAt: '2026-03-06T10:00:00+08:00', unit: QUJIANG },
  ],
  callbacks: [{ reviewedAt: '2026-03-08T10:00:00+08:00', satisfaction: 'satisfied', solved: true, unit: QUJIANG }],
});
const H2 = caseFacts({
  caseId: 'h2',
  number: 'RX2026-0002',
  kind: 'hotline',
  community: YANTALU,
  episodes: [
    // 2026-02-28T23:00Z: February in UTC, March in Shanghai.
    { milestone: 'sign', episode: 1, dueAt: '2026-03-01T07:00:00+08:00', reachedAt: '2026-03-01T08:00:00+08:00', unit: YANNAN },
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-10T18:00:00+08:00', reachedAt: '2026-03-11T10:00:00+08:00', unit: YANNAN },
  ],
  callbacks: [{ reviewedAt: '2026-03-12T10:00:00+08:00', satisfaction: 'basically-satisfied', solved: false, unit: YANNAN }],
});
/** Reopened after an unsatisfied call-back: the fresh resolve deadline is the final one. */
const H3 = caseFacts({
  caseId: 'h3',
  number: 'RX2026-0003',
  kind: 'hotline',
  community: QINGLONG,
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-02-26T11:00:00+08:00', reachedAt: '2026-02-26T10:00:00+08:00', unit: QUJIANG },
    // Due 2026-03-31T15:30Z and reached 2026-03-31T23:00Z: both March in UTC; due in March, reached in April here.
    { milestone: 'resolve', episode: 1, dueAt: '2026-03-31T23:30:00+08:00', reachedAt: '2026-04-01T07:00:00+08:00', unit: QUJIANG },
  ],
  callbacks: [
    { reviewedAt: '2026-03-15T10:00:00+08:00', satisfaction: 'unsatisfied', solved: false, unit: QUJIANG },
    { reviewedAt: '2026-04-01T09:00:00+08:00', satisfaction: 'satisfied', solved: true, unit: QUJIANG },
  ],
});
/** Linked repeat-of P1, but a hotline ticket is no repeat petition: P1 stays a one-off resolution. */
const H4 = caseFacts({
  caseId: 'h4',
  number: 'RX2026-0004',
  kind: 'hotline',
  community: QINGLONG,
  repeatOf: ['p1'],
  episodes: [
    { milestone: 'sign', episode: 1, dueAt: '2026-03-27T11:00:00+08:00', reachedAt: '2026-03-27T11:00:00+08:00', unit: YANNAN },
    { milestone: 'resolve', episode: 1, dueAt: '2026-04-03T18:00:00+08:00', reachedAt: '2026-03-31T20:00:00+08:00', unit: YANNAN },
  ],
  // 2026-03-31T15:30Z: March.
  callbacks: [{ reviewedAt: '2026-03-31T23:30:00+08:00', satisfaction: 'satisfied', solved: true, unit: YANNAN }],
});
const H5 = caseFacts({
  caseId: 'h5',
  number: 'RX2026-0005',
  kind: 'hotline',
  community: QINGLONG,
  callbacks: [
    { reviewedAt: '2026-02-28T10:00:00+08:00', satisfaction: 'satisfied', solved: true, unit: QUJIANG },
    // 2026-03-31T23:00Z: still March in UTC, April in Shanghai.
    { reviewedAt: '2026-04-01T07:00:00+08:00', satisfaction: 'unsatisfied', solved: false, unit: QUJIANG },
  ],
});

const D1 = caseFacts({
  caseId: 'd1',
  number: 'JF2026-0001',
  kind: 'dispute',
  community: QINGLONG,
  mediation: { outcome: 'mediated', resolvedAt: '2026-03-10T10:00:00+08:00', unit: URBAN_MANAGEMENT },
});
const D2 = caseFacts({
  caseId: 'd2',
  number: 'JF2026-0002',
  kind: 'dispute',
  community: YANTALU,
  mediation: { outcome: 'failed', resolvedAt: '2026-03-20T10:00:00+08:00', unit: URBAN_MANAGEMENT },
});
const D3 = caseFacts({
  caseId: 'd3',
  number: 'JF2026-0003',
  kind: 'dispute',
  community: QINGLONG,
  mediation: { outcome: 'mediated', resolvedAt: '2026-02-20T10:00:00+08:00', unit: URBAN_MANAGEMENT },
});
const D4 = caseFacts({ caseId: 'd4', number: 'JF2026-0004', kind: 'dispute', community: QINGLONG });

const FACTS: CaseFacts[] = [P1, P2, P3, P4, P5, P6, P7, P8, H1, H2, H3, H4, H5, D1, D2, D3, D4];

describe('computeTimeliness over March 2026 (Asia/Shanghai), no grouping', () => {
  const [{ group, kpis: march }] = computeTimeliness(FACTS, MARCH, OPTIONS).groups;

  it('answers one group with an empty key', () => {
    expect(computeTimeliness(FACTS, MARCH, OPTIONS).groups).toHaveLength(1);
    expect(group).toEqual({});
  });

  it('timelyAcceptance: P1, P2 (reached exactly at its deadline), P5 on time; P6 not reached; P7 and P8 due outside March', () => {
    expect(march.timelyAcceptance).toEqual({ numerator: 3, denominator: 4, ratio: 0.75 });
  });

  it('onTimeReply: P1, P5 on time; P2 reached after March, P4 one second late; P3 due in February', () => {
    expect(march.onTimeReply).toEqual({ numerator: 2, denominator: 4, ratio: 0.5 });
  });

  it('response: H1 and H4 (exactly at the deadline) on time; H2 due 2026-03-01T07:00+08:00 is March’s and late', () => {
    expect(march.response).toEqual({ numerator: 2, denominator: 3, ratio: 2 / 3 });
  });

  it('onTimeResolution: H1 on time; H2 late; H3’s final deadline is March’s and reached in April; H4 due in April', () => {
    expect(march.onTimeResolution).toEqual({ numerator: 1, denominator: 3, ratio: 1 / 3 });
  });

  it('satisfaction: call-backs of H1, H2, H3 (unsatisfied), H4 at 23:30 on March 31; H5’s fall outside', () => {
    expect(march.satisfaction).toEqual({ numerator: 3, denominator: 4, ratio: 0.75 });
  });

  it('solved: H1 and H4 solved, of the same four call-backs', () => {
    expect(march.solved).toEqual({ numerator: 2, denominator: 4, ratio: 0.5 });
  });

  it('firstTimeResolution: P1 counts; P3 was re-examined, P4 repeated by P5; P5 is a repeat; P2 closed in April', () => {
    expect(march.firstTimeResolution).toEqual({ numerator: 1, denominator: 3, ratio: 1 / 3 });
  });

  it('disputeResolution: D1 mediated, D2 failed; D3 in February, D4 without an outcome', () => {
    expect(march.disputeResolution).toEqual({ numerator: 1, denominator: 2, ratio: 0.5 });
  });

  it('an empty denominator gives a null ratio, never 0 or 1', () => {
    const january = { from: new Date('2025-01-01T00:00:00+08:00'), to: new Date('2025-02-01T00:00:00+08:00'), judgedAt: JUDGED_AT };
    expect(computeTimeliness(FACTS, january, OPTIONS).groups).toEqual([{ group: {}, kpis: kpis({}) }]);
    expect(computeTimeliness([], MARCH, OPTIONS).groups).toEqual([{ group: {}, kpis: kpis({}) }]);
  });

  it('the same facts in another order give the same answer', () => {
    expect(computeTimeliness([...FACTS].reverse(), MARCH, OPTIONS)).toEqual(computeTimeliness(FACTS, MARCH, OPTIONS));
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => computeTimeliness(FACTS, { from: MARCH.to, to: MARCH.from, judgedAt: JUDGED_AT }, OPTIONS)).toThrow(RangeError);
  });
});

describe('computeTimeliness with other definitions', () => {
  it('counts what the definitions say: only 满意, every outcome, re-examined petitions allowed', () => {
    const definitions = {
      ...DEFAULT_KPI_DEFINITIONS,
      satisfaction: { numerator: { satisfaction: ['satisfied'] as const } },
      disputeResolution: { numerator: { outcomes: ['mediated', 'failed'] as const } },
      firstTimeResolution: { numerator: { withoutReexamination: false, withoutRepeatPetition: true } },
    };
    const [{ kpis: march }] = computeTimeliness(FACTS, MARCH, { ...OPTIONS, definitions }).groups;
    expect(march.satisfaction).toEqual({ numerator: 2, denominator: 4, ratio: 0.5 });
    expect(march.disputeResolution).toEqual({ numerator: 2, denominator: 2, ratio: 1 });
    expect(march.firstTimeResolution).toEqual({ numerator: 2, denominator: 3, ratio: 2 / 3 });
  });
});

describe('computeTimeliness grouped', () => {
  it('by unit: acceptance is the desk’s, under the organisation’s name after the units; every other item follows its unit', () => {
    expect(computeTimeliness(FACTS, { ...MARCH, groupBy: ['unit'] }, OPTIONS).groups).toEqual([
      {
        group: { unit: URBAN_MANAGEMENT },
        kpis: kpis({ disputeResolution: { numerator: 1, denominator: 2, ratio: 0.5 } }),
      },
      {
        group: { unit: QUJIANG },
        kpis: kpis({
          onTimeReply: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          response: { numerator: 1, denominator: 1, ratio: 1 },
          onTimeResolution: { numerator: 1, denominator: 2, ratio: 0.5 },
          satisfaction: { numerator: 1, denominator: 2, ratio: 0.5 },
          solved: { numerator: 1, denominator: 2, ratio: 0.5 },
          firstTimeResolution: { numerator: 1, denominator: 2, ratio: 0.5 },
        }),
      },
      {
        group: { unit: YANNAN },
        kpis: kpis({
          onTimeReply: { numerator: 0, denominator: 1, ratio: 0 },
          response: { numerator: 1, denominator: 2, ratio: 0.5 },
          onTimeResolution: { numerator: 0, denominator: 1, ratio: 0 },
          satisfaction: { numerator: 2, denominator: 2, ratio: 1 },
          solved: { numerator: 1, denominator: 2, ratio: 0.5 },
          firstTimeResolution: { numerator: 0, denominator: 1, ratio: 0 },
        }),
      },
      {
        group: { unit: DESK },
        kpis: kpis({ timelyAcceptance: { numerator: 3, denominator: 4, ratio: 0.75 } }),
      },
    ]);
  });

  it('by community', () => {
    expect(computeTimeliness(FACTS, { ...MARCH, groupBy: ['community'] }, OPTIONS).groups).toEqual([
      {
        group: { community: YANTALU },
        kpis: kpis({
          timelyAcceptance: { numerator: 1, denominator: 1, ratio: 1 },
          onTimeReply: { numerator: 0, denominator: 1, ratio: 0 },
          response: { numerator: 0, denominator: 1, ratio: 0 },
          onTimeResolution: { numerator: 0, denominator: 1, ratio: 0 },
          satisfaction: { numerator: 1, denominator: 1, ratio: 1 },
          solved: { numerator: 0, denominator: 1, ratio: 0 },
          disputeResolution: { numerator: 0, denominator: 1, ratio: 0 },
        }),
      },
      {
        group: { community: QINGLONG },
        kpis: kpis({
          timelyAcceptance: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          onTimeReply: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          response: { numerator: 2, denominator: 2, ratio: 1 },
          onTimeResolution: { numerator: 1, denominator: 2, ratio: 0.5 },
          satisfaction: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          solved: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          firstTimeResolution: { numerator: 1, denominator: 3, ratio: 1 / 3 },
          disputeResolution: { numerator: 1, denominator: 1, ratio: 1 },
        }),
      },
    ]);
  });

  it('by kind: a KPI of another kind has no rate in the group', () => {
    expect(computeTimeliness(FACTS, { ...MARCH, groupBy: ['kind'] }, OPTIONS).groups).toEqual([
      { group: { kind: 'dispute' }, kpis: kpis({ disputeResolution: { numerator: 1, denominator: 2, ratio: 0.5 } }) },
      {
        group: { kind: 'hotline' },
        kpis: kpis({
          response: { numerator: 2, denominator: 3, ratio: 2 / 3 },
          onTimeResolution: { numerator: 1, denominator: 3, ratio: 1 / 3 },
          satisfaction: { numerator: 3, denominator: 4, ratio: 0.75 },
          solved: { numerator: 2, denominator: 4, ratio: 0.5 },
        }),
      },
      {
        group: { kind: 'petition' },
        kpis: kpis({
          timelyAcceptance: { numerator: 3, denominator: 4, ratio: 0.75 },
          onTimeReply: { numerator: 2, denominator: 4, ratio: 0.5 },
          firstTimeResolution: { numerator: 1, denominator: 3, ratio: 1 / 3 },
        }),
      },
    ]);
  });

  it('by kind and unit, in that order; a dimension asked twice counts once', () => {
    const groups = computeTimeliness(FACTS, { ...MARCH, groupBy: ['kind', 'unit', 'kind'] }, OPTIONS).groups;
    expect(groups.map(({ group }) => group)).toEqual([
      { kind: 'dispute', unit: URBAN_MANAGEMENT },
      { kind: 'hotline', unit: QUJIANG },
      { kind: 'hotline', unit: YANNAN },
      { kind: 'petition', unit: QUJIANG },
      { kind: 'petition', unit: YANNAN },
      { kind: 'petition', unit: DESK },
    ]);
  });

  it('a group appears only when something was counted in it', () => {
    expect(computeTimeliness([H5, D3, D4], { ...MARCH, groupBy: ['unit'] }, OPTIONS).groups).toEqual([]);
  });
});

describe('computeTimeliness on facts folded from events: an extended deadline counts by its final due date', () => {
  // The reply was due 2026-05-02T09:00+08:00, extended to 2026-06-01T09:00+08:00 and given on May 20:
  // late against the first deadline, on time against the final one.
  const facts = timelinessFacts(
    foldCase([
      ...petitionHistory.in_progress,
      deadlineSet('reply', ACCEPTED_AT, '2026-06-01T01:00:00.000Z', { version: 2, cause: 'extended' }),
      event('CaseResolved', { kind: 'petition', outcome: 'supported', reply: '已协调' }, '2026-05-20T02:00:00.000Z', UNIT_A_USER),
    ]) as OpenedCase,
  );

  it('not in May, where only the first deadline fell', () => {
    const may = {
      from: new Date('2026-05-01T00:00:00+08:00'),
      to: new Date('2026-06-01T00:00:00+08:00'),
      judgedAt: new Date('2026-07-01T00:00:00+08:00'),
    };
    const [{ kpis: result }] = computeTimeliness([facts], may, OPTIONS).groups;
    expect(result.onTimeReply).toEqual({ numerator: 0, denominator: 0, ratio: null });
  });

  it('in June, on time, for the unit that replied', () => {
    const june = {
      from: new Date('2026-06-01T00:00:00+08:00'),
      to: new Date('2026-07-01T00:00:00+08:00'),
      judgedAt: new Date('2026-07-01T00:00:00+08:00'),
      groupBy: ['unit'] as const,
    };
    expect(computeTimeliness([facts], june, OPTIONS).groups).toEqual([
      { group: { unit: UNIT_A }, kpis: kpis({ onTimeReply: { numerator: 1, denominator: 1, ratio: 1 } }) },
    ]);
  });
});

describe('computeTimeliness counts each episode, once decided at the judging instant (docs/timeliness-rules.md)', () => {
  const resolveEpisodes = (caseId: string, episodes: CaseFacts['episodes']) =>
    caseFacts({ caseId, number: `RX2026-${caseId}`, kind: 'hotline', community: QINGLONG, episodes });
  const facts = [
    // Due 25 Mar, not resolved: not due yet on 20 Mar, late on 1 Apr.
    resolveEpisodes('0101', [{ milestone: 'resolve', episode: 1, dueAt: '2026-03-25T18:00:00+08:00', unit: QUJIANG }]),
    // Due 28 Mar, resolved 18 Mar: on time, counted even before its deadline.
    resolveEpisodes('0102', [
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-28T18:00:00+08:00', reachedAt: '2026-03-18T10:00:00+08:00', unit: QUJIANG },
    ]),
    // Resolved late, reopened, resolved again on time: two episodes, one late and one on time.
    resolveEpisodes('0103', [
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T18:00:00+08:00', reachedAt: '2026-03-11T10:00:00+08:00', unit: YANNAN },
      { milestone: 'resolve', episode: 2, dueAt: '2026-03-19T18:00:00+08:00', reachedAt: '2026-03-17T10:00:00+08:00', unit: YANNAN },
    ]),
    // Returned before its deadline (never counts), re-dispatched and still open past its deadline: late.
    resolveEpisodes('0104', [
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T18:00:00+08:00', endedAt: '2026-03-03T10:00:00+08:00', unit: QUJIANG },
      { milestone: 'resolve', episode: 2, dueAt: '2026-03-10T18:00:00+08:00', unit: YANNAN },
    ]),
  ];

  it('judged on 20 March, with March still running: 2 of 4 decided episodes on time', () => {
    const [{ kpis: march }] = computeTimeliness(facts, { ...MARCH, judgedAt: new Date('2026-03-20T12:00:00+08:00') }, OPTIONS).groups;
    expect(march.onTimeResolution).toEqual({ numerator: 2, denominator: 4, ratio: 0.5 });
  });

  it('judged on 1 April, the unresolved ticket due 25 March is late too: 2 of 5', () => {
    const [{ kpis: march }] = computeTimeliness(facts, { ...MARCH, judgedAt: new Date('2026-04-01T00:00:00+08:00') }, OPTIONS).groups;
    expect(march.onTimeResolution).toEqual({ numerator: 2, denominator: 5, ratio: 0.4 });
  });

  it('each episode is charged to its own unit', () => {
    const groups = computeTimeliness(facts, { ...MARCH, groupBy: ['unit'] }, OPTIONS).groups;
    expect(groups.map(({ group, kpis: values }) => [group.unit, values.onTimeResolution])).toEqual([
      [QUJIANG, { numerator: 1, denominator: 2, ratio: 0.5 }],
      [YANNAN, { numerator: 1, denominator: 3, ratio: 1 / 3 }],
    ]);
  });
});

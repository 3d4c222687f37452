import { computeMonthlyReport } from './monthly-report';
import { computeTimeliness } from './timeliness-kpis';
import { caseFacts } from './testing/case-facts-builder';
import { factsChargedToUnit, monthlyReportForUnit } from './unit-scope';

const QUJIANG = '曲江社区';
const YANNAN = '雁南社区';
const CIVIL = '民政办';
const DESK = '大雁塔街道';
const MARCH = { from: new Date('2026-03-01T00:00:00+08:00'), to: new Date('2026-04-01T00:00:00+08:00') };
const JUDGED = new Date('2026-05-01T00:00:00+08:00');

/** A ticket signed and resolved by `unit`; resolved late when `late`; optionally called back unsatisfied. */
function ticket(id: string, unit: string, options: { late?: boolean; unsatisfied?: boolean; open?: boolean } = {}) {
  return caseFacts({
    caseId: id,
    number: `RX2026-${id}`,
    kind: 'hotline',
    episodes: [
      { milestone: 'sign', episode: 1, dueAt: '2026-03-02T11:00:00+08:00', reachedAt: '2026-03-02T10:00:00+08:00', unit },
      options.open
        ? { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T18:00:00+08:00', unit }
        : {
            milestone: 'resolve',
            episode: 1,
            dueAt: '2026-03-09T18:00:00+08:00',
            reachedAt: options.late ? '2026-03-10T10:00:00+08:00' : '2026-03-09T10:00:00+08:00',
            unit,
          },
      { milestone: 'callback', episode: 1, dueAt: '2026-03-12T18:00:00+08:00', reachedAt: '2026-03-11T10:00:00+08:00' },
    ],
    callbacks: options.open
      ? []
      : [{ reviewedAt: '2026-03-11T10:00:00+08:00', satisfaction: options.unsatisfied ? 'unsatisfied' : 'satisfied', solved: true, unit }],
  });
}

const FACTS = [
  ticket('0001', QUJIANG),
  ticket('0002', QUJIANG, { late: true, unsatisfied: true }),
  ticket('0003', YANNAN, { unsatisfied: true }),
  ticket('0004', YANNAN, { open: true }),
  ticket('0005', CIVIL),
];

describe('factsChargedToUnit', () => {
  it("gives the unit's own group of groupBy=unit, and nothing of the desk's or other units'", () => {
    const everyone = computeTimeliness(FACTS, { ...MARCH, judgedAt: JUDGED, groupBy: ['unit'] }, { deskLabel: DESK });
    const own = everyone.groups.find((group) => group.group.unit === QUJIANG);
    const scoped = computeTimeliness(factsChargedToUnit(FACTS, QUJIANG), { ...MARCH, judgedAt: JUDGED }, { deskLabel: DESK });
    expect(scoped.groups).toEqual([{ group: {}, kpis: own?.kpis }]);
    expect(scoped.groups[0].kpis.onTimeResolution).toEqual({ numerator: 1, denominator: 2, ratio: 0.5 });
    expect(scoped.groups[0].kpis.satisfaction).toEqual({ numerator: 1, denominator: 2, ratio: 0.5 });

    const grouped = computeTimeliness(
      factsChargedToUnit(FACTS, QUJIANG),
      { ...MARCH, judgedAt: JUDGED, groupBy: ['unit'] },
      { deskLabel: DESK },
    );
    expect(grouped.groups.map((group) => group.group.unit)).toEqual([QUJIANG]);
  });

  it('keeps every case and its repeat links, so a one-off close is judged against every later petition', () => {
    const closed = caseFacts({
      caseId: 'p1',
      number: 'XF2026-0001',
      kind: 'petition',
      closure: { firstClosedAt: '2026-03-05T10:00:00+08:00', firstTime: true, reexaminationRequested: false, unit: QUJIANG },
    });
    const repeat = caseFacts({ caseId: 'p2', number: 'XF2026-0002', kind: 'petition', repeatOf: ['p1'] });
    const scoped = factsChargedToUnit([closed, repeat], QUJIANG);
    expect(scoped.map((fact) => fact.caseId)).toEqual(['p1', 'p2']);
    const kpis = computeTimeliness(scoped, { ...MARCH, judgedAt: JUDGED }, { deskLabel: DESK }).groups[0].kpis;
    expect(kpis.firstTimeResolution).toEqual({ numerator: 0, denominator: 1, ratio: 0 });
    expect(factsChargedToUnit([closed], YANNAN)[0].closure).toBeUndefined();
  });
});

describe('monthlyReportForUnit', () => {
  const report = computeMonthlyReport(FACTS, '2026-03', { judgedAt: JUDGED, deskLabel: DESK });

  it('shows its own row and rank out of the ranked units, and only its own overdue and unsatisfied rows', () => {
    const scoped = monthlyReportForUnit(report, YANNAN);
    const own = report.units.find((row) => row.unit === YANNAN);
    expect(scoped.units).toEqual([own]);
    expect(scoped.scope).toEqual({ unit: YANNAN, rank: own?.rank, rankedUnits: 3 });
    expect(scoped.overdue.map((row) => row.number)).toEqual(['RX2026-0004']);
    expect(scoped.unsatisfied.map((row) => row.number)).toEqual(['RX2026-0003']);
    const text = JSON.stringify(scoped);
    for (const hidden of [QUJIANG, CIVIL, DESK, 'RX2026-0001', 'RX2026-0002', 'RX2026-0005']) expect(text).not.toContain(hidden);
  });

  it('answers a unit with nothing this month with no rows and the number of ranked units', () => {
    const scoped = monthlyReportForUnit(report, '小寨社区');
    expect(scoped).toMatchObject({ units: [], overdue: [], unsatisfied: [], scope: { unit: '小寨社区', rank: null, rankedUnits: 3 } });
  });
});

import type { Actor } from '../shared/actor';
import type { CaseEvent } from '../cases/case.events';
import { foldCase } from '../cases/case.evolve';
import type { OpenedCase } from '../cases/case.state';
import { event, hotlineHistory, UNIT_A } from '../cases/testing/case-fixtures';
import { timelinessFacts } from './case-facts';
import { computeMonthlyReport } from './monthly-report';
import { computeTimeliness } from './timeliness-kpis';

/*
 * docs/timeliness-rules.md, "Withdrawn tickets and urges": a withdrawal ends every running episode
 * (a miss already past its deadline stays late; one not yet due never counts), and the overdue list
 * shows how often the platform had urged the ticket by the end of the month.
 *
 * The dispatched ticket of the fixtures: sign due 2026-03-05T01:00Z, resolve due 2026-03-09T01:00Z.
 */
const PLATFORM: Actor = { id: '12345-platform', role: 'system' };
const DESK_LABEL = '大雁塔街道';
const AFTER_MAY = new Date('2026-05-10T00:00:00Z');
const MARCH = { from: new Date('2026-03-01T00:00:00+08:00'), to: new Date('2026-04-01T00:00:00+08:00'), judgedAt: AFTER_MAY };

function factsOf(history: CaseEvent[]) {
  return timelinessFacts(foldCase(history) as OpenedCase);
}

const urgedThenWithdrawnInApril = factsOf([
  ...hotlineHistory.dispatched,
  event('CaseUrged', {}, '2026-03-06T02:00:00.000Z', PLATFORM),
  event('CaseUrged', { note: '再次催办' }, '2026-03-20T02:00:00.000Z', PLATFORM),
  event('CaseUrged', {}, '2026-04-02T02:00:00.000Z', PLATFORM),
  event('CaseWithdrawn', { reason: '市民撤回诉求' }, '2026-04-05T02:00:00.000Z', PLATFORM),
]);

const withdrawnBeforeAnyDeadline = factsOf([
  ...hotlineHistory.dispatched,
  event('CaseWithdrawn', { reason: '重复工单' }, '2026-03-04T05:00:00.000Z', PLATFORM),
]);

describe('a withdrawn ticket in the KPIs', () => {
  it('keeps the misses that happened before the withdrawal; the ticket is charged to its unit as before', () => {
    const [{ kpis }] = computeTimeliness([urgedThenWithdrawnInApril], MARCH, { deskLabel: DESK_LABEL }).groups;
    expect(kpis.response).toEqual({ numerator: 0, denominator: 1, ratio: 0 });
    expect(kpis.onTimeResolution).toEqual({ numerator: 0, denominator: 1, ratio: 0 });
    const byUnit = computeTimeliness([urgedThenWithdrawnInApril], { ...MARCH, groupBy: ['unit'] }, { deskLabel: DESK_LABEL }).groups;
    expect(byUnit.map((group) => group.group)).toEqual([{ unit: UNIT_A }]);
  });

  it('does not count deadlines the withdrawal came before', () => {
    const [{ kpis }] = computeTimeliness([withdrawnBeforeAnyDeadline], MARCH, { deskLabel: DESK_LABEL }).groups;
    expect(kpis.response).toEqual({ numerator: 0, denominator: 0, ratio: null });
    expect(kpis.onTimeResolution).toEqual({ numerator: 0, denominator: 0, ratio: null });
  });
});

describe('a withdrawn and urged ticket in the monthly report', () => {
  it("stays on March's overdue list, with the urges made by the end of March", () => {
    const march = computeMonthlyReport([urgedThenWithdrawnInApril], '2026-03', { judgedAt: AFTER_MAY, deskLabel: DESK_LABEL });
    expect(march.overdue.map((row) => [row.milestone, row.unit, row.urged])).toEqual([
      ['sign', UNIT_A, 2],
      ['resolve', UNIT_A, 2],
    ]);
  });

  it('is not overdue at the end of April: the withdrawal ended what was owed', () => {
    const april = computeMonthlyReport([urgedThenWithdrawnInApril], '2026-04', { judgedAt: AFTER_MAY, deskLabel: DESK_LABEL });
    expect(april.overdue).toEqual([]);
    expect(april.units).toEqual([]);
  });

  it('shows 0 urges for a ticket never urged', () => {
    const neverUrged = factsOf(hotlineHistory.dispatched);
    expect(neverUrged.urges).toBeUndefined();
    const march = computeMonthlyReport([neverUrged], '2026-03', { judgedAt: AFTER_MAY, deskLabel: DESK_LABEL });
    expect(march.overdue.map((row) => row.urged)).toEqual([0, 0]);
  });
});

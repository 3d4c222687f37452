import { foldCase } from '../cases/case.evolve';
import type { CaseEvent } from '../cases/case.events';
import { deadlineSet, event, hotlineHistory, petitionHistory } from '../cases/testing/case-fixtures';
import { createTestDeadlinePolicy } from '../cases/testing/test-deadline-policy';
import { SCHEDULER_ACTOR, dueDeadlineAlerts } from './deadline-alerts';

// Hotline dispatched 2026-03-04T01:00Z: sign due 03-05T01:00Z (warning at 75%: 03-04T19:00Z),
// resolve due 03-09T01:00Z (warning at 03-07T19:00Z).
const policy = createTestDeadlinePolicy();
const dispatched = hotlineHistory.dispatched;

function alertsAt(events: CaseEvent[], now: string) {
  return dueDeadlineAlerts(foldCase(events), new Date(now), policy);
}

const signWarning = event(
  'DeadlineWarningIssued',
  { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' },
  '2026-03-04T19:00:00.000Z',
  SCHEDULER_ACTOR,
);
const signMissed = event(
  'DeadlineMissed',
  { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' },
  '2026-03-05T01:00:00.000Z',
  SCHEDULER_ACTOR,
);

describe('deadline alerts (预警 and misses)', () => {
  it('owes nothing before the warning threshold', () => {
    expect(alertsAt(dispatched, '2026-03-04T18:59:59.999Z')).toEqual([]);
  });

  it('warns once the configured share of the time has passed, dated at the threshold', () => {
    expect(alertsAt(dispatched, '2026-03-04T22:30:00.000Z')).toEqual([signWarning]);
  });

  it('does not warn twice for the same deadline version', () => {
    expect(alertsAt([...dispatched, signWarning], '2026-03-04T23:00:00.000Z')).toEqual([]);
  });

  it('records a miss dated at the deadline itself, even when recorded days later, and skips the stale warning', () => {
    expect(alertsAt(dispatched, '2026-03-06T08:00:00.000Z')).toEqual([signMissed]);
  });

  it('records each miss once, and goes on to the next milestone', () => {
    expect(alertsAt([...dispatched, signWarning, signMissed], '2026-03-08T00:00:00.000Z')).toEqual([
      event(
        'DeadlineWarningIssued',
        { milestone: 'resolve', version: 1, dueAt: '2026-03-09T01:00:00.000Z' },
        '2026-03-07T19:00:00.000Z',
        SCHEDULER_ACTOR,
      ),
    ]);
  });

  it('owes a new miss for a new deadline version', () => {
    const restarted = deadlineSet('sign', '2026-03-06T01:00:00.000Z', '2026-03-07T01:00:00.000Z', { version: 2, cause: 'restarted' });
    expect(alertsAt([...dispatched, signMissed, restarted], '2026-03-07T02:00:00.000Z')).toEqual([
      event(
        'DeadlineMissed',
        { milestone: 'sign', version: 2, dueAt: '2026-03-07T01:00:00.000Z' },
        '2026-03-07T01:00:00.000Z',
        SCHEDULER_ACTOR,
      ),
    ]);
  });

  it('owes nothing for a reached milestone', () => {
    expect(alertsAt(hotlineHistory.in_progress, '2026-03-05T02:00:00.000Z')).toEqual([]);
  });

  it('owes nothing on a closed or rejected case', () => {
    expect(alertsAt(petitionHistory.rejected, '2027-01-01T00:00:00.000Z')).toEqual([]);
    expect(alertsAt(hotlineHistory.closed, '2027-01-01T00:00:00.000Z')).toEqual([]);
  });
});

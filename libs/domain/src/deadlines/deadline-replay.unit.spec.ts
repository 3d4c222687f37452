import { foldCase } from '../cases/case.evolve';
import type { CaseEvent } from '../cases/case.events';
import type { OpenedCase } from '../cases/case.state';
import { DISPATCHED_AT, RESOLVED_AT, SUPERVISOR, deadlineSet, event, hotlineHistory } from '../cases/testing/case-fixtures';
import { createTestDeadlinePolicy } from '../cases/testing/test-deadline-policy';
import { INITIAL_CASE_STATE } from '../cases/case.state';
import { replayUnderPolicy } from './deadline-replay';

const DAY = 86_400_000;

function replay(events: CaseEvent[], policy = createTestDeadlinePolicy()): OpenedCase {
  return events.reduce(replayUnderPolicy(policy), INITIAL_CASE_STATE) as OpenedCase;
}

function dueOf(state: OpenedCase, milestone: string) {
  return state.deadlines.find((deadline) => deadline.milestone === milestone)?.dueAt;
}

// The fixture's hotline ticket is dispatched 2026-03-04T01:00Z with resolve due after 5 days.
describe('replaying a case under another deadline policy', () => {
  it('under the same policy gives the recorded deadlines', () => {
    expect(replay(hotlineHistory.resolved)).toEqual(foldCase(hotlineHistory.resolved));
  });

  it('recomputes every deadline from its recorded start, keeping when milestones were reached', () => {
    const threeDays = createTestDeadlinePolicy({
      milestoneDeadline: ({ from }) => ({ dueAt: new Date(from.getTime() + 3 * DAY), provisional: false }),
    });
    const state = replay(hotlineHistory.resolved, threeDays);
    expect(dueOf(state, 'resolve')).toBe(new Date(Date.parse(DISPATCHED_AT) + 3 * DAY).toISOString());
    expect(state.deadlines.find((deadline) => deadline.milestone === 'resolve')?.reachedAt).toBe(RESOLVED_AT);
  });

  it('re-applies an approved extension to the recomputed deadline, capped at the alternative maximum', () => {
    const extended: CaseEvent[] = [
      ...hotlineHistory.in_progress,
      event('ExtensionRequested', { requestId: 'ext-1', milestone: 'resolve', days: 8, reason: '需协调多部门' }, '2026-03-05T01:00:00.000Z'),
      event('ExtensionDecided', { requestId: 'ext-1', milestone: 'resolve', approved: true }, '2026-03-05T02:00:00.000Z', SUPERVISOR),
      deadlineSet('resolve', DISPATCHED_AT, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'extended', at: '2026-03-05T02:00:00.000Z' }),
    ];
    const strict = createTestDeadlinePolicy({ maxExtensionDays: () => 3 });
    expect(dueOf(replay(extended, strict), 'resolve')).toBe('2026-03-12T01:00:00.000Z');
    const none = createTestDeadlinePolicy({ maxExtensionDays: () => null });
    expect(dueOf(replay(extended, none), 'resolve')).toBe('2026-03-09T01:00:00.000Z');
  });

  it('drops the real policy\'s warnings and misses', () => {
    const missed = event('DeadlineMissed', { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' }, '2026-03-05T01:00:00.000Z');
    const state = replay([...hotlineHistory.dispatched, missed]);
    expect(state.deadlines.find((deadline) => deadline.milestone === 'sign')?.missedVersion).toBeUndefined();
  });
});

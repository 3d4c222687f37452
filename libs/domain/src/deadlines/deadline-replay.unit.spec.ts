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
      event(
        'ExtensionRequested',
        { requestId: 'ext-1', milestone: 'resolve', days: 8, reason: '需协调多部门' },
        '2026-03-05T01:00:00.000Z',
      ),
      event('ExtensionDecided', { requestId: 'ext-1', milestone: 'resolve', approved: true }, '2026-03-05T02:00:00.000Z', SUPERVISOR),
      deadlineSet('resolve', DISPATCHED_AT, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'extended', at: '2026-03-05T02:00:00.000Z' }),
    ];
    const strict = createTestDeadlinePolicy({ maxExtensionDays: () => 3 });
    expect(dueOf(replay(extended, strict), 'resolve')).toBe('2026-03-12T01:00:00.000Z');
    const none = createTestDeadlinePolicy({ maxExtensionDays: () => null });
    expect(dueOf(replay(extended, none), 'resolve')).toBe('2026-03-09T01:00:00.000Z');
  });

  it('judges an extension against the recomputed deadline: approved after it, it cannot undo the miss', () => {
    const extended: CaseEvent[] = [
      ...hotlineHistory.in_progress,
      event(
        'ExtensionRequested',
        { requestId: 'ext-1', milestone: 'resolve', days: 8, reason: '需协调多部门' },
        '2026-03-04T20:00:00.000Z',
      ),
      event('ExtensionDecided', { requestId: 'ext-1', milestone: 'resolve', approved: true }, '2026-03-05T02:00:00.000Z', SUPERVISOR),
      deadlineSet('resolve', DISPATCHED_AT, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'extended', at: '2026-03-05T02:00:00.000Z' }),
    ];
    // Under a one-day limit the resolve deadline is 03-05 01:00, an hour before the approval.
    const oneDay = createTestDeadlinePolicy({
      milestoneDeadline: ({ from }) => ({ dueAt: new Date(from.getTime() + DAY), provisional: false }),
    });
    const resolve = replay(extended, oneDay).deadlines.find((deadline) => deadline.milestone === 'resolve');
    expect(resolve?.earlierEpisodes).toEqual([
      expect.objectContaining({
        episode: 1,
        dueAt: '2026-03-05T01:00:00.000Z',
        endedAt: '2026-03-05T02:00:00.000Z',
        endedBy: 'late-extension',
      }),
    ]);
    // The extension of 8 days moves the recomputed deadline, in a second episode.
    expect(resolve).toMatchObject({ episode: 2, startedAt: '2026-03-05T02:00:00.000Z', dueAt: '2026-03-13T01:00:00.000Z' });
    // Under the recorded policy the same approval came in time: one episode, its deadline moved.
    const recorded = (foldCase(extended) as OpenedCase).deadlines.find((deadline) => deadline.milestone === 'resolve');
    expect(recorded).toMatchObject({ episode: 1, dueAt: '2026-03-17T01:00:00.000Z', earlierEpisodes: [] });
  });

  it('keeps the episodes of a reopen, each recomputed from its own start', () => {
    const reopenedAt = '2026-03-12T01:00:00.000Z';
    const reopened: CaseEvent[] = [
      ...hotlineHistory.resolved,
      event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, '2026-03-11T01:00:00.000Z'),
      event('CaseReopened', { reason: '不满意' }, reopenedAt),
      deadlineSet('resolve', reopenedAt, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'restarted' }),
    ];
    const threeDays = createTestDeadlinePolicy({
      milestoneDeadline: ({ from }) => ({ dueAt: new Date(from.getTime() + 3 * DAY), provisional: false }),
    });
    const resolve = replay(reopened, threeDays).deadlines.find((deadline) => deadline.milestone === 'resolve');
    expect(resolve?.earlierEpisodes.map(({ episode, dueAt, reachedAt }) => ({ episode, dueAt, reachedAt }))).toEqual([
      { episode: 1, dueAt: new Date(Date.parse(DISPATCHED_AT) + 3 * DAY).toISOString(), reachedAt: RESOLVED_AT },
    ]);
    expect(resolve).toMatchObject({ episode: 2, dueAt: new Date(Date.parse(reopenedAt) + 3 * DAY).toISOString() });
  });

  it("drops the real policy's warnings and misses", () => {
    const missed = event(
      'DeadlineMissed',
      { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' },
      '2026-03-05T01:00:00.000Z',
    );
    const state = replay([...hotlineHistory.dispatched, missed]);
    expect(state.deadlines.find((deadline) => deadline.milestone === 'sign')?.missedVersion).toBeUndefined();
  });
});

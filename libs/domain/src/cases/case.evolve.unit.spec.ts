import type { CaseEvent } from './case.events';
import { evolve, foldCase } from './case.evolve';
import type { OpenedCase } from './case.state';
import {
  ACCEPTED_AT,
  CASE_ID,
  deadlineSet,
  DISPATCHED_AT,
  event,
  hotlineHistory,
  hotlineTicketReceived,
  NOW,
  ORG_ID,
  petitionHistory,
  REGISTERED_AT,
  RESOLVED_AT,
  REVIEWED_AT,
  SCHEDULER,
  SIGNED_AT,
  SUPERVISOR,
  UNIT_A,
  UNIT_A_USER,
} from './testing/case-fixtures';

function fold(events: CaseEvent[]): OpenedCase {
  const state = foldCase(events);
  if (state.status === 'none') {
    throw new Error('expected an opened case');
  }
  return state;
}

function deadline(state: OpenedCase, milestone: string) {
  return state.deadlines.find((candidate) => candidate.milestone === milestone);
}

describe('evolve', () => {
  it('starts from no case', () => {
    expect(foldCase([])).toEqual({ status: 'none' });
  });

  it('opens a petition with every field of the case', () => {
    expect(fold(petitionHistory.registered)).toEqual({
      id: CASE_ID,
      orgId: ORG_ID,
      kind: 'petition',
      number: 'XF2026-0001',
      status: 'registered',
      title: '小区加装电梯意见分歧',
      description: '一楼住户反对加装电梯，要求街道协调',
      community: '曲江社区',
      urgency: 'normal',
      channel: 'visit',
      registeredAt: REGISTERED_AT,
      lastCommandAt: REGISTERED_AT,
      deadlines: [
        {
          milestone: 'acceptance',
          version: 1,
          startedAt: REGISTERED_AT,
          dueAt: '2026-03-17T01:00:00.000Z',
          provisional: false,
          extensionsApproved: 0,
          episode: 1,
          custody: [{ from: REGISTERED_AT }],
          earlierEpisodes: [],
        },
      ],
      extensions: [],
      supervisions: [],
      links: [],
      reviews: [],
      eventCount: 2,
    });
  });

  it('opens a hotline ticket accepted, with its platform fields', () => {
    expect(fold([hotlineTicketReceived({ urgency: 'urgent', platformDeadline: '2026-03-09T10:00:00.000Z' })])).toMatchObject({
      kind: 'hotline',
      status: 'accepted',
      urgency: 'urgent',
      platformTicketNo: '12345-20260302-0042',
      platformDeadline: '2026-03-09T10:00:00.000Z',
      eventCount: 1,
    });
  });

  it('folds a whole petition loop', () => {
    const state = fold(petitionHistory.closed);

    expect(state).toMatchObject({
      status: 'closed',
      unit: UNIT_A,
      dispatchedAt: DISPATCHED_AT,
      resolution: { kind: 'petition', outcome: 'supported', reply: '已协调加装方案', resolvedAt: RESOLVED_AT },
      reviews: [{ reviewedAt: REVIEWED_AT }],
      closedAt: REVIEWED_AT,
      lastCommandAt: REVIEWED_AT,
      eventCount: petitionHistory.closed.length,
    });
    expect(state.deadlines.map(({ milestone, reachedAt }) => [milestone, reachedAt])).toEqual([
      ['acceptance', ACCEPTED_AT],
      ['reply', RESOLVED_AT],
    ]);
  });

  it('never changes the state it is given', () => {
    const before = fold(petitionHistory.in_progress);
    const snapshot = JSON.parse(JSON.stringify(before));

    evolve(before, event('CaseResolved', { kind: 'petition', outcome: 'explained', reply: '已解释' }, RESOLVED_AT, UNIT_A_USER));
    evolve(before, deadlineSet('reply', NOW, '2026-05-11T01:00:00.000Z', { version: 2, cause: 'restarted' }));

    expect(before).toEqual(snapshot);
  });

  it('clears the unit and the dispatch time on a return', () => {
    const state = fold([...petitionHistory.in_progress, event('CaseReturned', { unit: UNIT_A, reason: '不属于本单位' }, NOW, UNIT_A_USER)]);

    expect(state).toMatchObject({ status: 'accepted' });
    expect(state).not.toHaveProperty('unit');
    expect(state).not.toHaveProperty('dispatchedAt');
  });

  describe('scheduler events', () => {
    const warned = [
      ...hotlineHistory.dispatched,
      event(
        'DeadlineWarningIssued',
        { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' },
        '2026-03-04T19:00:00.000Z',
        SCHEDULER,
      ),
    ];
    const missed = [
      ...warned,
      event('DeadlineMissed', { milestone: 'sign', version: 1, dueAt: '2026-03-05T01:00:00.000Z' }, '2026-03-05T01:00:00.000Z', SCHEDULER),
    ];

    it('record the warned and missed versions', () => {
      expect(deadline(fold(warned), 'sign')).toMatchObject({ warnedVersion: 1 });
      expect(deadline(fold(missed), 'sign')).toMatchObject({ warnedVersion: 1, missedVersion: 1 });
    });

    it('count as events but not as commands', () => {
      expect(fold(missed)).toMatchObject({ lastCommandAt: DISPATCHED_AT, eventCount: hotlineHistory.dispatched.length + 2 });
    });

    it('are forgotten with the version they were about when the deadline restarts', () => {
      const restartedAt = '2026-03-06T01:00:00.000Z';
      const state = fold([
        ...missed,
        event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, '2026-03-05T05:00:00.000Z'),
        event('CaseDispatched', { unit: 'unit-urban-management' }, restartedAt),
        deadlineSet('sign', restartedAt, '2026-03-07T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);

      // The return ended the first episode unreached; the re-dispatch started the second.
      expect(deadline(state, 'sign')).toEqual({
        milestone: 'sign',
        version: 2,
        startedAt: restartedAt,
        dueAt: '2026-03-07T01:00:00.000Z',
        provisional: false,
        extensionsApproved: 0,
        episode: 2,
        custody: [{ from: restartedAt, unit: 'unit-urban-management' }],
        earlierEpisodes: [
          {
            episode: 1,
            startedAt: DISPATCHED_AT,
            dueAt: '2026-03-05T01:00:00.000Z',
            provisional: false,
            custody: [{ from: DISPATCHED_AT, unit: UNIT_A }],
            endedAt: '2026-03-05T05:00:00.000Z',
            endedBy: 'return',
          },
        ],
      });
    });
  });

  it('counts approved extensions across versions', () => {
    const state = fold([
      ...petitionHistory.in_progress,
      deadlineSet('reply', ACCEPTED_AT, '2026-06-01T01:00:00.000Z', { version: 2, cause: 'extended', at: NOW, actor: SUPERVISOR }),
    ]);

    expect(deadline(state, 'reply')).toMatchObject({ version: 2, dueAt: '2026-06-01T01:00:00.000Z', extensionsApproved: 1 });
  });

  it('keeps the first reach of a milestone: closing after an unsatisfied call-back does not move it', () => {
    const state = fold([
      ...hotlineHistory.resolved,
      event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, REVIEWED_AT),
      event('CaseClosed', { note: '市民坚持不满意，经研究结案', by: 'close' }, NOW),
    ]);

    expect(deadline(state, 'callback')?.reachedAt).toBe(REVIEWED_AT);
    expect(state.closedAt).toBe(NOW);
  });

  it('reaches the hotline milestones in order: sign, resolve, call-back', () => {
    const state = fold(hotlineHistory.closed);

    expect(state.deadlines.map(({ milestone, reachedAt }) => [milestone, reachedAt])).toEqual([
      ['sign', SIGNED_AT],
      ['resolve', RESOLVED_AT],
      ['callback', REVIEWED_AT],
    ]);
  });

  it('forgets the resolution on a reopen, keeping the reviews', () => {
    const state = fold([
      ...hotlineHistory.resolved,
      event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, REVIEWED_AT),
      event('CaseReopened', { reason: '重办' }, NOW),
    ]);

    expect(state).toMatchObject({ status: 'in_progress', reviews: [{ satisfaction: 'unsatisfied' }] });
    expect(state).not.toHaveProperty('resolution');
  });

  it('refuses a stream that does not start with an intake', () => {
    expect(() => foldCase([event('CaseAccepted', {}, ACCEPTED_AT)])).toThrow(
      "A case stream must start with an intake event, not 'CaseAccepted'",
    );
  });

  it('refuses a second intake on the same stream', () => {
    expect(() => foldCase([...petitionHistory.registered, hotlineTicketReceived()])).toThrow(
      `Case ${CASE_ID} already has an intake event; cannot apply 'HotlineTicketReceived'`,
    );
  });
});

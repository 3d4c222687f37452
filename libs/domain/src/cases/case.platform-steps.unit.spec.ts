import { IllegalTransitionError } from '../shared/errors';
import type { Actor } from '../shared/actor';
import type { OpenedCase } from './case.state';
import {
  DESK,
  DISPATCHED_AT,
  event,
  hotlineHistory,
  hotlineTicketReceived,
  NOW,
  petitionHistory,
  RESOLVED_AT,
  SIGNED_AT,
  SUPERVISOR,
  UNIT_A,
  UNIT_A_USER,
} from './testing/case-fixtures';
import { given } from './testing/decider-spec';

/** How the Kafka intake records the 12345 platform's own steps (催办, 撤单). */
const PLATFORM: Actor = { id: '12345-platform', role: 'system' };
const URGED_AT = '2026-03-06T02:00:00.000Z';
const WITHDRAWN_AT = '2026-03-07T02:00:00.000Z';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

describe('urge (催办)', () => {
  it('records the platform urging a dispatched ticket, and changes neither status nor deadlines', () => {
    const before = given(hotlineHistory.dispatched);
    const state = opened(
      before
        .when({ type: 'urge', note: '市民再次来电' }, { occurredAt: URGED_AT, recordedAt: NOW, actor: PLATFORM })
        .then([event('CaseUrged', { note: '市民再次来电' }, URGED_AT, PLATFORM)]),
    );
    expect(state.status).toBe('dispatched');
    expect(state.urges).toEqual([{ note: '市民再次来电', urgedAt: URGED_AT }]);
    expect(state.deadlines.map((deadline) => [deadline.milestone, deadline.dueAt, deadline.endedAt])).toEqual([
      ['sign', '2026-03-05T01:00:00.000Z', undefined],
      ['resolve', '2026-03-09T01:00:00.000Z', undefined],
    ]);
  });

  it('counts every urge, oldest first; a case never urged has no urges at all', () => {
    const history = [
      ...hotlineHistory.in_progress,
      event('CaseUrged', {}, '2026-03-05T02:00:00.000Z', PLATFORM),
      event('CaseUrged', { note: '第二次催办' }, URGED_AT, PLATFORM),
    ];
    const state = opened(
      given(history)
        .when({ type: 'urge' }, { occurredAt: NOW, actor: PLATFORM })
        .then([event('CaseUrged', {}, NOW, PLATFORM)]),
    );
    expect(state.urges?.map((urge) => urge.urgedAt)).toEqual(['2026-03-05T02:00:00.000Z', URGED_AT, NOW]);
    expect(
      opened(
        given(hotlineHistory.dispatched)
          .when({ type: 'note', text: '-' })
          .then([event('NoteAdded', { text: '-', internal: false }, NOW)]),
      ).urges,
    ).toBeUndefined();
  });

  it('lets the desk record an urge the platform made by phone', () => {
    given(hotlineHistory.accepted)
      .when({ type: 'urge' }, { actor: DESK })
      .then([event('CaseUrged', {}, NOW, DESK)]);
  });

  it('refuses a handling unit: an urge is addressed to it, not recorded by it', () => {
    given(hotlineHistory.in_progress).when({ type: 'urge' }, { actor: UNIT_A_USER }).thenThrows('CASE.FORBIDDEN');
  });

  it('refuses an urge on a closed ticket and on a petition', () => {
    given(hotlineHistory.closed).when({ type: 'urge' }, { actor: PLATFORM }).thenThrows(IllegalTransitionError);
    given(petitionHistory.accepted).when({ type: 'urge' }, { actor: PLATFORM }).thenThrows('CASE.INVALID_COMMAND', 'only hotlines');
  });

  it('refuses an empty note', () => {
    given(hotlineHistory.dispatched).when({ type: 'urge', note: '  ' }, { actor: PLATFORM }).thenThrows('CASE.INVALID_COMMAND', 'note');
  });
});

describe('withdraw (撤单)', () => {
  it('withdraws a ticket in progress with its reason; the unit stays on record', () => {
    const state = opened(
      given(hotlineHistory.in_progress)
        .when({ type: 'withdraw', reason: '市民撤回诉求' }, { occurredAt: WITHDRAWN_AT, recordedAt: NOW, actor: PLATFORM })
        .then([event('CaseWithdrawn', { reason: '市民撤回诉求' }, WITHDRAWN_AT, PLATFORM)]),
    );
    expect(state).toMatchObject({ status: 'withdrawn', unit: UNIT_A, withdrawal: { reason: '市民撤回诉求', withdrawnAt: WITHDRAWN_AT } });
  });

  it('ends every running deadline episode at the withdrawal; reached ones stay reached', () => {
    const state = opened(
      given(hotlineHistory.in_progress)
        .when({ type: 'withdraw', reason: '重复工单' }, { occurredAt: WITHDRAWN_AT, recordedAt: NOW, actor: PLATFORM })
        .then([event('CaseWithdrawn', { reason: '重复工单' }, WITHDRAWN_AT, PLATFORM)]),
    );
    const sign = state.deadlines.find((deadline) => deadline.milestone === 'sign');
    const resolve = state.deadlines.find((deadline) => deadline.milestone === 'resolve');
    expect(sign).toMatchObject({ reachedAt: SIGNED_AT });
    expect(sign?.endedAt).toBeUndefined();
    expect(resolve).toMatchObject({ endedAt: WITHDRAWN_AT, endedBy: 'withdrawal' });
    expect(resolve?.reachedAt).toBeUndefined();
  });

  it('withdraws a resolved ticket: its resolution stays and the call-back is no longer owed', () => {
    const state = opened(
      given(hotlineHistory.resolved)
        .when({ type: 'withdraw', reason: '市民撤回诉求' }, { occurredAt: NOW, actor: PLATFORM })
        .then([event('CaseWithdrawn', { reason: '市民撤回诉求' }, NOW, PLATFORM)]),
    );
    expect(state.resolution).toMatchObject({ kind: 'hotline', resolvedAt: RESOLVED_AT });
    expect(state.deadlines.find((deadline) => deadline.milestone === 'callback')).toMatchObject({ endedAt: NOW, endedBy: 'withdrawal' });
  });

  it('withdraws a ticket not yet dispatched: no unit, no deadline', () => {
    const state = opened(
      given(hotlineHistory.accepted)
        .when({ type: 'withdraw', reason: '平台已直接答复' }, { occurredAt: DISPATCHED_AT, actor: PLATFORM })
        .then([event('CaseWithdrawn', { reason: '平台已直接答复' }, DISPATCHED_AT, PLATFORM)]),
    );
    expect(state.status).toBe('withdrawn');
    expect(state.unit).toBeUndefined();
  });

  it('is terminal: nothing runs on a withdrawn ticket, not even another withdrawal', () => {
    const withdrawn = [...hotlineHistory.dispatched, event('CaseWithdrawn', { reason: '重复工单' }, WITHDRAWN_AT, PLATFORM)];
    given(withdrawn).when({ type: 'withdraw', reason: '重复工单' }, { actor: PLATFORM }).thenThrows(IllegalTransitionError);
    given(withdrawn).when({ type: 'sign' }, { actor: UNIT_A_USER }).thenThrows(IllegalTransitionError);
    given(withdrawn).when({ type: 'urge' }, { actor: PLATFORM }).thenThrows(IllegalTransitionError);
  });

  it('lets a supervisor record a withdrawal, but not the desk nor the unit', () => {
    given(hotlineHistory.dispatched)
      .when({ type: 'withdraw', reason: '平台书面通知撤单' }, { actor: SUPERVISOR })
      .then([event('CaseWithdrawn', { reason: '平台书面通知撤单' }, NOW, SUPERVISOR)]);
    given(hotlineHistory.dispatched).when({ type: 'withdraw', reason: '-' }, { actor: DESK }).thenThrows('CASE.FORBIDDEN');
    given(hotlineHistory.dispatched).when({ type: 'withdraw', reason: '-' }, { actor: UNIT_A_USER }).thenThrows('CASE.FORBIDDEN');
  });

  it('needs a reason, and applies to hotline tickets only', () => {
    given(hotlineHistory.dispatched)
      .when({ type: 'withdraw', reason: ' ' }, { actor: PLATFORM })
      .thenThrows('CASE.INVALID_COMMAND', 'reason');
    given(petitionHistory.accepted).when({ type: 'withdraw', reason: '撤回' }, { actor: PLATFORM }).thenThrows('CASE.INVALID_COMMAND');
  });
});

describe("back-dating by the platform's system actor", () => {
  const TEN_DAYS_AGO = '2026-03-02T01:00:00.000Z';

  it("records a platform step at the platform's own time, however long ago", () => {
    given(hotlineHistory.accepted)
      .when({ type: 'urge' }, { occurredAt: TEN_DAYS_AGO, recordedAt: '2026-03-12T01:00:00.000Z', actor: PLATFORM })
      .then([event('CaseUrged', {}, TEN_DAYS_AGO, PLATFORM)]);
  });

  it('registers a ticket the platform dispatched more than the back-dating window ago, at its dispatch time', () => {
    const ticket = hotlineTicketReceived();
    const { caseId, orgId, number, title, description, community, platformTicketNo, urgency } = ticket.data;
    given([])
      .when(
        { type: 'receive-hotline-ticket', caseId, orgId, number, title, description, community, platformTicketNo, urgency },
        { occurredAt: TEN_DAYS_AGO, recordedAt: '2026-03-12T01:00:00.000Z', actor: PLATFORM },
      )
      .then([{ type: 'HotlineTicketReceived', data: ticket.data, occurredAt: TEN_DAYS_AGO, actor: PLATFORM }]);
  });

  it('still refuses a user back-dating beyond the window without the role', () => {
    given(hotlineHistory.accepted)
      .when({ type: 'urge' }, { occurredAt: TEN_DAYS_AGO, recordedAt: '2026-03-12T01:00:00.000Z', actor: DESK })
      .thenThrows('CASE.FORBIDDEN', 'Back-dating');
  });
});

import { IllegalTransitionError } from '../shared/errors';
import type { LifecycleCommand } from './case.commands';
import type { CaseEvent } from './case.events';
import type { OpenedCase } from './case.state';
import {
  ACCEPTED_AT,
  ADMIN,
  deadlineSet,
  DISPATCHED_AT,
  disputeHistory,
  event,
  hotlineHistory,
  hotlineTicketReceived,
  NOW,
  petitionHistory,
  RESOLVED_AT,
  REVIEWED_AT,
  UNIT_A,
  UNIT_A_USER,
  UNIT_B,
  UNIT_B_USER,
} from './testing/case-fixtures';
import { given } from './testing/decider-spec';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

function deadlineOf(state: unknown, milestone: string) {
  return opened(state).deadlines.find((deadline) => deadline.milestone === milestone);
}

describe('accept and reject (registered)', () => {
  it('accepts a petition and starts its reply deadline', () => {
    const state = given(petitionHistory.registered)
      .when({ type: 'accept', note: '属于本级受理范围' }, { occurredAt: ACCEPTED_AT })
      .then([
        event('CaseAccepted', { note: '属于本级受理范围' }, ACCEPTED_AT),
        deadlineSet('reply', ACCEPTED_AT, '2026-05-02T01:00:00.000Z'),
      ]);

    expect(opened(state).status).toBe('accepted');
    expect(deadlineOf(state, 'acceptance')?.reachedAt).toBe(ACCEPTED_AT);
  });

  it('flags a deadline provisional when the policy says the calendar does not reach it yet', () => {
    const acceptedLate = '2026-11-20T01:00:00.000Z';
    given(petitionHistory.registered)
      .when({ type: 'accept' }, { occurredAt: acceptedLate })
      .then([
        event('CaseAccepted', {}, acceptedLate),
        deadlineSet('reply', acceptedLate, '2027-01-19T01:00:00.000Z', { provisional: true }),
      ]);
  });

  it('accepts a dispute and starts its mediation deadline', () => {
    given(disputeHistory.registered)
      .when({ type: 'accept' }, { occurredAt: ACCEPTED_AT })
      .then([event('CaseAccepted', {}, ACCEPTED_AT), deadlineSet('mediation', ACCEPTED_AT, '2026-04-02T01:00:00.000Z')]);
  });

  it.each([
    ['petition', petitionHistory.registered],
    ['dispute', disputeHistory.registered],
  ])('rejects a %s with a reason and the body it was referred to', (_kind, history) => {
    const state = given(history)
      .when({ type: 'reject', reason: '属于诉讼事项', referredTo: '雁塔区人民法院' }, { occurredAt: ACCEPTED_AT })
      .then([event('CaseRejected', { reason: '属于诉讼事项', referredTo: '雁塔区人民法院' }, ACCEPTED_AT)]);

    expect(opened(state)).toMatchObject({
      status: 'rejected',
      rejection: { reason: '属于诉讼事项', referredTo: '雁塔区人民法院', rejectedAt: ACCEPTED_AT },
    });
  });

  it('marks the petition acceptance milestone reached by a rejection too', () => {
    const state = given(petitionHistory.registered)
      .when({ type: 'reject', reason: '不属于信访事项' }, { occurredAt: ACCEPTED_AT })
      .then([event('CaseRejected', { reason: '不属于信访事项' }, ACCEPTED_AT)]);

    expect(deadlineOf(state, 'acceptance')?.reachedAt).toBe(ACCEPTED_AT);
  });

  it('refuses a rejection without a reason', () => {
    given(petitionHistory.registered).when({ type: 'reject', reason: '  ' }).thenThrows('CASE.INVALID_COMMAND', 'reason is required');
  });
});

describe('dispatch (accepted → dispatched)', () => {
  it.each([
    ['petition', petitionHistory.accepted],
    ['dispute', disputeHistory.accepted],
  ])('dispatches a %s to a unit without a deadline of its own', (_kind, history) => {
    const state = given(history)
      .when({ type: 'dispatch', unit: UNIT_A, instructions: '三日内上门核实' }, { occurredAt: DISPATCHED_AT })
      .then([event('CaseDispatched', { unit: UNIT_A, instructions: '三日内上门核实' }, DISPATCHED_AT)]);

    expect(opened(state)).toMatchObject({ status: 'dispatched', unit: UNIT_A, dispatchedAt: DISPATCHED_AT });
  });

  it('dispatches a hotline ticket and starts its sign and resolve deadlines', () => {
    given(hotlineHistory.accepted)
      .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: DISPATCHED_AT })
      .then([
        event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT),
        deadlineSet('sign', DISPATCHED_AT, '2026-03-05T01:00:00.000Z'),
        deadlineSet('resolve', DISPATCHED_AT, '2026-03-09T01:00:00.000Z'),
      ]);
  });

  it("takes the resolve deadline from the platform's deadline when the ticket has one", () => {
    given([hotlineTicketReceived({ platformDeadline: '2026-03-08T10:00:00.000Z' })])
      .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: DISPATCHED_AT })
      .then([
        event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT),
        deadlineSet('sign', DISPATCHED_AT, '2026-03-05T01:00:00.000Z'),
        deadlineSet('resolve', DISPATCHED_AT, '2026-03-08T10:00:00.000Z'),
      ]);
  });

  it('asks the policy with the urgency of the ticket', () => {
    given([hotlineTicketReceived({ urgency: 'urgent' })])
      .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: DISPATCHED_AT })
      .then([
        event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT),
        deadlineSet('sign', DISPATCHED_AT, '2026-03-05T01:00:00.000Z'),
        deadlineSet('resolve', DISPATCHED_AT, '2026-03-05T01:00:00.000Z'),
      ]);
  });

  it('restarts the hotline deadlines as new versions on a re-dispatch after a return', () => {
    const returnedAt = '2026-03-05T01:00:00.000Z';
    const redispatchedAt = '2026-03-05T06:00:00.000Z';
    const state = given([
      ...hotlineHistory.dispatched,
      event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, returnedAt, UNIT_A_USER),
    ])
      .when({ type: 'dispatch', unit: UNIT_B }, { occurredAt: redispatchedAt })
      .then([
        event('CaseDispatched', { unit: UNIT_B }, redispatchedAt),
        deadlineSet('sign', redispatchedAt, '2026-03-06T06:00:00.000Z', { version: 2, cause: 'restarted' }),
        deadlineSet('resolve', redispatchedAt, '2026-03-10T06:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);

    expect(opened(state).unit).toBe(UNIT_B);
  });

  it('refuses a dispatch without a unit', () => {
    given(petitionHistory.accepted).when({ type: 'dispatch', unit: '' }).thenThrows('CASE.INVALID_COMMAND', 'unit is required');
  });
});

describe('sign (dispatched → in_progress)', () => {
  const signedAt = '2026-03-04T06:00:00.000Z';

  it.each([
    ['petition', petitionHistory.dispatched],
    ['hotline', hotlineHistory.dispatched],
    ['dispute', disputeHistory.dispatched],
  ])('the handling unit signs for a %s', (_kind, history) => {
    const state = given(history)
      .when({ type: 'sign' }, { occurredAt: signedAt, actor: UNIT_A_USER })
      .then([event('CaseSigned', { unit: UNIT_A }, signedAt, UNIT_A_USER)]);

    expect(opened(state).status).toBe('in_progress');
  });

  it('marks the hotline sign milestone reached', () => {
    const state = given(hotlineHistory.dispatched)
      .when({ type: 'sign' }, { occurredAt: signedAt, actor: UNIT_A_USER })
      .then([event('CaseSigned', { unit: UNIT_A }, signedAt, UNIT_A_USER)]);

    expect(deadlineOf(state, 'sign')?.reachedAt).toBe(signedAt);
  });

  it('refuses a sign by another unit', () => {
    given(petitionHistory.dispatched)
      .when({ type: 'sign' }, { actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', `Unit '${UNIT_B}' is not the handling unit`);
  });

  it('lets the desk sign on behalf of the unit', () => {
    given(petitionHistory.dispatched)
      .when({ type: 'sign' }, { occurredAt: signedAt })
      .then([event('CaseSigned', { unit: UNIT_A }, signedAt)]);
  });
});

describe('return (dispatched | in_progress → accepted)', () => {
  const insideWindow = '2026-03-05T01:00:00.000Z';

  it.each([
    ['dispatched petition', petitionHistory.dispatched],
    ['petition in progress', petitionHistory.in_progress],
    ['dispatched hotline ticket', hotlineHistory.dispatched],
    ['hotline ticket in progress', hotlineHistory.in_progress],
  ])('returns a %s inside the window, clearing the unit', (_label, history) => {
    const state = given(history)
      .when({ type: 'return', reason: '不属于本单位职责' }, { occurredAt: insideWindow, actor: UNIT_A_USER })
      .then([event('CaseReturned', { unit: UNIT_A, reason: '不属于本单位职责' }, insideWindow, UNIT_A_USER)]);

    expect(opened(state).status).toBe('accepted');
    expect(opened(state).unit).toBeUndefined();
    expect(opened(state).dispatchedAt).toBeUndefined();
  });

  it('refuses a return after the window, naming the window end', () => {
    given(hotlineHistory.in_progress)
      .when({ type: 'return', reason: '不属于本单位职责' }, { occurredAt: NOW, actor: UNIT_A_USER })
      .thenThrows('CASE.INVALID_COMMAND', 'the return window ended at 2026-03-06T01:00:00.000Z');
  });

  it('allows a return at the very end of the window', () => {
    const windowEnd = '2026-03-06T01:00:00.000Z';
    given(hotlineHistory.in_progress)
      .when({ type: 'return', reason: '不属于本单位职责' }, { occurredAt: windowEnd, actor: UNIT_A_USER })
      .then([event('CaseReturned', { unit: UNIT_A, reason: '不属于本单位职责' }, windowEnd, UNIT_A_USER)]);
  });

  it('counts the window from the latest dispatch', () => {
    const redispatchedAt = '2026-03-07T01:00:00.000Z';
    const returnedAgainAt = '2026-03-08T01:00:00.000Z';
    given([
      ...hotlineHistory.dispatched,
      event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, '2026-03-05T01:00:00.000Z', UNIT_A_USER),
      event('CaseDispatched', { unit: UNIT_B }, redispatchedAt),
      deadlineSet('sign', redispatchedAt, '2026-03-08T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      deadlineSet('resolve', redispatchedAt, '2026-03-12T01:00:00.000Z', { version: 2, cause: 'restarted' }),
    ])
      .when({ type: 'return', reason: '同样不属于本单位' }, { occurredAt: returnedAgainAt, actor: UNIT_B_USER })
      .then([event('CaseReturned', { unit: UNIT_B, reason: '同样不属于本单位' }, returnedAgainAt, UNIT_B_USER)]);
  });

  it('allows a return at any time when the policy has no return window for the kind', () => {
    given(disputeHistory.in_progress)
      .when({ type: 'return', reason: '需要司法所介入' }, { actor: UNIT_A_USER })
      .then([event('CaseReturned', { unit: UNIT_A, reason: '需要司法所介入' }, NOW, UNIT_A_USER)]);
  });

  it('refuses a return without a reason', () => {
    given(petitionHistory.dispatched)
      .when({ type: 'return', reason: '' }, { occurredAt: insideWindow, actor: UNIT_A_USER })
      .thenThrows('CASE.INVALID_COMMAND', 'reason is required');
  });

  it('refuses a return by another unit', () => {
    given(petitionHistory.dispatched)
      .when({ type: 'return', reason: '不属于本单位职责' }, { occurredAt: insideWindow, actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', 'is not the handling unit');
  });
});

describe('resolve (in_progress → resolved)', () => {
  it('resolves a petition with an outcome and a reply, reaching the reply milestone', () => {
    const state = given(petitionHistory.in_progress)
      .when({ type: 'resolve', outcome: 'partially-supported', reply: '部分支持' }, { occurredAt: RESOLVED_AT, actor: UNIT_A_USER })
      .then([event('CaseResolved', { kind: 'petition', outcome: 'partially-supported', reply: '部分支持' }, RESOLVED_AT, UNIT_A_USER)]);

    expect(opened(state).status).toBe('resolved');
    expect(deadlineOf(state, 'reply')?.reachedAt).toBe(RESOLVED_AT);
  });

  it('resolves a hotline ticket and starts its call-back deadline', () => {
    const state = given(hotlineHistory.in_progress)
      .when({ type: 'resolve', reply: '已责令停止夜间施工' }, { occurredAt: RESOLVED_AT, actor: UNIT_A_USER })
      .then([
        event('CaseResolved', { kind: 'hotline', reply: '已责令停止夜间施工' }, RESOLVED_AT, UNIT_A_USER),
        deadlineSet('callback', RESOLVED_AT, '2026-03-12T01:00:00.000Z', { actor: UNIT_A_USER }),
      ]);

    expect(deadlineOf(state, 'resolve')?.reachedAt).toBe(RESOLVED_AT);
  });

  it('resolves a dispute by a successful mediation with its agreement, reaching the mediation milestone', () => {
    const state = given(disputeHistory.in_progress)
      .when(
        { type: 'resolve', outcome: 'mediated', mediationType: 'people', agreement: '楼上住户承担维修费用' },
        { occurredAt: RESOLVED_AT, actor: UNIT_A_USER },
      )
      .then([
        event(
          'CaseResolved',
          { kind: 'dispute', outcome: 'mediated', mediationType: 'people', agreement: '楼上住户承担维修费用' },
          RESOLVED_AT,
          UNIT_A_USER,
        ),
      ]);

    expect(deadlineOf(state, 'mediation')?.reachedAt).toBe(RESOLVED_AT);
  });

  it('resolves a dispute by a failed mediation with its referral', () => {
    given(disputeHistory.in_progress)
      .when(
        { type: 'resolve', outcome: 'failed', mediationType: 'joint', referral: 'litigation' },
        { occurredAt: RESOLVED_AT, actor: UNIT_A_USER },
      )
      .then([
        event(
          'CaseResolved',
          { kind: 'dispute', outcome: 'failed', mediationType: 'joint', referral: 'litigation' },
          RESOLVED_AT,
          UNIT_A_USER,
        ),
      ]);
  });

  it.each<[string, OpenedCase['kind'], LifecycleCommand, string]>([
    ['petition outcome not in the list', 'petition', { type: 'resolve', outcome: 'mediated', reply: '答复' }, 'outcome must be one of'],
    ['petition without reply', 'petition', { type: 'resolve', outcome: 'supported' }, 'reply is required'],
    [
      'petition with mediation fields',
      'petition',
      { type: 'resolve', outcome: 'supported', reply: '答复', mediationType: 'people' },
      'mediationType do not apply to a petition reply',
    ],
    ['hotline without reply', 'hotline', { type: 'resolve' }, 'reply is required'],
    [
      'hotline with an outcome',
      'hotline',
      { type: 'resolve', reply: '已处理', outcome: 'supported' },
      'outcome do not apply to a hotline reply',
    ],
    [
      'dispute with a petition outcome',
      'dispute',
      { type: 'resolve', outcome: 'supported', mediationType: 'people' },
      'outcome must be one of mediated, failed',
    ],
    ['dispute without mediation type', 'dispute', { type: 'resolve', outcome: 'mediated' }, 'mediationType must be one of'],
    [
      'failed mediation without referral',
      'dispute',
      { type: 'resolve', outcome: 'failed', mediationType: 'people' },
      'referral is required',
    ],
    [
      'failed mediation with an agreement',
      'dispute',
      { type: 'resolve', outcome: 'failed', mediationType: 'people', referral: 'arbitration', agreement: '协议' },
      'agreement do not apply to a failed mediation',
    ],
    [
      'successful mediation with a referral',
      'dispute',
      { type: 'resolve', outcome: 'mediated', mediationType: 'people', referral: 'litigation' },
      'referral do not apply to a successful mediation',
    ],
    [
      'dispute with a reply',
      'dispute',
      { type: 'resolve', outcome: 'mediated', mediationType: 'people', reply: '答复' },
      'reply do not apply to a mediation outcome',
    ],
  ])('refuses a body of the wrong shape: %s', (_label, kind, command, message) => {
    const history = { petition: petitionHistory, hotline: hotlineHistory, dispute: disputeHistory }[kind].in_progress;
    given(history).when(command, { actor: UNIT_A_USER }).thenThrows('CASE.INVALID_COMMAND', message);
  });

  it('refuses a resolution by another unit', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'resolve', outcome: 'supported', reply: '答复' }, { actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', 'is not the handling unit');
  });
});

describe('review (resolved)', () => {
  it.each(['satisfied', 'basically-satisfied'] as const)('closes a hotline ticket on a %s call-back', (satisfaction) => {
    const state = given(hotlineHistory.resolved)
      .when({ type: 'review', satisfaction, solved: true, note: '市民认可' }, { occurredAt: REVIEWED_AT })
      .then([
        event('CaseReviewed', { satisfaction, solved: true, note: '市民认可' }, REVIEWED_AT),
        event('CaseClosed', { by: 'review' }, REVIEWED_AT),
      ]);

    expect(opened(state)).toMatchObject({ status: 'closed', closedAt: REVIEWED_AT });
    expect(deadlineOf(state, 'callback')?.reachedAt).toBe(REVIEWED_AT);
  });

  it('leaves a hotline ticket resolved after an unsatisfied call-back, the call-back done', () => {
    const state = given(hotlineHistory.resolved)
      .when({ type: 'review', satisfaction: 'unsatisfied', solved: false }, { occurredAt: REVIEWED_AT })
      .then([event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, REVIEWED_AT)]);

    expect(opened(state).status).toBe('resolved');
    expect(opened(state).reviews).toEqual([{ satisfaction: 'unsatisfied', solved: false, reviewedAt: REVIEWED_AT }]);
    expect(deadlineOf(state, 'callback')?.reachedAt).toBe(REVIEWED_AT);
  });

  it('refuses a hotline call-back without satisfaction', () => {
    given(hotlineHistory.resolved).when({ type: 'review', solved: true }).thenThrows('CASE.INVALID_COMMAND', 'satisfaction must be one of');
  });

  it('refuses a hotline call-back without saying whether the problem was solved', () => {
    given(hotlineHistory.resolved)
      .when({ type: 'review', satisfaction: 'satisfied' })
      .thenThrows('CASE.INVALID_COMMAND', 'solved must be true or false');
  });

  it.each([
    ['petition', petitionHistory.resolved],
    ['dispute', disputeHistory.resolved],
  ])('closes a %s on its follow-up visit', (_kind, history) => {
    const state = given(history)
      .when({ type: 'review', note: '当事人表示满意' }, { occurredAt: REVIEWED_AT })
      .then([event('CaseReviewed', { note: '当事人表示满意' }, REVIEWED_AT), event('CaseClosed', { by: 'review' }, REVIEWED_AT)]);

    expect(opened(state).status).toBe('closed');
  });

  it('refuses a satisfaction grade on a petition follow-up', () => {
    given(petitionHistory.resolved)
      .when({ type: 'review', satisfaction: 'satisfied', solved: true })
      .thenThrows('CASE.INVALID_COMMAND', 'satisfaction, solved do not apply to a petition follow-up');
  });
});

describe('reopen (resolved → in_progress)', () => {
  const unsatisfiedHotline: CaseEvent[] = [
    ...hotlineHistory.resolved,
    event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, REVIEWED_AT),
  ];

  it('reopens an unsatisfied hotline ticket with the same unit and a fresh resolve deadline', () => {
    const state = given(unsatisfiedHotline)
      .when({ type: 'reopen', reason: '市民反映仍有夜间施工' })
      .then([
        event('CaseReopened', { reason: '市民反映仍有夜间施工' }, NOW),
        deadlineSet('resolve', NOW, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);

    expect(opened(state)).toMatchObject({ status: 'in_progress', unit: UNIT_A });
    expect(opened(state).resolution).toBeUndefined();
    // The first resolve episode, reached, is kept: it still counts (docs/timeliness-rules.md).
    expect(deadlineOf(state, 'resolve')).toEqual({
      milestone: 'resolve',
      version: 2,
      startedAt: NOW,
      dueAt: '2026-03-17T01:00:00.000Z',
      provisional: false,
      extensionsApproved: 0,
      episode: 2,
      custody: [{ from: NOW, unit: UNIT_A }],
      earlierEpisodes: [
        {
          episode: 1,
          startedAt: DISPATCHED_AT,
          dueAt: '2026-03-09T01:00:00.000Z',
          provisional: false,
          reachedAt: RESOLVED_AT,
          custody: [{ from: DISPATCHED_AT, unit: UNIT_A }],
        },
      ],
    });
  });

  it("counts from the reopen, not from the platform's original deadline", () => {
    const [, ...afterIntake] = unsatisfiedHotline;
    given([hotlineTicketReceived({ platformDeadline: '2026-03-09T10:00:00.000Z' }), ...afterIntake])
      .when({ type: 'reopen', reason: '重办' })
      .then([
        event('CaseReopened', { reason: '重办' }, NOW),
        deadlineSet('resolve', NOW, '2026-03-17T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);
  });

  it('reopens a petition with a fresh reply deadline', () => {
    given(petitionHistory.resolved)
      .when({ type: 'reopen', reason: '答复未解决实际问题' })
      .then([
        event('CaseReopened', { reason: '答复未解决实际问题' }, NOW),
        deadlineSet('reply', NOW, '2026-05-11T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);
  });

  it('reopens a dispute with a fresh mediation deadline', () => {
    given(disputeHistory.resolved)
      .when({ type: 'reopen', reason: '协议未履行' })
      .then([
        event('CaseReopened', { reason: '协议未履行' }, NOW),
        deadlineSet('mediation', NOW, '2026-04-11T01:00:00.000Z', { version: 2, cause: 'restarted' }),
      ]);
  });

  it('refuses a reopen without a reason', () => {
    given(unsatisfiedHotline).when({ type: 'reopen', reason: '' }).thenThrows('CASE.INVALID_COMMAND', 'reason is required');
  });
});

describe('close (resolved → closed)', () => {
  it.each([
    ['petition', petitionHistory.resolved],
    ['hotline', hotlineHistory.resolved],
    ['dispute', disputeHistory.resolved],
  ])('closes a resolved %s that cannot be reviewed', (_kind, history) => {
    const state = given(history)
      .when({ type: 'close', note: '多次联系不上当事人' })
      .then([event('CaseClosed', { note: '多次联系不上当事人', by: 'close' }, NOW)]);

    expect(opened(state)).toMatchObject({ status: 'closed', closedAt: NOW });
  });

  it('ends the hotline call-back milestone when closing without a review', () => {
    const state = given(hotlineHistory.resolved)
      .when({ type: 'close' })
      .then([event('CaseClosed', { by: 'close' }, NOW)]);

    expect(deadlineOf(state, 'callback')?.reachedAt).toBe(NOW);
  });
});

describe('commands refused in the wrong state', () => {
  const validBodies: Record<string, LifecycleCommand> = {
    accept: { type: 'accept' },
    reject: { type: 'reject', reason: '不属于信访事项' },
    dispatch: { type: 'dispatch', unit: UNIT_A },
    sign: { type: 'sign' },
    return: { type: 'return', reason: '不属于本单位职责' },
    resolve: { type: 'resolve', outcome: 'supported', reply: '答复' },
    review: { type: 'review' },
    reopen: { type: 'reopen', reason: '重办' },
    close: { type: 'close' },
    'request-reexamination': { type: 'request-reexamination', reason: '不服' },
    'decide-reexamination': { type: 'decide-reexamination', decision: 'upheld', opinion: '维持' },
    progress: { type: 'progress', text: '已上门' },
    note: { type: 'note', text: '备注' },
    supervise: { type: 'supervise', instruction: '加快办理' },
    'answer-supervision': { type: 'answer-supervision', supervisionId: 'sup-1', answer: '已办理' },
    'request-extension': { type: 'request-extension', days: 10, reason: '需补充材料' },
    'decide-extension': { type: 'decide-extension', approved: true },
    link: { type: 'link', targetId: 'case-0002', relation: 'related' },
  };
  const overlays = ['progress', 'note', 'supervise', 'answer-supervision', 'request-extension', 'decide-extension', 'link'];
  const allOpenStates = ['registered', 'accepted', 'dispatched', 'in_progress', 'resolved', 'reexamination'];
  /** SPEC §2's table, for a petition (the kind that goes through every state). */
  const allowedFrom: Record<string, string[]> = {
    accept: ['registered'],
    reject: ['registered'],
    dispatch: ['accepted'],
    sign: ['dispatched'],
    return: ['dispatched', 'in_progress'],
    resolve: ['in_progress'],
    review: ['resolved'],
    reopen: ['resolved'],
    close: ['resolved'],
    'request-reexamination': ['resolved', 'closed'],
    'decide-reexamination': ['reexamination'],
    ...Object.fromEntries(overlays.map((overlay) => [overlay, allOpenStates])),
  };
  const refusals = Object.entries(allowedFrom).flatMap(([command, allowed]) =>
    Object.keys(petitionHistory)
      .filter((status) => !allowed.includes(status))
      .map((status) => [command, status] as const),
  );

  it.each(refusals)("refuses '%s' on a '%s' petition, naming both", (command, status) => {
    const history = petitionHistory[status as keyof typeof petitionHistory];
    const error = given(history)
      .when(validBodies[command], { actor: ADMIN })
      .thenThrows(IllegalTransitionError, `Command '${command}' is not allowed when the case is '${status}'`);

    expect(error).toMatchObject({ code: 'CASE.ILLEGAL_TRANSITION', command, state: status });
  });

  it('refuses every lifecycle command on a case that does not exist', () => {
    given([]).when({ type: 'accept' }).thenThrows('CASE.NOT_FOUND', "Command 'accept' needs an existing case");
  });
});

describe('steps reserved to the desk (SPEC §1)', () => {
  const deskSteps: [string, CaseEvent[], LifecycleCommand][] = [
    ['accept', petitionHistory.registered, { type: 'accept' }],
    ['reject', petitionHistory.registered, { type: 'reject', reason: '不属于信访事项' }],
    ['dispatch', petitionHistory.accepted, { type: 'dispatch', unit: UNIT_A }],
    ['review', hotlineHistory.resolved, { type: 'review', satisfaction: 'satisfied', solved: true }],
    ['reopen', hotlineHistory.resolved, { type: 'reopen', reason: '群众不满意' }],
    ['close', hotlineHistory.resolved, { type: 'close', note: '无法联系' }],
  ];

  it.each(deskSteps)("refuses %s by a handling unit, even the case's own", (action, history, command) => {
    given(history)
      .when(command, { actor: UNIT_A_USER })
      .thenThrows('CASE.FORBIDDEN', `Command '${action}' needs one of the roles desk, supervisor, admin`);
  });
});

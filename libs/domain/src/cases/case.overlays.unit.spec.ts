import type { CaseEvent } from './case.events';
import type { OpenedCase } from './case.state';
import {
  ACCEPTED_AT,
  ADMIN,
  CASE_ID,
  DISPATCHED_AT,
  deadlineSet,
  disputeHistory,
  event,
  hotlineHistory,
  NOW,
  OTHER_CASE_ID,
  petitionHistory,
  SUPERVISOR,
  UNIT_A,
  UNIT_A_USER,
  UNIT_B,
  UNIT_B_USER,
} from './testing/case-fixtures';
import { given } from './testing/decider-spec';
import { createTestDeadlinePolicy } from './testing/test-deadline-policy';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

const openPetitionStates = ['registered', 'accepted', 'dispatched', 'in_progress', 'resolved', 'reexamination'] as const;

describe('overlays leave the status unchanged', () => {
  it.each(openPetitionStates)('adds a note to a %s petition', (status) => {
    const state = given(petitionHistory[status])
      .when({ type: 'note', text: '当事人情绪激动，注意稳控' })
      .then([event('NoteAdded', { text: '当事人情绪激动，注意稳控', internal: false }, NOW)]);

    expect(opened(state).status).toBe(status);
  });

  it('records an internal note as internal', () => {
    given(petitionHistory.accepted)
      .when({ type: 'note', text: '仅内部可见', internal: true })
      .then([event('NoteAdded', { text: '仅内部可见', internal: true }, NOW)]);
  });
});

describe('progress', () => {
  it('the handling unit records progress', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'progress', text: '已上门走访' }, { actor: UNIT_A_USER })
      .then([event('ProgressRecorded', { text: '已上门走访' }, NOW, UNIT_A_USER)]);
  });

  it('refuses progress from another unit', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'progress', text: '已上门走访' }, { actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', 'is not the handling unit');
  });

  it('refuses progress from a unit user while no unit holds the case', () => {
    given(petitionHistory.accepted)
      .when({ type: 'progress', text: '已上门走访' }, { actor: UNIT_A_USER })
      .thenThrows('CASE.FORBIDDEN', 'is not the handling unit');
  });

  it('refuses empty progress', () => {
    given(petitionHistory.in_progress).when({ type: 'progress', text: '' }).thenThrows('CASE.INVALID_COMMAND', 'text is required');
  });
});

describe('supervision orders', () => {
  const issuedAt = '2026-03-11T01:00:00.000Z';
  const supervised: CaseEvent[] = [
    ...petitionHistory.in_progress,
    event('SupervisionIssued', { supervisionId: 'sup-1', instruction: '三日内办结' }, issuedAt, SUPERVISOR),
  ];

  it('a supervisor issues one, with a fresh id and the due date in UTC', () => {
    const state = given(petitionHistory.in_progress)
      .when({ type: 'supervise', instruction: '三日内办结', dueAt: '2026-03-15T18:00:00+08:00' }, { actor: SUPERVISOR, ids: ['sup-1'] })
      .then([
        event(
          'SupervisionIssued',
          { supervisionId: 'sup-1', instruction: '三日内办结', dueAt: '2026-03-15T10:00:00.000Z' },
          NOW,
          SUPERVISOR,
        ),
      ]);

    expect(opened(state).supervisions).toEqual([
      { supervisionId: 'sup-1', instruction: '三日内办结', dueAt: '2026-03-15T10:00:00.000Z', issuedAt: NOW, issuedBy: SUPERVISOR },
    ]);
  });

  it('an admin may issue one too', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'supervise', instruction: '加快办理' }, { actor: ADMIN, ids: ['sup-2'] })
      .then([event('SupervisionIssued', { supervisionId: 'sup-2', instruction: '加快办理' }, NOW, ADMIN)]);
  });

  it('refuses one from the desk', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'supervise', instruction: '加快办理' })
      .thenThrows('CASE.FORBIDDEN', "Command 'supervise' needs one of the roles supervisor, admin");
  });

  it('the unit answers an open order', () => {
    const state = given(supervised)
      .when({ type: 'answer-supervision', supervisionId: 'sup-1', answer: '已于当日办结' }, { actor: UNIT_A_USER })
      .then([event('SupervisionAnswered', { supervisionId: 'sup-1', answer: '已于当日办结' }, NOW, UNIT_A_USER)]);

    expect(opened(state).supervisions[0]).toMatchObject({ answer: '已于当日办结', answeredAt: NOW, answeredBy: UNIT_A_USER });
  });

  it('refuses an answer to an order that does not exist', () => {
    given(supervised)
      .when({ type: 'answer-supervision', supervisionId: 'sup-9', answer: '已办理' })
      .thenThrows('CASE.INVALID_COMMAND', 'supervision order sup-9 does not exist');
  });

  it('refuses a second answer', () => {
    given([
      ...supervised,
      event('SupervisionAnswered', { supervisionId: 'sup-1', answer: '已办理' }, '2026-03-11T05:00:00.000Z', UNIT_A_USER),
    ])
      .when({ type: 'answer-supervision', supervisionId: 'sup-1', answer: '再次答复' })
      .thenThrows('CASE.INVALID_COMMAND', 'supervision order sup-1 was already answered at 2026-03-11T05:00:00.000Z');
  });
});

describe('extensions', () => {
  const requestedAt = '2026-03-11T01:00:00.000Z';
  const pendingRequest = event(
    'ExtensionRequested',
    { requestId: 'ext-1', milestone: 'reply', days: 30, reason: '需等待鉴定结论' },
    requestedAt,
    UNIT_A_USER,
  );
  const withPendingRequest: CaseEvent[] = [...petitionHistory.in_progress, pendingRequest];
  const alreadyExtended: CaseEvent[] = [
    ...withPendingRequest,
    event('ExtensionDecided', { requestId: 'ext-1', milestone: 'reply', approved: true }, '2026-03-11T05:00:00.000Z', SUPERVISOR),
    deadlineSet('reply', ACCEPTED_AT, '2026-06-01T01:00:00.000Z', {
      version: 2,
      cause: 'extended',
      at: '2026-03-11T05:00:00.000Z',
      actor: SUPERVISOR,
    }),
  ];

  it("requests an extension of the kind's extendable milestone", () => {
    const state = given(petitionHistory.in_progress)
      .when(
        { type: 'request-extension', days: 30, reason: '需等待鉴定结论' },
        { occurredAt: requestedAt, actor: UNIT_A_USER, ids: ['ext-1'] },
      )
      .then([pendingRequest]);

    expect(opened(state).extensions).toEqual([
      { requestId: 'ext-1', milestone: 'reply', days: 30, reason: '需等待鉴定结论', requestedAt, requestedBy: UNIT_A_USER },
    ]);
  });

  it('asks the policy which milestone: resolve for a hotline ticket', () => {
    given(hotlineHistory.in_progress)
      .when({ type: 'request-extension', days: 10, reason: '需协调多部门' }, { actor: UNIT_A_USER, ids: ['ext-7'] })
      .then([
        event('ExtensionRequested', { requestId: 'ext-7', milestone: 'resolve', days: 10, reason: '需协调多部门' }, NOW, UNIT_A_USER),
      ]);
  });

  it.each([
    [0, 'days must be a whole number from 1 to 30, got 0'],
    [31, 'days must be a whole number from 1 to 30, got 31'],
    [1.5, 'days must be a whole number from 1 to 30, got 1.5'],
  ])('refuses %s days', (days, message) => {
    given(petitionHistory.in_progress)
      .when({ type: 'request-extension', days, reason: '需等待鉴定结论' })
      .thenThrows('CASE.INVALID_COMMAND', message);
  });

  it('refuses when the policy has no extendable milestone for the kind', () => {
    given(petitionHistory.in_progress)
      .when(
        { type: 'request-extension', days: 10, reason: '需等待鉴定结论' },
        { policy: createTestDeadlinePolicy({ extendableMilestone: () => null }) },
      )
      .thenThrows('CASE.INVALID_COMMAND', 'petition deadlines cannot be extended');
  });

  it('refuses when the policy allows no extension days for the milestone', () => {
    given(disputeHistory.in_progress)
      .when({ type: 'request-extension', days: 10, reason: '双方需要冷静期' })
      .thenThrows('CASE.INVALID_COMMAND', 'the mediation deadline of a dispute cannot be extended');
  });

  it('refuses when the milestone was already reached', () => {
    given(petitionHistory.resolved)
      .when({ type: 'request-extension', days: 10, reason: '需等待鉴定结论' })
      .thenThrows('CASE.INVALID_COMMAND', 'the reply deadline is not running');
  });

  it('refuses when the milestone has no deadline yet', () => {
    given(hotlineHistory.accepted)
      .when({ type: 'request-extension', days: 5, reason: '需协调多部门' })
      .thenThrows('CASE.INVALID_COMMAND', 'the resolve deadline is not running');
  });

  it('refuses a second request while one is pending', () => {
    given(withPendingRequest)
      .when({ type: 'request-extension', days: 10, reason: '再次申请' })
      .thenThrows('CASE.INVALID_COMMAND', 'extension request ext-1 is still waiting for a decision');
  });

  it('refuses beyond the number of extensions the policy allows', () => {
    given(alreadyExtended)
      .when({ type: 'request-extension', days: 10, reason: '再次申请' })
      .thenThrows('CASE.INVALID_COMMAND', 'the reply deadline was already extended 1 time(s), the most allowed is 1');
  });

  it('an approval moves the deadline as a new version counted from the same start', () => {
    const state = given(withPendingRequest)
      .when({ type: 'decide-extension', approved: true }, { actor: SUPERVISOR })
      .then([
        event('ExtensionDecided', { requestId: 'ext-1', milestone: 'reply', approved: true }, NOW, SUPERVISOR),
        deadlineSet('reply', ACCEPTED_AT, '2026-06-01T01:00:00.000Z', { version: 2, cause: 'extended', at: NOW, actor: SUPERVISOR }),
      ]);

    expect(opened(state).deadlines.find((deadline) => deadline.milestone === 'reply')).toEqual({
      milestone: 'reply',
      version: 2,
      startedAt: ACCEPTED_AT,
      dueAt: '2026-06-01T01:00:00.000Z',
      provisional: false,
      extensionsApproved: 1,
      // Approved before the deadline passed: the same episode, its deadline moved.
      episode: 1,
      custody: [{ from: ACCEPTED_AT }, { from: DISPATCHED_AT, unit: UNIT_A }],
      earlierEpisodes: [],
    });
    expect(opened(state).extensions[0].decision).toEqual({ approved: true, decidedAt: NOW, decidedBy: SUPERVISOR });
  });

  it('a refusal leaves the deadline where it was', () => {
    const state = given(withPendingRequest)
      .when({ type: 'decide-extension', approved: false, reason: '理由不充分' }, { actor: ADMIN })
      .then([event('ExtensionDecided', { requestId: 'ext-1', milestone: 'reply', approved: false, reason: '理由不充分' }, NOW, ADMIN)]);

    expect(opened(state).deadlines.find((deadline) => deadline.milestone === 'reply')?.version).toBe(1);
  });

  it.each([
    ['desk', undefined],
    ['unit', UNIT_A_USER],
  ])('refuses a decision from the %s role', (_role, actor) => {
    given(withPendingRequest)
      .when({ type: 'decide-extension', approved: true }, { actor })
      .thenThrows('CASE.FORBIDDEN', "Command 'decide-extension' needs one of the roles supervisor, admin");
  });

  it('refuses a decision when nothing is pending', () => {
    given(alreadyExtended)
      .when({ type: 'decide-extension', approved: true }, { actor: SUPERVISOR })
      .thenThrows('CASE.INVALID_COMMAND', 'there is no extension request waiting for a decision');
  });

  it('refuses to approve once the milestone was reached', () => {
    given([
      ...withPendingRequest,
      event('CaseResolved', { kind: 'petition', outcome: 'supported', reply: '答复' }, '2026-03-11T05:00:00.000Z', UNIT_A_USER),
    ])
      .when({ type: 'decide-extension', approved: true }, { actor: SUPERVISOR })
      .thenThrows('CASE.INVALID_COMMAND', 'the reply deadline is no longer running; the request can only be refused');
  });
});

describe('links', () => {
  const linked: CaseEvent[] = [
    ...petitionHistory.registered,
    event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'repeat-of' }, '2026-03-02T02:00:00.000Z'),
  ];

  it('links a repeat petition to the earlier case', () => {
    const state = given(petitionHistory.registered)
      .when({ type: 'link', targetId: OTHER_CASE_ID, relation: 'repeat-of' })
      .then([event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'repeat-of' }, NOW)]);

    expect(opened(state).links).toEqual([{ targetId: OTHER_CASE_ID, relation: 'repeat-of' }]);
  });

  it('records nothing for the same link twice', () => {
    given(linked).when({ type: 'link', targetId: OTHER_CASE_ID, relation: 'repeat-of' }).then([]);
  });

  it('records another relation to the same case', () => {
    given(linked)
      .when({ type: 'link', targetId: OTHER_CASE_ID, relation: 'related' })
      .then([event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'related' }, NOW)]);
  });

  it('refuses a link to the case itself', () => {
    given(petitionHistory.registered)
      .when({ type: 'link', targetId: CASE_ID, relation: 'related' })
      .thenThrows('CASE.INVALID_COMMAND', 'a case cannot be linked to itself');
  });

  it('refuses an unknown relation', () => {
    given(petitionHistory.registered)
      .when({ type: 'link', targetId: OTHER_CASE_ID, relation: 'parent-of' as never })
      .thenThrows('CASE.INVALID_COMMAND', 'relation must be one of repeat-of, duplicate-of, related');
  });
});

describe('overlays a handling unit may only use on its own cases', () => {
  const supervised: CaseEvent[] = [
    ...petitionHistory.in_progress,
    event('SupervisionIssued', { supervisionId: 'sup-1', instruction: '三日内办结' }, '2026-03-11T01:00:00.000Z', SUPERVISOR),
  ];

  it('refuses an extension request from another unit', () => {
    given(petitionHistory.in_progress)
      .when({ type: 'request-extension', days: 10, reason: '需要补充调查' }, { actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', `Unit '${UNIT_B}' is not the handling unit`);
  });

  it('refuses a supervision answer from another unit', () => {
    given(supervised)
      .when({ type: 'answer-supervision', supervisionId: 'sup-1', answer: '已办结' }, { actor: UNIT_B_USER })
      .thenThrows('CASE.FORBIDDEN', `Unit '${UNIT_B}' is not the handling unit`);
  });
});

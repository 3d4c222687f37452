import type { OpenedCase } from './case.state';
import {
  ACCEPTED_AT,
  ADMIN,
  deadlineSet,
  DISPATCHED_AT,
  event,
  hotlineHistory,
  NOW,
  petitionHistory,
  SCHEDULER,
  SUPERVISOR,
  UNIT_A,
  UNIT_A_USER,
} from './testing/case-fixtures';
import { given } from './testing/decider-spec';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

describe('occurredAt, the business time of a command (SPEC §2)', () => {
  it('may not lie in the future', () => {
    given(petitionHistory.registered)
      .when({ type: 'accept' }, { occurredAt: '2026-03-12T01:00:00.001Z', recordedAt: NOW })
      .thenThrows('CASE.INVALID_COMMAND', 'occurredAt is in the future: 2026-03-12T01:00:00.001Z is after 2026-03-12T01:00:00.000Z');
  });

  it('is checked before anything else, even the state', () => {
    given(petitionHistory.closed)
      .when({ type: 'accept' }, { occurredAt: '2026-03-13T01:00:00.000Z', recordedAt: NOW })
      .thenThrows('CASE.INVALID_COMMAND', 'occurredAt is in the future');
  });

  it('applies to intake too', () => {
    given([])
      .when(
        {
          type: 'register-dispute',
          caseId: 'case-0001',
          orgId: 'org-dayanta',
          number: 'JF2026-0001',
          title: '邻里漏水纠纷',
          description: '楼上漏水',
          community: '曲江社区',
          source: 'walk-in',
          parties: [{ name: '李四' }],
        },
        { occurredAt: '2026-03-13T01:00:00.000Z', recordedAt: NOW },
      )
      .thenThrows('CASE.INVALID_COMMAND', 'occurredAt is in the future');
  });

  it("may not lie before the case's previous command", () => {
    given(petitionHistory.dispatched)
      .when({ type: 'sign' }, { occurredAt: '2026-03-04T00:59:59.999Z', actor: UNIT_A_USER })
      .thenThrows(
        'CASE.INVALID_COMMAND',
        "occurredAt 2026-03-04T00:59:59.999Z is before the case's previous command at 2026-03-04T01:00:00.000Z",
      );
  });

  it('may equal the previous command', () => {
    given(petitionHistory.dispatched)
      .when({ type: 'sign' }, { occurredAt: DISPATCHED_AT, actor: UNIT_A_USER })
      .then([event('CaseSigned', { unit: UNIT_A }, DISPATCHED_AT, UNIT_A_USER)]);
  });

  describe('back-dating beyond the window (7 days here)', () => {
    const eightDaysLater = '2026-03-11T01:00:00.000Z';
    const acceptedEvents = [event('CaseAccepted', {}, ACCEPTED_AT), deadlineSet('reply', ACCEPTED_AT, '2026-05-02T01:00:00.000Z')];

    it('is forbidden to the desk', () => {
      given(petitionHistory.registered)
        .when({ type: 'accept' }, { occurredAt: ACCEPTED_AT, recordedAt: eightDaysLater })
        .thenThrows(
          'CASE.FORBIDDEN',
          'Back-dating to 2026-03-03T01:00:00.000Z, before 2026-03-04T01:00:00.000Z, needs the supervisor or admin role',
        );
    });

    it('is forbidden to a handling unit', () => {
      given(petitionHistory.dispatched)
        .when({ type: 'sign' }, { occurredAt: '2026-03-04T02:00:00.000Z', recordedAt: '2026-03-12T02:00:00.000Z', actor: UNIT_A_USER })
        .thenThrows('CASE.FORBIDDEN', 'needs the supervisor or admin role');
    });

    it('is allowed to a supervisor', () => {
      const supervisorEvents = acceptedEvents.map((accepted) => ({ ...accepted, actor: SUPERVISOR }));
      given(petitionHistory.registered)
        .when({ type: 'accept' }, { occurredAt: ACCEPTED_AT, recordedAt: eightDaysLater, actor: SUPERVISOR })
        .then(supervisorEvents);
    });

    it('is allowed to an admin', () => {
      const adminEvents = acceptedEvents.map((accepted) => ({ ...accepted, actor: ADMIN }));
      given(petitionHistory.registered)
        .when({ type: 'accept' }, { occurredAt: ACCEPTED_AT, recordedAt: eightDaysLater, actor: ADMIN })
        .then(adminEvents);
    });

    it('is allowed to anyone up to exactly the window', () => {
      given(petitionHistory.registered)
        .when({ type: 'accept' }, { occurredAt: ACCEPTED_AT, recordedAt: '2026-03-10T01:00:00.000Z' })
        .then(acceptedEvents);
    });

    it('follows the configured window', () => {
      given(petitionHistory.registered)
        .when(
          { type: 'accept' },
          { occurredAt: ACCEPTED_AT, recordedAt: '2026-03-04T01:00:00.001Z', backdatingWindowMs: 24 * 60 * 60 * 1000 },
        )
        .thenThrows('CASE.FORBIDDEN', 'needs the supervisor or admin role');
    });
  });

  it('is not blocked by scheduler records: a back-dated sign before the deadline supersedes the miss', () => {
    const signDueAt = '2026-03-05T01:00:00.000Z';
    const signedAt = '2026-03-04T20:00:00.000Z';
    const state = given([
      ...hotlineHistory.dispatched,
      event('DeadlineWarningIssued', { milestone: 'sign', version: 1, dueAt: signDueAt }, '2026-03-04T19:00:00.000Z', SCHEDULER),
      event('DeadlineMissed', { milestone: 'sign', version: 1, dueAt: signDueAt }, signDueAt, SCHEDULER),
    ])
      .when({ type: 'sign' }, { occurredAt: signedAt, recordedAt: '2026-03-05T02:00:00.000Z', actor: UNIT_A_USER })
      .then([event('CaseSigned', { unit: UNIT_A }, signedAt, UNIT_A_USER)]);

    expect(opened(state).lastCommandAt).toBe(signedAt);
    expect(opened(state).deadlines.find((deadline) => deadline.milestone === 'sign')).toEqual({
      milestone: 'sign',
      version: 1,
      startedAt: DISPATCHED_AT,
      dueAt: signDueAt,
      provisional: false,
      reachedAt: signedAt,
      warnedVersion: 1,
      missedVersion: 1,
      extensionsApproved: 0,
      episode: 1,
      custody: [{ from: DISPATCHED_AT, unit: UNIT_A }],
      earlierEpisodes: [],
    });
  });
});

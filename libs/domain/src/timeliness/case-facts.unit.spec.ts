import { foldCase } from '../cases/case.evolve';
import type { OpenedCase } from '../cases/case.state';
import {
  ACCEPTED_AT,
  DISPATCHED_AT,
  event,
  deadlineSet,
  disputeHistory,
  hotlineHistory,
  OTHER_CASE_ID,
  petitionHistory,
  RESOLVED_AT,
  REVIEWED_AT,
  SIGNED_AT,
  SUPERVISOR,
  UNIT_A,
} from '../cases/testing/case-fixtures';
import { reachedOnTime, timelinessFacts } from './case-facts';

const SUPERVISOR_ACTOR = { id: 'user-supervisor', role: 'supervisor' as const };
const UNIT_ACTOR = { id: 'user-unit', role: 'unit' as const, unit: '曲江社区' };

/** A re-examined repeat petition on 曲江社区, written out field by field as the fold would leave it. */
function repeatPetitionState(): OpenedCase {
  return {
    id: 'case-petition',
    orgId: 'org-dayanta',
    kind: 'petition',
    number: 'XF2026-0007',
    status: 'closed',
    title: '小区加装电梯意见分歧',
    description: '一楼住户反对加装电梯',
    community: '曲江社区',
    urgency: 'normal',
    channel: 'visit',
    unit: '曲江社区',
    dispatchedAt: '2026-03-04T09:00:00+08:00',
    registeredAt: '2026-03-02T09:00:00+08:00',
    lastCommandAt: '2026-04-20T10:00:00+08:00',
    deadlines: [
      {
        milestone: 'acceptance',
        version: 1,
        startedAt: '2026-03-02T09:00:00+08:00',
        dueAt: '2026-03-17T09:00:00+08:00',
        provisional: false,
        reachedAt: '2026-03-03T09:00:00+08:00',
        extensionsApproved: 0,
      },
      {
        milestone: 'reply',
        version: 2,
        startedAt: '2026-03-03T09:00:00+08:00',
        dueAt: '2026-06-01T09:00:00+08:00',
        provisional: false,
        reachedAt: '2026-05-20T10:00:00+08:00',
        missedVersion: 1,
        extensionsApproved: 1,
      },
      {
        milestone: 'reexamination',
        version: 1,
        startedAt: '2026-04-01T10:00:00+08:00',
        dueAt: '2026-05-01T10:00:00+08:00',
        provisional: false,
        extensionsApproved: 0,
      },
    ],
    extensions: [],
    supervisions: [
      {
        supervisionId: 'sup-1',
        instruction: '请于3月20日前答复',
        dueAt: '2026-03-20T18:00:00+08:00',
        issuedAt: '2026-03-10T10:00:00+08:00',
        issuedBy: SUPERVISOR_ACTOR,
        answer: '已答复',
        answeredAt: '2026-03-12T10:00:00+08:00',
        answeredBy: UNIT_ACTOR,
      },
      {
        supervisionId: 'sup-2',
        instruction: '加快办理',
        issuedAt: '2026-03-15T10:00:00+08:00',
        issuedBy: SUPERVISOR_ACTOR,
      },
    ],
    links: [
      { targetId: 'case-earlier', relation: 'repeat-of' },
      { targetId: 'case-related', relation: 'related' },
    ],
    resolution: { kind: 'petition', outcome: 'explained', reply: '已解释政策', resolvedAt: '2026-05-20T10:00:00+08:00' },
    reviews: [{ note: '已回访', reviewedAt: '2026-05-21T10:00:00+08:00' }],
    reexamination: { reason: '对答复不服', requestedAt: '2026-04-01T10:00:00+08:00' },
    closedAt: '2026-04-20T10:00:00+08:00',
    eventCount: 20,
  };
}

describe('timelinessFacts', () => {
  it('keeps a petition’s identity, final deadlines, closure, repeat targets and supervision orders', () => {
    expect(timelinessFacts(repeatPetitionState())).toEqual({
      caseId: 'case-petition',
      orgId: 'org-dayanta',
      number: 'XF2026-0007',
      kind: 'petition',
      title: '小区加装电梯意见分歧',
      community: '曲江社区',
      urgency: 'normal',
      unit: '曲江社区',
      milestones: [
        // The desk accepts before any dispatch: acceptance is never a unit's.
        { milestone: 'acceptance', dueAt: '2026-03-17T09:00:00+08:00', reachedAt: '2026-03-03T09:00:00+08:00' },
        {
          milestone: 'reply',
          dueAt: '2026-06-01T09:00:00+08:00',
          reachedAt: '2026-05-20T10:00:00+08:00',
          unit: '曲江社区',
        },
        { milestone: 'reexamination', dueAt: '2026-05-01T10:00:00+08:00', unit: '曲江社区' },
      ],
      callbacks: [],
      closure: { closedAt: '2026-04-20T10:00:00+08:00', firstTime: false, reexaminationRequested: true },
      repeatOf: ['case-earlier'],
      supervisions: [
        {
          supervisionId: 'sup-1',
          instruction: '请于3月20日前答复',
          issuedAt: '2026-03-10T10:00:00+08:00',
          dueAt: '2026-03-20T18:00:00+08:00',
          answeredAt: '2026-03-12T10:00:00+08:00',
        },
        { supervisionId: 'sup-2', instruction: '加快办理', issuedAt: '2026-03-15T10:00:00+08:00' },
      ],
    });
  });

  it('is plain JSON: a round trip through JSON changes nothing', () => {
    const facts = timelinessFacts(repeatPetitionState());
    expect(JSON.parse(JSON.stringify(facts))).toStrictEqual(facts);
  });

  it('a first-time petition without re-examination, never dispatched: no unit anywhere', () => {
    // Hand-built: a closed case always has a unit in the fold; the facts must still cope without one.
    const state = {
      ...repeatPetitionState(),
      unit: undefined,
      dispatchedAt: undefined,
      links: [{ targetId: 'case-related', relation: 'related' }],
      reexamination: undefined,
      supervisions: [],
    } as unknown as OpenedCase;
    const facts = timelinessFacts(state);
    expect(facts).not.toHaveProperty('unit');
    expect(facts.milestones.map((milestone) => milestone.unit)).toEqual([undefined, undefined, undefined]);
    expect(facts.closure).toEqual({ closedAt: '2026-04-20T10:00:00+08:00', firstTime: true, reexaminationRequested: false });
    expect(facts.repeatOf).toEqual([]);
  });

  it('folded from events: a hotline ticket’s call-back and its deadlines, reached at the events’ times', () => {
    const facts = timelinessFacts(foldCase(hotlineHistory.closed) as OpenedCase);
    expect(facts).toMatchObject({ kind: 'hotline', number: 'RX2026-0001', unit: UNIT_A, urgency: 'normal' });
    expect(facts.milestones).toEqual([
      { milestone: 'sign', dueAt: '2026-03-05T01:00:00.000Z', reachedAt: SIGNED_AT, unit: UNIT_A },
      { milestone: 'resolve', dueAt: '2026-03-09T01:00:00.000Z', reachedAt: RESOLVED_AT, unit: UNIT_A },
      { milestone: 'callback', dueAt: '2026-03-12T01:00:00.000Z', reachedAt: REVIEWED_AT, unit: UNIT_A },
    ]);
    expect(facts.callbacks).toEqual([{ reviewedAt: REVIEWED_AT, satisfaction: 'satisfied', solved: true }]);
    expect(facts.closure).toEqual({ closedAt: REVIEWED_AT, firstTime: true, reexaminationRequested: false });
    expect(facts).not.toHaveProperty('mediation');
  });

  it('folded from events: an approved extension leaves only the final reply deadline', () => {
    const extendedDue = '2026-06-01T01:00:00.000Z';
    const state = foldCase([
      ...petitionHistory.in_progress,
      deadlineSet('reply', ACCEPTED_AT, extendedDue, { version: 2, cause: 'extended', at: DISPATCHED_AT }),
    ]) as OpenedCase;
    expect(timelinessFacts(state).milestones).toEqual([
      { milestone: 'acceptance', dueAt: '2026-03-17T01:00:00.000Z', reachedAt: ACCEPTED_AT },
      { milestone: 'reply', dueAt: extendedDue, unit: UNIT_A },
    ]);
  });

  it('folded from events: a re-examination request reopens the closure until its decision', () => {
    const requested = timelinessFacts(foldCase(petitionHistory.reexamination) as OpenedCase);
    expect(requested).not.toHaveProperty('closure');

    const decidedAt = '2026-04-01T02:00:00.000Z';
    const decided = timelinessFacts(
      foldCase([
        ...petitionHistory.reexamination,
        event('ReexaminationDecided', { decision: 'upheld', opinion: '维持原答复' }, decidedAt, SUPERVISOR),
        event('CaseClosed', { by: 'reexamination' }, decidedAt, SUPERVISOR),
      ]) as OpenedCase,
    );
    expect(decided.closure).toEqual({ closedAt: decidedAt, firstTime: true, reexaminationRequested: true });
    expect(decided.milestones.find((milestone) => milestone.milestone === 'reexamination')).toEqual({
      milestone: 'reexamination',
      dueAt: '2026-04-10T02:00:00.000Z',
      reachedAt: decidedAt,
      unit: UNIT_A,
    });
  });

  it('folded from events: a dispute’s mediation outcome, and repeat-of links only', () => {
    const state = foldCase([
      ...disputeHistory.resolved,
      event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'duplicate-of' }, RESOLVED_AT),
    ]) as OpenedCase;
    const facts = timelinessFacts(state);
    expect(facts.mediation).toEqual({ outcome: 'mediated', resolvedAt: RESOLVED_AT });
    expect(facts.repeatOf).toEqual([]);
    expect(facts.callbacks).toEqual([]);
    expect(facts.milestones).toEqual([
      { milestone: 'mediation', dueAt: '2026-04-02T01:00:00.000Z', reachedAt: RESOLVED_AT, unit: UNIT_A },
    ]);
    expect(facts.closure).toBeUndefined();
  });
});

describe('reachedOnTime', () => {
  const dueAt = '2026-03-20T18:00:00+08:00';

  it('reached exactly at the deadline is on time, even written in another offset', () => {
    expect(reachedOnTime({ milestone: 'resolve', dueAt, reachedAt: '2026-03-20T10:00:00.000Z' })).toBe(true);
  });

  it('one second later is late', () => {
    expect(reachedOnTime({ milestone: 'resolve', dueAt, reachedAt: '2026-03-20T18:00:01+08:00' })).toBe(false);
  });

  it('not reached is never on time', () => {
    expect(reachedOnTime({ milestone: 'resolve', dueAt })).toBe(false);
  });
});

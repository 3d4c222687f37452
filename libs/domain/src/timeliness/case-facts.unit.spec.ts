import type { CaseEvent } from '../cases/case.events';
import { foldCase } from '../cases/case.evolve';
import type { OpenedCase } from '../cases/case.state';
import {
  ACCEPTED_AT,
  DISPATCHED_AT,
  disputeHistory,
  event,
  deadlineSet,
  hotlineHistory,
  OTHER_CASE_ID,
  petitionHistory,
  REEXAMINATION_REQUESTED_AT,
  RESOLVED_AT,
  REVIEWED_AT,
  SIGNED_AT,
  SUPERVISOR,
  UNIT_A,
  UNIT_A_USER,
  UNIT_B,
} from '../cases/testing/case-fixtures';
import { timelinessFacts } from './case-facts';

function factsOf(events: CaseEvent[]) {
  return timelinessFacts(foldCase(events) as OpenedCase);
}

describe('timelinessFacts', () => {
  it('a closed hotline ticket: its episodes, the unit charged with its own, and the call-back judging that unit', () => {
    const facts = factsOf(hotlineHistory.closed);
    expect(facts).toMatchObject({ caseId: 'case-0001', kind: 'hotline', number: 'RX2026-0001', urgency: 'normal', community: '曲江社区' });
    expect(facts.episodes).toEqual([
      { milestone: 'sign', episode: 1, dueAt: '2026-03-05T01:00:00.000Z', reachedAt: SIGNED_AT, unit: UNIT_A },
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T01:00:00.000Z', reachedAt: RESOLVED_AT, unit: UNIT_A },
      // The call-back is the desk's: no unit is charged with it.
      { milestone: 'callback', episode: 1, dueAt: '2026-03-12T01:00:00.000Z', reachedAt: REVIEWED_AT },
    ]);
    expect(facts.callbacks).toEqual([{ reviewedAt: REVIEWED_AT, satisfaction: 'satisfied', solved: true, unit: UNIT_A }]);
    // Only a petition's close counts (初次信访一次性化解率).
    expect(facts).not.toHaveProperty('closure');
    expect(facts).not.toHaveProperty('mediation');
  });

  it('is plain JSON: a round trip through JSON changes nothing', () => {
    const facts = factsOf([
      ...petitionHistory.reexamination,
      event('SupervisionIssued', { supervisionId: 'sup-1', instruction: '加快办理' }, '2026-03-12T01:00:00.000Z', SUPERVISOR),
    ]);
    expect(JSON.parse(JSON.stringify(facts))).toStrictEqual(facts);
  });

  it('an extension approved before the deadline moves the same episode', () => {
    const extendedDue = '2026-06-01T01:00:00.000Z';
    const facts = factsOf([
      ...petitionHistory.in_progress,
      deadlineSet('reply', ACCEPTED_AT, extendedDue, { version: 2, cause: 'extended', at: DISPATCHED_AT }),
    ]);
    expect(facts.episodes).toEqual([
      // The desk accepts: acceptance is never a unit's.
      { milestone: 'acceptance', episode: 1, dueAt: '2026-03-17T01:00:00.000Z', reachedAt: ACCEPTED_AT },
      // Unreached: charged to whoever holds the petition when the deadline passes.
      { milestone: 'reply', episode: 1, dueAt: extendedDue, unit: UNIT_A },
    ]);
  });

  it('an extension approved after the deadline passed ends the episode missed and starts another', () => {
    const approvedAt = '2026-05-03T01:00:00.000Z';
    const facts = factsOf([
      ...petitionHistory.in_progress,
      deadlineSet('reply', ACCEPTED_AT, '2026-06-01T01:00:00.000Z', { version: 2, cause: 'extended', at: approvedAt }),
    ]);
    expect(facts.episodes.filter((episode) => episode.milestone === 'reply')).toEqual([
      { milestone: 'reply', episode: 1, dueAt: '2026-05-02T01:00:00.000Z', endedAt: approvedAt, unit: UNIT_A },
      { milestone: 'reply', episode: 2, dueAt: '2026-06-01T01:00:00.000Z', unit: UNIT_A },
    ]);
  });

  it('a reopen keeps the first resolve episode and starts a second; each call-back judges the unit', () => {
    const reopenedAt = '2026-03-12T02:00:00.000Z';
    const resolvedAgainAt = '2026-03-13T02:00:00.000Z';
    const facts = factsOf([
      ...hotlineHistory.resolved,
      event('CaseReviewed', { satisfaction: 'unsatisfied', solved: false }, REVIEWED_AT),
      event('CaseReopened', { reason: '不满意' }, reopenedAt),
      deadlineSet('resolve', reopenedAt, '2026-03-19T10:00:00.000Z', { version: 2, cause: 'restarted' }),
      event('CaseResolved', { kind: 'hotline', reply: '已再次处理' }, resolvedAgainAt, UNIT_A_USER),
      deadlineSet('callback', resolvedAgainAt, '2026-03-17T10:00:00.000Z', { version: 2, cause: 'restarted' }),
    ]);
    expect(facts.episodes.filter((episode) => episode.milestone !== 'sign')).toEqual([
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T01:00:00.000Z', reachedAt: RESOLVED_AT, unit: UNIT_A },
      { milestone: 'resolve', episode: 2, dueAt: '2026-03-19T10:00:00.000Z', reachedAt: resolvedAgainAt, unit: UNIT_A },
      { milestone: 'callback', episode: 1, dueAt: '2026-03-12T01:00:00.000Z', reachedAt: REVIEWED_AT },
      { milestone: 'callback', episode: 2, dueAt: '2026-03-17T10:00:00.000Z' },
    ]);
    expect(facts.callbacks).toEqual([{ reviewedAt: REVIEWED_AT, satisfaction: 'unsatisfied', solved: false, unit: UNIT_A }]);
  });

  it('a reopen before the call-back ends the call-back episode unreached', () => {
    const reopenedAt = '2026-03-11T01:00:00.000Z';
    const facts = factsOf([...hotlineHistory.resolved, event('CaseReopened', { reason: '核查未完成' }, reopenedAt)]);
    expect(facts.episodes.find((episode) => episode.milestone === 'callback')).toEqual({
      milestone: 'callback',
      episode: 1,
      dueAt: '2026-03-12T01:00:00.000Z',
      endedAt: reopenedAt,
    });
  });

  it('a return ends the sign and resolve episodes; the late sign is charged to the unit that returned it', () => {
    const returnedAt = '2026-03-05T05:00:00.000Z';
    const redispatchedAt = '2026-03-06T01:00:00.000Z';
    const facts = factsOf([
      ...hotlineHistory.dispatched,
      event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, returnedAt, UNIT_A_USER),
      event('CaseDispatched', { unit: UNIT_B }, redispatchedAt),
      deadlineSet('sign', redispatchedAt, '2026-03-06T03:00:00.000Z', { version: 2, cause: 'restarted' }),
      deadlineSet('resolve', redispatchedAt, '2026-03-13T10:00:00.000Z', { version: 2, cause: 'restarted' }),
    ]);
    expect(facts.episodes).toEqual([
      { milestone: 'sign', episode: 1, dueAt: '2026-03-05T01:00:00.000Z', endedAt: returnedAt, unit: UNIT_A },
      { milestone: 'sign', episode: 2, dueAt: '2026-03-06T03:00:00.000Z', unit: UNIT_B },
      { milestone: 'resolve', episode: 1, dueAt: '2026-03-09T01:00:00.000Z', endedAt: returnedAt, unit: UNIT_A },
      { milestone: 'resolve', episode: 2, dueAt: '2026-03-13T10:00:00.000Z', unit: UNIT_B },
    ]);
  });

  it("a petition's reply runs on through a return: charged to the unit holding it when the deadline passed", () => {
    const facts = factsOf([
      ...petitionHistory.dispatched,
      event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, '2026-03-05T01:00:00.000Z', UNIT_A_USER),
      event('CaseDispatched', { unit: UNIT_B }, '2026-03-06T01:00:00.000Z'),
      event('CaseResolved', { kind: 'petition', outcome: 'explained', reply: '已答复' }, '2026-05-10T01:00:00.000Z'),
    ]);
    expect(facts.episodes.find((episode) => episode.milestone === 'reply')).toEqual({
      milestone: 'reply',
      episode: 1,
      dueAt: '2026-05-02T01:00:00.000Z',
      reachedAt: '2026-05-10T01:00:00.000Z',
      unit: UNIT_B,
    });
    // Had nobody held it when its deadline passed, no unit is charged (未派单).
    const unheld = factsOf([
      ...petitionHistory.dispatched,
      event('CaseReturned', { unit: UNIT_A, reason: '不属于本社区' }, '2026-03-05T01:00:00.000Z', UNIT_A_USER),
      event('CaseDispatched', { unit: UNIT_B }, '2026-05-04T01:00:00.000Z'),
    ]);
    expect(unheld.episodes.find((episode) => episode.milestone === 'reply')).toEqual({
      milestone: 'reply',
      episode: 1,
      dueAt: '2026-05-02T01:00:00.000Z',
    });
  });

  it("a petition's first close stays where it was when a re-examination is asked and decided", () => {
    const requested = factsOf(petitionHistory.reexamination);
    expect(requested.closure).toEqual({ firstClosedAt: REVIEWED_AT, firstTime: true, reexaminationRequested: true, unit: UNIT_A });

    const decidedAt = '2026-04-01T02:00:00.000Z';
    const decided = factsOf([
      ...petitionHistory.reexamination,
      event('ReexaminationDecided', { decision: 'upheld', opinion: '维持原答复' }, decidedAt, SUPERVISOR),
      event('CaseClosed', { by: 'reexamination' }, decidedAt, SUPERVISOR),
    ]);
    expect(decided.closure).toEqual({ firstClosedAt: REVIEWED_AT, firstTime: true, reexaminationRequested: true, unit: UNIT_A });
    expect(decided.episodes.find((episode) => episode.milestone === 'reexamination')).toEqual({
      milestone: 'reexamination',
      episode: 1,
      dueAt: '2026-04-10T02:00:00.000Z',
      reachedAt: decidedAt,
    });
  });

  it('a petition asked to be re-examined before any close is first closed by the decision', () => {
    const decidedAt = '2026-04-01T02:00:00.000Z';
    const facts = factsOf([
      ...petitionHistory.resolved,
      event('ReexaminationRequested', { reason: '对答复不服' }, REEXAMINATION_REQUESTED_AT),
      deadlineSet('reexamination', REEXAMINATION_REQUESTED_AT, '2026-04-10T02:00:00.000Z'),
      event('ReexaminationDecided', { decision: 'changed', opinion: '变更答复' }, decidedAt, SUPERVISOR),
      event('CaseClosed', { by: 'reexamination' }, decidedAt, SUPERVISOR),
    ]);
    expect(facts.closure).toMatchObject({ firstClosedAt: decidedAt, reexaminationRequested: true });
  });

  it("a dispute's mediation outcome with the unit; only repeat-of links count as repeats", () => {
    const facts = factsOf([
      ...disputeHistory.resolved,
      event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'duplicate-of' }, RESOLVED_AT),
    ]);
    expect(facts.mediation).toEqual({ outcome: 'mediated', resolvedAt: RESOLVED_AT, unit: UNIT_A });
    expect(facts.repeatOf).toEqual([]);
    expect(facts.callbacks).toEqual([]);
    expect(facts.episodes).toEqual([
      { milestone: 'mediation', episode: 1, dueAt: '2026-04-02T01:00:00.000Z', reachedAt: RESOLVED_AT, unit: UNIT_A },
    ]);

    const repeat = factsOf([
      ...petitionHistory.registered,
      event('CaseLinked', { targetId: OTHER_CASE_ID, relation: 'repeat-of' }, ACCEPTED_AT),
    ]);
    expect(repeat.repeatOf).toEqual([OTHER_CASE_ID]);
  });

  it('keeps every supervision order, answered or not', () => {
    const facts = factsOf([
      ...hotlineHistory.in_progress,
      event(
        'SupervisionIssued',
        { supervisionId: 'sup-1', instruction: '请于3月9日前办结', dueAt: '2026-03-09T10:00:00.000Z' },
        '2026-03-05T01:00:00.000Z',
        SUPERVISOR,
      ),
      event('SupervisionAnswered', { supervisionId: 'sup-1', answer: '正在办理' }, '2026-03-05T03:00:00.000Z', UNIT_A_USER),
      event('SupervisionIssued', { supervisionId: 'sup-2', instruction: '加快办理' }, '2026-03-06T01:00:00.000Z', SUPERVISOR),
    ]);
    expect(facts.supervisions).toEqual([
      {
        supervisionId: 'sup-1',
        instruction: '请于3月9日前办结',
        issuedAt: '2026-03-05T01:00:00.000Z',
        dueAt: '2026-03-09T10:00:00.000Z',
        answeredAt: '2026-03-05T03:00:00.000Z',
      },
      { supervisionId: 'sup-2', instruction: '加快办理', issuedAt: '2026-03-06T01:00:00.000Z' },
    ]);
  });
});

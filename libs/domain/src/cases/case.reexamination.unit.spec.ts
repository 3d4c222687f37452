import type { CaseEvent } from './case.events';
import { foldCase } from './case.evolve';
import type { OpenedCase } from './case.state';
import { deadlineSet, event, hotlineHistory, NOW, petitionHistory } from './testing/case-fixtures';
import { given } from './testing/decider-spec';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

describe('re-examination (petitions)', () => {
  it.each([
    ['resolved', petitionHistory.resolved],
    ['closed', petitionHistory.closed],
  ])('is requested on a %s petition inside the window and starts its deadline', (_status, history) => {
    const state = given(history)
      .when({ type: 'request-reexamination', reason: '对答复意见不服' })
      .then([
        event('ReexaminationRequested', { reason: '对答复意见不服' }, NOW),
        deadlineSet('reexamination', NOW, '2026-04-11T01:00:00.000Z'),
      ]);

    expect(opened(state)).toMatchObject({ status: 'reexamination', reexamination: { reason: '对答复意见不服', requestedAt: NOW } });
    expect(opened(state).closedAt).toBeUndefined();
  });

  it('keeps the first close of a closed petition while it is re-examined and after the decision closes it again', () => {
    const closed = opened(foldCase(petitionHistory.closed));
    const firstClosedAt = closed.closedAt;
    expect(closed.firstClosedAt).toBe(firstClosedAt);

    const reexamined = given(petitionHistory.closed)
      .when({ type: 'request-reexamination', reason: '对答复意见不服' })
      .then([
        event('ReexaminationRequested', { reason: '对答复意见不服' }, NOW),
        deadlineSet('reexamination', NOW, '2026-04-11T01:00:00.000Z'),
      ]);

    expect(opened(reexamined)).toMatchObject({ status: 'reexamination', firstClosedAt });
  });

  it('is allowed at the last instant of the window, counted from the reply', () => {
    const windowEnd = '2026-04-09T01:00:00.000Z';
    given(petitionHistory.closed)
      .when({ type: 'request-reexamination', reason: '对答复意见不服' }, { occurredAt: windowEnd })
      .then([
        event('ReexaminationRequested', { reason: '对答复意见不服' }, windowEnd),
        deadlineSet('reexamination', windowEnd, '2026-05-09T01:00:00.000Z'),
      ]);
  });

  it('is refused after the window, naming its end', () => {
    given(petitionHistory.closed)
      .when({ type: 'request-reexamination', reason: '对答复意见不服' }, { occurredAt: '2026-04-09T01:00:00.001Z' })
      .thenThrows('CASE.INVALID_COMMAND', 'the window to ask for re-examination ended at 2026-04-09T01:00:00.000Z');
  });

  it('is refused for a hotline ticket', () => {
    given(hotlineHistory.closed)
      .when({ type: 'request-reexamination', reason: '不服' })
      .thenThrows('CASE.INVALID_COMMAND', "Command 'request-reexamination': only petitions can take it, this case is a hotline");
  });

  it('is refused without a reason', () => {
    given(petitionHistory.resolved)
      .when({ type: 'request-reexamination', reason: '' })
      .thenThrows('CASE.INVALID_COMMAND', 'reason is required');
  });

  it('is decided, which closes the case and reaches the re-examination milestone', () => {
    const state = given(petitionHistory.reexamination)
      .when({ type: 'decide-reexamination', decision: 'changed', opinion: '撤销原答复，重新办理' })
      .then([
        event('ReexaminationDecided', { decision: 'changed', opinion: '撤销原答复，重新办理' }, NOW),
        event('CaseClosed', { by: 'reexamination' }, NOW),
      ]);

    expect(opened(state)).toMatchObject({
      status: 'closed',
      closedAt: NOW,
      reexamination: { decision: { decision: 'changed', opinion: '撤销原答复，重新办理', decidedAt: NOW } },
    });
    expect(opened(state).deadlines.find((deadline) => deadline.milestone === 'reexamination')?.reachedAt).toBe(NOW);
  });

  it('refuses an unknown decision', () => {
    given(petitionHistory.reexamination)
      .when({ type: 'decide-reexamination', decision: 'dismissed' as never, opinion: '驳回' })
      .thenThrows('CASE.INVALID_COMMAND', 'decision must be one of upheld, changed, revoked, remanded');
  });

  it('happens only once per case', () => {
    const decidedAt = '2026-03-20T01:00:00.000Z';
    const reexamined: CaseEvent[] = [
      ...petitionHistory.reexamination,
      event('ReexaminationDecided', { decision: 'upheld', opinion: '维持原答复' }, decidedAt),
      event('CaseClosed', { by: 'reexamination' }, decidedAt),
    ];
    given(reexamined)
      .when({ type: 'request-reexamination', reason: '仍然不服' }, { occurredAt: '2026-03-21T01:00:00.000Z' })
      .thenThrows('CASE.INVALID_COMMAND', 'the case was already re-examined (requested at 2026-03-11T02:00:00.000Z)');
  });
});

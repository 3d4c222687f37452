import { IllegalTransitionError } from '../shared/errors';
import type { Actor } from '../shared/actor';
import type { CaseEvent } from './case.events';
import type { OpenedCase } from './case.state';
import { DESK, DISPATCHED_AT, event, hotlineHistory, NOW, petitionHistory, SUPERVISOR, UNIT_A, UNIT_A_USER } from './testing/case-fixtures';
import { decide } from './case.decide';
import { foldCase } from './case.evolve';
import { currentPersonalPart } from './personal-part';
import { given, specContext } from './testing/decider-spec';

/** The 12345 platform's intake, which resends a ticket with other content (工单更正). */
const PLATFORM: Actor = { id: '12345-platform', role: 'system' };
const AMENDED_AT = '2026-03-03T02:00:00.000Z';
const NEW_DEADLINE = '2026-03-11T10:00:00.000Z';

function opened(state: unknown): OpenedCase {
  return state as OpenedCase;
}

function amended(data: object, personal?: object, at = AMENDED_AT, actor: Actor = PLATFORM): CaseEvent {
  return { type: 'HotlineTicketAmended', data, ...(personal !== undefined && { personal }), occurredAt: at, actor } as CaseEvent;
}

describe('amend-ticket (工单更正)', () => {
  it('records the fields that changed, with their new values, and the case shows them', () => {
    const state = opened(
      given(hotlineHistory.accepted)
        .when(
          {
            type: 'amend-ticket',
            title: '夜间施工噪音',
            description: '工地夜间十一点后仍在施工',
            urgency: 'urgent',
            platformDeadline: NEW_DEADLINE,
          },
          { occurredAt: AMENDED_AT, actor: PLATFORM },
        )
        .then([
          amended({
            changed: ['title', 'urgency', 'platformDeadline'],
            title: '夜间施工噪音',
            urgency: 'urgent',
            platformDeadline: NEW_DEADLINE,
          }),
        ]),
    );
    expect(state).toMatchObject({ status: 'accepted', title: '夜间施工噪音', urgency: 'urgent', platformDeadline: NEW_DEADLINE });
    expect(state.description).toBe('工地夜间十一点后仍在施工');
    expect(state.lastCommandAt).toBe(AMENDED_AT);
  });

  it('records nothing when nothing differs: the same ticket again is no update', () => {
    given(hotlineHistory.accepted)
      .when(
        {
          type: 'amend-ticket',
          title: '夜间施工噪音扰民',
          description: '工地夜间十一点后仍在施工',
          community: '曲江社区',
          urgency: 'normal',
        },
        { actor: PLATFORM },
      )
      .then([]);
    given(hotlineHistory.accepted)
      .when({ type: 'amend-ticket', remove: ['category', 'platformDeadline'] }, { actor: PLATFORM })
      .then([]);
  });

  it('puts a new caller in the personal part only (sealed on the way to the log), and names the field, never its value', () => {
    const state = given(hotlineHistory.dispatched)
      .when({ type: 'amend-ticket', caller: { name: '李四', phone: '13900001111' } }, { occurredAt: NOW, actor: PLATFORM })
      .then([amended({ changed: ['caller'] }, { caller: { name: '李四', phone: '13900001111' } }, NOW)]);
    const [recorded] = decide(
      { type: 'amend-ticket', caller: { phone: '13900001111' } },
      foldCase(hotlineHistory.dispatched),
      specContext({ actor: PLATFORM }),
    );
    expect(JSON.stringify(recorded.data)).not.toContain('13900001111');
    expect(JSON.stringify(state)).not.toContain('13900001111');
    expect(JSON.stringify(state)).not.toContain('李四');
  });

  it('takes away a removed detail: named as changed, with no new value', () => {
    const withCategory = [
      ...hotlineHistory.accepted,
      amended({ changed: ['category', 'platformDeadline'], category: '噪音', platformDeadline: NEW_DEADLINE }),
    ];
    expect(
      opened(
        given(withCategory)
          .when({ type: 'note', text: '-' })
          .then([event('NoteAdded', { text: '-', internal: false }, NOW)]),
      ),
    ).toMatchObject({
      category: '噪音',
      platformDeadline: NEW_DEADLINE,
    });
    const state = opened(
      given(withCategory)
        .when({ type: 'amend-ticket', remove: ['category', 'platformDeadline', 'caller'] }, { occurredAt: NOW, actor: PLATFORM })
        .then([amended({ changed: ['category', 'platformDeadline', 'caller'] }, undefined, NOW)]),
    );
    expect(state.category).toBeUndefined();
    expect(state.platformDeadline).toBeUndefined();
  });

  it('gives the corrected platform deadline to the dispatch that follows', () => {
    const history = [...hotlineHistory.accepted, amended({ changed: ['platformDeadline'], platformDeadline: NEW_DEADLINE })];
    const state = opened(
      given(history)
        .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: DISPATCHED_AT, actor: DESK })
        .then([
          event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT, DESK),
          event(
            'DeadlineSet',
            {
              milestone: 'sign',
              version: 1,
              startedAt: DISPATCHED_AT,
              dueAt: '2026-03-05T01:00:00.000Z',
              provisional: false,
              cause: 'started',
            },
            DISPATCHED_AT,
            DESK,
          ),
          event(
            'DeadlineSet',
            { milestone: 'resolve', version: 1, startedAt: DISPATCHED_AT, dueAt: NEW_DEADLINE, provisional: false, cause: 'started' },
            DISPATCHED_AT,
            DESK,
          ),
        ]),
    );
    expect(state.deadlines.find((deadline) => deadline.milestone === 'resolve')?.dueAt).toBe(NEW_DEADLINE);
  });

  it('moves no deadline already running: the unit keeps the deadline it was dispatched with', () => {
    const running = opened(
      given(hotlineHistory.dispatched)
        .when({ type: 'note', text: '-' })
        .then([event('NoteAdded', { text: '-', internal: false }, NOW)]),
    );
    const state = opened(
      given(hotlineHistory.dispatched)
        .when({ type: 'amend-ticket', platformDeadline: NEW_DEADLINE }, { occurredAt: NOW, actor: PLATFORM })
        .then([amended({ changed: ['platformDeadline'], platformDeadline: NEW_DEADLINE }, undefined, NOW)]),
    );
    expect(state.platformDeadline).toBe(NEW_DEADLINE);
    expect(state.deadlines).toEqual(running.deadlines);
  });

  it('lets the desk correct a ticket it typed in, and a supervisor too', () => {
    given(hotlineHistory.accepted)
      .when({ type: 'amend-ticket', community: '大雁塔社区' }, { actor: DESK })
      .then([amended({ changed: ['community'], community: '大雁塔社区' }, undefined, NOW, DESK)]);
    given(hotlineHistory.in_progress)
      .when({ type: 'amend-ticket', category: '噪音' }, { actor: SUPERVISOR })
      .then([amended({ changed: ['category'], category: '噪音' }, undefined, NOW, SUPERVISOR)]);
  });

  it('refuses a closed or withdrawn ticket, a petition, and a handling unit', () => {
    given(hotlineHistory.closed).when({ type: 'amend-ticket', title: '新标题' }, { actor: PLATFORM }).thenThrows(IllegalTransitionError);
    const withdrawn = [...hotlineHistory.dispatched, event('CaseWithdrawn', { reason: '市民撤回诉求' }, AMENDED_AT, PLATFORM)];
    given(withdrawn).when({ type: 'amend-ticket', title: '新标题' }, { actor: PLATFORM }).thenThrows(IllegalTransitionError);
    given(petitionHistory.accepted)
      .when({ type: 'amend-ticket', title: '新标题' }, { actor: DESK })
      .thenThrows('CASE.INVALID_COMMAND', 'only hotlines');
    given(hotlineHistory.in_progress).when({ type: 'amend-ticket', title: '新标题' }, { actor: UNIT_A_USER }).thenThrows('CASE.FORBIDDEN');
  });

  it('refuses a field both given and removed, an empty text, a caller with nothing in it, an unknown removal', () => {
    const ticket = given(hotlineHistory.accepted);
    ticket
      .when({ type: 'amend-ticket', category: '噪音', remove: ['category'] }, { actor: PLATFORM })
      .thenThrows('CASE.INVALID_COMMAND', 'both given and removed');
    ticket.when({ type: 'amend-ticket', title: '  ' }, { actor: PLATFORM }).thenThrows('CASE.INVALID_COMMAND', 'title is required');
    ticket.when({ type: 'amend-ticket', caller: {} }, { actor: PLATFORM }).thenThrows('CASE.INVALID_COMMAND', 'caller needs');
    ticket
      .when({ type: 'amend-ticket', remove: ['title' as 'category'] }, { actor: PLATFORM })
      .thenThrows('CASE.INVALID_COMMAND', 'remove must be one of');
    ticket
      .when({ type: 'amend-ticket', platformDeadline: 'soon' }, { actor: PLATFORM })
      .thenThrows('CASE.INVALID_COMMAND', 'platformDeadline');
  });

  it('makes the amendment naming the caller the personal part that states who the caller is now', () => {
    const intake = hotlineHistory.accepted[0];
    const newCaller = amended({ changed: ['caller'] }, { caller: { phone: '13900001111' } });
    const titleOnly = amended({ changed: ['title'], title: '夜间施工噪音' });
    expect(currentPersonalPart(hotlineHistory.dispatched)).toEqual(intake.personal);
    expect(currentPersonalPart([...hotlineHistory.dispatched, newCaller, titleOnly])).toEqual({ caller: { phone: '13900001111' } });
    expect(currentPersonalPart([...hotlineHistory.dispatched, newCaller, amended({ changed: ['caller'] })])).toBeUndefined();
  });
});

import type { PetitionRegistered } from './case.events';
import type { RegisterPetition } from './case.commands';
import { ADMIN, CASE_ID, DESK, ORG_ID, petitionHistory, petitionRegistered, SUPERVISOR, UNIT_A, UNIT_B } from './testing/case-fixtures';
import { given } from './testing/decider-spec';

/*
 * 信访人信息保密 (SPEC §7): a petition may name the units it complains about; it is not dispatched
 * to one of them unless a supervisor (or an admin) overrides with a reason, which the dispatch records.
 */

const NOW = '2026-03-12T01:00:00.000Z';

/** The accepted petition, registered as complaining about UNIT_A. */
function complainingAbout(...units: string[]) {
  const [registered, ...rest] = petitionHistory.accepted;
  const intake = registered as PetitionRegistered;
  return [{ ...intake, data: { ...intake.data, complainedUnits: units } }, ...rest];
}

describe('a petition complaining about units', () => {
  it('records the units it names at intake, trimmed and once each, and keeps them in the case', () => {
    const command: RegisterPetition = {
      type: 'register-petition',
      caseId: CASE_ID,
      orgId: ORG_ID,
      number: 'XF2026-0001',
      title: '小区加装电梯意见分歧',
      description: '一楼住户反对加装电梯，要求街道协调',
      community: '曲江社区',
      channel: 'visit',
      petitioner: { name: '张三', phone: '13800001234' },
      complainedUnits: [` ${UNIT_A} `, UNIT_A, UNIT_B, ' '],
    };
    const expected = petitionRegistered(NOW);
    const state = given([])
      .when(command, { occurredAt: NOW })
      .then([
        { ...expected, data: { ...expected.data, complainedUnits: [UNIT_A, UNIT_B] } },
        expect.objectContaining({ type: 'DeadlineSet' }) as never,
      ]);
    expect(state).toMatchObject({ complainedUnits: [UNIT_A, UNIT_B] });
  });

  it('records no list when none is named', () => {
    const state = given(petitionHistory.accepted)
      .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: NOW })
      .then([{ type: 'CaseDispatched', data: { unit: UNIT_A }, occurredAt: NOW, actor: DESK }]);
    expect(state).not.toHaveProperty('complainedUnits');
  });

  it('refuses to dispatch it to a named unit without an override (422), whoever asks', () => {
    for (const actor of [DESK, SUPERVISOR]) {
      given(complainingAbout(UNIT_A))
        .when({ type: 'dispatch', unit: UNIT_A }, { occurredAt: NOW, actor })
        .thenThrows('CASE.INVALID_COMMAND', `the petition complains about ${UNIT_A}`);
    }
  });

  it('dispatches it to another unit as usual', () => {
    given(complainingAbout(UNIT_A))
      .when({ type: 'dispatch', unit: UNIT_B }, { occurredAt: NOW })
      .then([{ type: 'CaseDispatched', data: { unit: UNIT_B }, occurredAt: NOW, actor: DESK }]);
  });

  it('lets a supervisor or an admin override with a reason, which the dispatch records', () => {
    for (const actor of [SUPERVISOR, ADMIN]) {
      given(complainingAbout(UNIT_A))
        .when({ type: 'dispatch', unit: UNIT_A, overrideReason: '唯一有管辖权的单位' }, { occurredAt: NOW, actor })
        .then([{ type: 'CaseDispatched', data: { unit: UNIT_A, overrideReason: '唯一有管辖权的单位' }, occurredAt: NOW, actor }]);
    }
  });

  it('refuses an override by the desk (403), one without a reason, and one where nothing is to be overridden (422)', () => {
    given(complainingAbout(UNIT_A))
      .when({ type: 'dispatch', unit: UNIT_A, overrideReason: '唯一有管辖权的单位' }, { occurredAt: NOW, actor: DESK })
      .thenThrows('CASE.FORBIDDEN', 'supervisor or admin');
    given(complainingAbout(UNIT_A))
      .when({ type: 'dispatch', unit: UNIT_A, overrideReason: '  ' }, { occurredAt: NOW, actor: SUPERVISOR })
      .thenThrows('CASE.INVALID_COMMAND', 'overrideReason is required');
    given(complainingAbout(UNIT_A))
      .when({ type: 'dispatch', unit: UNIT_B, overrideReason: '无需' }, { occurredAt: NOW, actor: SUPERVISOR })
      .thenThrows('CASE.INVALID_COMMAND', `overrideReason applies only to a unit the petition complains about, not ${UNIT_B}`);
  });
});

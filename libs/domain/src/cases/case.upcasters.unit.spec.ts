import type { CaseEvent } from './case.events';
import { foldCase } from './case.evolve';
import { CURRENT_SCHEMA_VERSIONS, upcast, type PetitionRegisteredV1Data } from './case.upcasters';
import { CASE_ID, DESK, ORG_ID, REGISTERED_AT } from './testing/case-fixtures';

const v1Data: PetitionRegisteredV1Data = {
  caseId: CASE_ID,
  orgId: ORG_ID,
  number: 'XF2025-0007',
  title: '小区加装电梯意见分歧',
  description: '一楼住户反对加装电梯',
  community: '曲江社区',
  kind: 'petition',
  channel: '来访',
  petitionerName: '张三',
  petitionerPhone: '13800001234',
};

const v2Data = {
  caseId: CASE_ID,
  orgId: ORG_ID,
  number: 'XF2025-0007',
  title: '小区加装电梯意见分歧',
  description: '一楼住户反对加装电梯',
  community: '曲江社区',
  kind: 'petition',
  channel: 'visit',
};

describe('case event upcasters', () => {
  it('writes PetitionRegistered at version 2 and every other event at version 1', () => {
    const { PetitionRegistered, ...others } = CURRENT_SCHEMA_VERSIONS;

    expect(PetitionRegistered).toBe(2);
    expect(new Set(Object.values(others))).toEqual(new Set([1]));
  });

  describe('PetitionRegistered v1 → v2', () => {
    it('moves the petitioner from data into personal', () => {
      expect(upcast('PetitionRegistered', 1, v1Data, null)).toEqual({
        data: v2Data,
        personal: { petitioner: { name: '张三', phone: '13800001234' } },
      });
    });

    it('leaves out a phone the petitioner did not give', () => {
      const { petitionerPhone: _phone, ...withoutPhone } = v1Data;

      expect(upcast('PetitionRegistered', 1, withoutPhone, null).personal).toEqual({ petitioner: { name: '张三' } });
    });

    it.each([
      ['来访', 'visit'],
      ['来信', 'letter'],
      ['来电', 'phone'],
      ['网上', 'online'],
    ])('maps the channel %s to %s', (label, channel) => {
      expect(upcast('PetitionRegistered', 1, { ...v1Data, channel: label }, null).data).toMatchObject({ channel });
    });

    it('refuses a channel it cannot map rather than inventing one', () => {
      expect(() => upcast('PetitionRegistered', 1, { ...v1Data, channel: '传真' }, null)).toThrow(
        "PetitionRegistered v1 has an unknown channel '传真'",
      );
    });

    it('gives an event the decider folds like a new one', () => {
      const { data, personal } = upcast('PetitionRegistered', 1, v1Data, null);
      const upcasted = { type: 'PetitionRegistered', data, personal, occurredAt: REGISTERED_AT, actor: DESK } as CaseEvent;

      expect(foldCase([upcasted])).toMatchObject({ status: 'registered', channel: 'visit', number: 'XF2025-0007' });
    });
  });

  it('passes a current event through untouched', () => {
    const personal = { petitioner: { name: '张三' } };
    const upcasted = upcast('PetitionRegistered', 2, v2Data, personal);

    expect(upcasted.data).toBe(v2Data);
    expect(upcasted.personal).toBe(personal);
  });

  it('passes other event types at version 1 through untouched', () => {
    const data = { unit: 'unit-qujiang-community' };

    expect(upcast('CaseDispatched', 1, data, null)).toEqual({ data, personal: null });
  });

  it('refuses a version newer than this release reads', () => {
    expect(() => upcast('CaseDispatched', 2, {}, null)).toThrow(
      'Cannot upcast CaseDispatched from schema version 2: this release reads 1 to 1',
    );
  });

  it('refuses a type that is not a case event', () => {
    expect(() => upcast('CaseNumberAllocated', 1, {}, null)).toThrow("Cannot upcast 'CaseNumberAllocated': not a case event type");
  });
});

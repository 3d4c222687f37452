import { IllegalTransitionError } from '../shared/errors';
import type { ReceiveHotlineTicket, RegisterDispute, RegisterPetition } from './case.commands';
import { decideIntake } from './case.decide';
import { INITIAL_CASE_STATE } from './case.state';
import {
  CASE_ID,
  deadlineSet,
  disputeRegistered,
  hotlineTicketReceived,
  ORG_ID,
  petitionHistory,
  petitionRegistered,
  REGISTERED_AT,
} from './testing/case-fixtures';
import { given, specContext } from './testing/decider-spec';

const registerPetition: RegisterPetition = {
  type: 'register-petition',
  caseId: CASE_ID,
  orgId: ORG_ID,
  number: 'XF2026-0001',
  title: '小区加装电梯意见分歧',
  description: '一楼住户反对加装电梯，要求街道协调',
  community: '曲江社区',
  channel: 'visit',
  petitioner: { name: '张三', phone: '13800001234' },
};

const receiveHotlineTicket: ReceiveHotlineTicket = {
  type: 'receive-hotline-ticket',
  caseId: CASE_ID,
  orgId: ORG_ID,
  number: 'RX2026-0001',
  title: '夜间施工噪音扰民',
  description: '工地夜间十一点后仍在施工',
  community: '曲江社区',
  platformTicketNo: '12345-20260302-0042',
  urgency: 'normal',
  caller: { phone: '13900005678' },
};

const registerDispute: RegisterDispute = {
  type: 'register-dispute',
  caseId: CASE_ID,
  orgId: ORG_ID,
  number: 'JF2026-0001',
  title: '邻里漏水纠纷',
  description: '楼上卫生间漏水导致楼下墙面受损',
  community: '曲江社区',
  source: 'screening',
  parties: [
    { name: '李四', role: 'applicant' },
    { name: '王五', role: 'respondent' },
  ],
};

describe('intake', () => {
  it('registers a petition and starts its acceptance deadline', () => {
    const state = given([])
      .when(registerPetition, { occurredAt: REGISTERED_AT })
      .then([petitionRegistered(), deadlineSet('acceptance', REGISTERED_AT, '2026-03-17T01:00:00.000Z')]);

    expect(state).toMatchObject({ status: 'registered', kind: 'petition', number: 'XF2026-0001' });
  });

  it('receives a hotline ticket already accepted, with no acceptance milestone', () => {
    const state = given([]).when(receiveHotlineTicket, { occurredAt: REGISTERED_AT }).then([hotlineTicketReceived()]);

    expect(state).toMatchObject({ status: 'accepted', kind: 'hotline', deadlines: [] });
  });

  it("keeps the platform's deadline on a hotline ticket, normalised to UTC", () => {
    given([])
      .when({ ...receiveHotlineTicket, platformDeadline: '2026-03-09T18:00:00+08:00' }, { occurredAt: REGISTERED_AT })
      .then([hotlineTicketReceived({ platformDeadline: '2026-03-09T10:00:00.000Z' })]);
  });

  it('refuses a hotline ticket whose platform deadline is not a date', () => {
    given([])
      .when({ ...receiveHotlineTicket, platformDeadline: 'next Friday' }, { occurredAt: REGISTERED_AT })
      .thenThrows('CASE.INVALID_COMMAND', 'platformDeadline is not a valid date-time');
  });

  it('records a hotline ticket without a caller with no personal part at all', () => {
    const { caller: _caller, ...anonymous } = receiveHotlineTicket;
    const [received] = decideIntake(anonymous, INITIAL_CASE_STATE, specContext({ occurredAt: REGISTERED_AT }));

    expect(received).not.toHaveProperty('personal');
  });

  it('registers a dispute without a deadline: mediation starts at acceptance', () => {
    const state = given([]).when(registerDispute, { occurredAt: REGISTERED_AT }).then([disputeRegistered()]);

    expect(state).toMatchObject({ status: 'registered', kind: 'dispute', deadlines: [] });
  });

  it('refuses a dispute without parties', () => {
    given([])
      .when({ ...registerDispute, parties: [] }, { occurredAt: REGISTERED_AT })
      .thenThrows('CASE.INVALID_COMMAND', 'at least one party');
  });

  describe('personal data goes to `personal` only', () => {
    const fullPetitioner = { name: '张三', phone: '13800001234', idNumber: '610113199001011234', address: '雁塔区某小区3号楼' };

    it.each([
      ['petition', { ...registerPetition, petitioner: fullPetitioner }, ['张三', '13800001234', '610113199001011234', '雁塔区']],
      ['hotline', { ...receiveHotlineTicket, caller: { name: '赵六', phone: '13900005678' } }, ['赵六', '13900005678']],
      ['dispute', registerDispute, ['李四', '王五']],
    ] as const)('%s intake', (_kind, command, personalValues) => {
      const [intake] = decideIntake(command, INITIAL_CASE_STATE, specContext({ occurredAt: REGISTERED_AT }));
      const data = JSON.stringify(intake.data);
      const personal = JSON.stringify(intake.personal);

      for (const value of personalValues) {
        expect(data).not.toContain(value);
        expect(personal).toContain(value);
      }
      const personalKeysInData = Object.keys(intake.data).filter((key) => /petitioner|caller|part(y|ies)|name|phone/i.test(key));
      expect(personalKeysInData).toEqual([]);
    });

    it('copies only the known petitioner fields', () => {
      const withExtra = { ...registerPetition, petitioner: { ...fullPetitioner, nickname: '老张' } };
      const [intake] = decideIntake(withExtra, INITIAL_CASE_STATE, specContext({ occurredAt: REGISTERED_AT }));

      expect(intake.personal).toEqual({ petitioner: fullPetitioner });
    });
  });

  it('refuses an intake on a case that already exists, naming the command and the state', () => {
    given(petitionHistory.registered)
      .when(registerPetition)
      .thenThrows(IllegalTransitionError, "Command 'register-petition' is not allowed when the case is 'registered'");
  });
});

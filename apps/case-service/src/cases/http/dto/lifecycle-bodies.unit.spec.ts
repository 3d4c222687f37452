import { LIFECYCLE_ACTIONS, type LifecycleAction } from '@cases/domain';
import { CASE_ACTIONS, toLifecycleCommand } from './command-mappers';
import {
  AnswerSupervisionDto,
  DecideExtensionDto,
  LinkDto,
  NoteDto,
  RequestExtensionDto,
  ResolveDto,
  ReviewDto,
  SuperviseDto,
} from './lifecycle.dto';
import { validateBody, type FieldError } from './validate-body';

const OCCURRED_AT = '2026-03-02T09:30:00+08:00';
const SUPERVISION_ID = '0195a2b4-7c1e-7d3a-9f00-2b6f5c1e8a41';
const TARGET_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/**
 * Per action: a body with every field (occurredAt aside) and the fields it cannot do without. The
 * command a full body maps to is `{ type: action, ...full }`: the body's names are the command's.
 */
const BODIES: { [A in LifecycleAction]: { full: Record<string, unknown>; required: string[] } } = {
  accept: { full: { note: '符合受理条件' }, required: [] },
  reject: { full: { reason: '已经通过诉讼途径解决', referredTo: '雁塔区人民法院' }, required: ['reason'] },
  dispatch: { full: { unit: '小寨社区', instructions: '请5个工作日内核实' }, required: ['unit'] },
  sign: { full: {}, required: [] },
  return: { full: { reason: '不属于本单位职责' }, required: ['reason'] },
  progress: { full: { text: '已现场核实' }, required: ['text'] },
  note: { full: { text: '当事人要求电话联系', internal: true }, required: ['text'] },
  'request-extension': { full: { days: 30, reason: '需等待鉴定意见' }, required: ['days', 'reason'] },
  'decide-extension': { full: { approved: false, reason: '理由不充分' }, required: ['approved'] },
  resolve: {
    full: {
      outcome: 'mediated',
      reply: '经调解双方达成协议',
      mediationType: 'people',
      agreement: '甲方赔偿乙方2000元',
      referral: '无',
    },
    required: [],
  },
  review: { full: { satisfaction: 'basically-satisfied', solved: true, note: '群众认可' }, required: [] },
  reopen: { full: { reason: '回访不满意' }, required: ['reason'] },
  close: { full: { note: '多次联系未接通' }, required: [] },
  supervise: { full: { instruction: '本周内办结', dueAt: '2026-03-06T18:00:00+08:00' }, required: ['instruction'] },
  'answer-supervision': { full: { supervisionId: SUPERVISION_ID, answer: '已办结' }, required: ['supervisionId', 'answer'] },
  'request-reexamination': { full: { reason: '对答复不服' }, required: ['reason'] },
  'decide-reexamination': { full: { decision: 'remanded', opinion: '责令重新处理' }, required: ['decision', 'opinion'] },
  link: { full: { targetId: TARGET_ID, relation: 'repeat-of' }, required: ['targetId', 'relation'] },
  urge: { full: { note: '市民再次来电催促' }, required: [] },
  withdraw: { full: { reason: '市民撤回诉求' }, required: ['reason'] },
  // Every field at once maps through; that a field is both given and removed is the domain's refusal.
  'amend-ticket': {
    full: {
      title: '小区路灯不亮',
      description: '幸福路12号院内路灯三盏不亮',
      community: '幸福社区',
      category: '市政设施',
      urgency: 'urgent',
      platformDeadline: '2026-03-10T18:00:00+08:00',
      caller: { name: '李四', phone: '13800138000' },
      remove: ['category'],
    },
    required: [],
  },
};

const requiredPart = (action: LifecycleAction) =>
  Object.fromEntries(BODIES[action].required.map((field) => [field, BODIES[action].full[field]]));

function valueOf(action: LifecycleAction, body: unknown): object {
  const result = validateBody(CASE_ACTIONS[action].body, body);
  if ('errors' in result) throw new Error(`expected a valid body, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** Errors in a stable order: the order class-validator walks fields in is not part of the contract. */
function errorsOf(cls: new () => object, body: unknown): FieldError[] {
  const result = validateBody(cls, body);
  if (!('errors' in result)) throw new Error('expected the body to be rejected');
  return [...result.errors].sort((a, b) => a.field.localeCompare(b.field));
}

/** The mappers take the DTO of their action; a table-driven spec reaches them through the union. */
const commandFor = (action: LifecycleAction, dto: object) => toLifecycleCommand(action, dto as never);

describe('lifecycle bodies', () => {
  it('CASE_ACTIONS gives a body class for every action of SPEC §6', () => {
    expect(Object.keys(CASE_ACTIONS).sort()).toEqual([...LIFECYCLE_ACTIONS].sort());
    expect(new Set(Object.values(CASE_ACTIONS).map((action) => action.body)).size).toBe(LIFECYCLE_ACTIONS.length);
  });

  describe.each([...LIFECYCLE_ACTIONS])('%s', (action) => {
    const cls = CASE_ACTIONS[action].body;
    const { full } = BODIES[action];

    it('accepts a body with every field and occurredAt', () => {
      expect(validateBody(cls, { ...full, occurredAt: OCCURRED_AT })).toEqual({ value: expect.any(cls) });
    });

    it('accepts a body with the required fields only', () => {
      expect(validateBody(cls, requiredPart(action))).toEqual({ value: expect.any(cls) });
    });

    it('rejects an unknown field and a malformed occurredAt together', () => {
      expect(errorsOf(cls, { ...full, caseId: TARGET_ID, occurredAt: '2026-03-02' })).toEqual([
        { field: 'caseId', message: 'property caseId should not exist' },
        {
          field: 'occurredAt',
          message: 'occurredAt must be an ISO-8601 date-time with seconds and a UTC offset, e.g. 2026-03-02T09:30:00+08:00',
        },
      ]);
    });

    it('maps a full body to its command, without occurredAt', () => {
      const dto = valueOf(action, { ...full, occurredAt: OCCURRED_AT });

      expect(commandFor(action, dto)).toStrictEqual({ type: action, ...full });
    });

    it('maps a minimal body without keys for the fields it left out', () => {
      expect(commandFor(action, valueOf(action, requiredPart(action)))).toStrictEqual({
        type: action,
        ...requiredPart(action),
      });
    });

    it('copies no property the DTO does not declare (no mass assignment)', () => {
      const dto = valueOf(action, full);
      Object.assign(dto, { caseId: TARGET_ID, actor: { role: 'admin' }, type: 'close' });

      expect(commandFor(action, dto)).toStrictEqual({ type: action, ...full });
    });
  });

  describe('missing required fields are named', () => {
    const actionsWithRequiredFields = LIFECYCLE_ACTIONS.filter((action) => BODIES[action].required.length > 0);

    it.each(actionsWithRequiredFields)('%s', (action) => {
      expect(errorsOf(CASE_ACTIONS[action].body, {})).toEqual(
        [...BODIES[action].required].sort().map((field) => ({ field, message: `${field} is required` })),
      );
    });
  });

  describe('enumerations name the allowed values', () => {
    it.each([
      [
        'resolve outcome',
        ResolveDto,
        { outcome: 'solved' },
        'outcome',
        'outcome must be one of: supported, partially-supported, explained, not-supported, mediated, failed',
      ],
      [
        'resolve mediation type',
        ResolveDto,
        { mediationType: '人民调解' },
        'mediationType',
        'mediationType must be one of: people, administrative, judicial, joint',
      ],
      [
        'review satisfaction',
        ReviewDto,
        { satisfaction: 'SATISFIED' },
        'satisfaction',
        'satisfaction must be one of: satisfied, basically-satisfied, unsatisfied',
      ],
      [
        'reexamination decision',
        CASE_ACTIONS['decide-reexamination'].body,
        { decision: 'overturned', opinion: '意见' },
        'decision',
        'decision must be one of: upheld, changed, revoked, remanded',
      ],
      [
        'link relation',
        LinkDto,
        { targetId: TARGET_ID, relation: 'parent' },
        'relation',
        'relation must be one of: repeat-of, duplicate-of, related',
      ],
    ])('%s', (_label, cls: new () => object, body, field, message) => {
      expect(errorsOf(cls, body)).toEqual([{ field, message }]);
    });

    it.each(['supported', 'partially-supported', 'explained', 'not-supported', 'mediated', 'failed'])(
      'resolve takes the petition or dispute outcome %s; the domain checks it against the kind',
      (outcome) => {
        expect(validateBody(ResolveDto, { outcome })).toEqual({ value: expect.any(ResolveDto) });
      },
    );
  });

  describe('request-extension days', () => {
    it.each([1, 365])('accepts %i', (days) => {
      expect(validateBody(RequestExtensionDto, { days, reason: '理由' })).toEqual({ value: expect.any(RequestExtensionDto) });
    });

    it.each([
      [0, 'days must be between 1 and 365'],
      [366, 'days must be between 1 and 365'],
      [-5, 'days must be between 1 and 365'],
      [1.5, 'days must be an integer'],
      ['10', 'days must be an integer'],
    ])('rejects %p', (days, message) => {
      expect(errorsOf(RequestExtensionDto, { days, reason: '理由' })).toEqual([{ field: 'days', message }]);
    });
  });

  describe('booleans are JSON booleans, not strings or numbers', () => {
    it.each([
      ['decide-extension approved', DecideExtensionDto, { approved: 'true' }, 'approved'],
      ['review solved', ReviewDto, { solved: 1 }, 'solved'],
      ['note internal', NoteDto, { text: '备注', internal: 'yes' }, 'internal'],
    ])('%s', (_label, cls: new () => object, body, field) => {
      expect(errorsOf(cls, body)).toEqual([{ field, message: `${field} must be a boolean (true or false)` }]);
    });
  });

  describe('ids are UUIDs', () => {
    it.each([
      ['answer-supervision supervisionId', AnswerSupervisionDto, { supervisionId: 'SV-1', answer: '已办结' }, 'supervisionId'],
      ['link targetId', LinkDto, { targetId: 'XF2026-0001', relation: 'related' }, 'targetId'],
    ])('%s', (_label, cls: new () => object, body, field) => {
      expect(errorsOf(cls, body)).toEqual([{ field, message: `${field} must be a UUID` }]);
    });
  });

  it('supervise dueAt must be a date-time with offset', () => {
    expect(errorsOf(SuperviseDto, { instruction: '尽快办结', dueAt: '下周一' })).toEqual([
      {
        field: 'dueAt',
        message: 'dueAt must be an ISO-8601 date-time with seconds and a UTC offset, e.g. 2026-03-02T09:30:00+08:00',
      },
    ]);
  });

  it.each([
    ['progress text', 'progress', 'text'],
    ['resolve reply', 'resolve', 'reply'],
    ['reject reason', 'reject', 'reason'],
  ] as const)('limits %s to 10000 characters', (_label, action, field) => {
    const cls: new () => object = CASE_ACTIONS[action].body;

    expect(validateBody(cls, { ...requiredPart(action), [field]: '字'.repeat(10_000) })).toEqual({ value: expect.any(cls) });
    expect(errorsOf(cls, { ...requiredPart(action), [field]: '字'.repeat(10_001) })).toEqual([
      { field, message: `${field} must be at most 10000 characters long` },
    ]);
  });

  it('limits the dispatch unit to 100 characters', () => {
    expect(errorsOf(CASE_ACTIONS.dispatch.body, { unit: '单'.repeat(101) })).toEqual([
      { field: 'unit', message: 'unit must be at most 100 characters long' },
    ]);
  });
});

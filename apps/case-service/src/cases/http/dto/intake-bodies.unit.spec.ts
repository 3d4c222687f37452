import { CASE_KINDS } from '@cases/domain';
import { INTAKE_DTOS, toIntake, type IntakeDtos } from './command-mappers';
import { ReceiveHotlineTicketDto, RegisterDisputeDto, RegisterPetitionDto } from './intake.dto';
import { validateBody, type FieldError } from './validate-body';

const OCCURRED_AT = '2026-03-02T09:30:00+08:00';
const IDS = { caseId: '0195a2b4-7c1e-7d3a-9f00-2b6f5c1e8a41', orgId: 'org-dayanta', number: 'XF2026-0001' };

/** The command the intake handler decides on: the body's details with the ids it allocates. */
function toIntakeCommand<K extends keyof IntakeDtos>(kind: K, dto: IntakeDtos[K], ids: typeof IDS) {
  return { ...toIntake(kind, dto), ...ids };
}

const petitionBody = {
  title: '楼道堆物',
  description: '3号楼2单元楼道长期堆放杂物',
  channel: 'letter',
  community: '小寨社区',
  category: '城市管理',
  petitioner: { name: '张三', phone: '13812341234', idNumber: '61011319900101123X', address: '小寨东路1号' },
  occurredAt: OCCURRED_AT,
};
const minimalPetitionBody = {
  title: '楼道堆物',
  description: '3号楼2单元楼道长期堆放杂物',
  channel: 'visit',
  community: '小寨社区',
  petitioner: { name: '张三' },
};

const hotlineBody = {
  platformTicketNo: '2026030212345001',
  title: '路灯不亮',
  description: '小寨路口路灯连续三晚不亮',
  community: '小寨社区',
  urgency: 'urgent',
  category: '市政设施',
  caller: { name: '李四', phone: '029-88881234' },
  platformDeadline: '2026-03-09T18:00:00+08:00',
  occurredAt: OCCURRED_AT,
};
const minimalHotlineBody = {
  platformTicketNo: '2026030212345001',
  title: '路灯不亮',
  description: '小寨路口路灯连续三晚不亮',
  community: '小寨社区',
  urgency: 'normal',
};

const disputeBody = {
  title: '邻里漏水纠纷',
  description: '楼上漏水导致楼下墙面受损',
  source: 'walk-in',
  community: '小寨社区',
  category: '邻里纠纷',
  parties: [
    { name: '王五', phone: '13912345678', role: '申请人' },
    { name: '赵六', role: '被申请人' },
  ],
  occurredAt: OCCURRED_AT,
};
const minimalDisputeBody = {
  title: '邻里漏水纠纷',
  description: '楼上漏水导致楼下墙面受损',
  source: 'screening',
  community: '小寨社区',
  parties: [{ name: '王五' }],
};

function valueOf<T extends object>(cls: new () => T, body: unknown): T {
  const result = validateBody(cls, body);
  if ('errors' in result) throw new Error(`expected a valid body, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** Errors in a stable order: the order class-validator walks fields in is not part of the contract. */
function errorsOf(cls: new () => object, body: unknown): FieldError[] {
  const result = validateBody(cls, body);
  if (!('errors' in result)) throw new Error('expected the body to be rejected');
  return [...result.errors].sort((a, b) => a.field.localeCompare(b.field));
}

const fieldsOf = (errors: FieldError[]) => errors.map((error) => error.field);

describe('intake bodies', () => {
  describe('valid bodies pass', () => {
    it.each([
      ['petition, every field', RegisterPetitionDto, petitionBody],
      ['petition, required fields only', RegisterPetitionDto, minimalPetitionBody],
      ['hotline ticket, every field', ReceiveHotlineTicketDto, hotlineBody],
      ['hotline ticket, required fields only', ReceiveHotlineTicketDto, minimalHotlineBody],
      ['hotline ticket, caller without name or phone', ReceiveHotlineTicketDto, { ...minimalHotlineBody, caller: {} }],
      ['dispute, every field', RegisterDisputeDto, disputeBody],
      ['dispute, required fields only', RegisterDisputeDto, minimalDisputeBody],
    ])('%s', (_label, cls: new () => object, body) => {
      expect(validateBody(cls, body)).toEqual({ value: expect.any(cls) });
    });
  });

  describe('missing required fields are named', () => {
    it.each([
      ['petition', RegisterPetitionDto, ['channel', 'community', 'description', 'petitioner', 'title']],
      ['hotline ticket', ReceiveHotlineTicketDto, ['community', 'description', 'platformTicketNo', 'title', 'urgency']],
      ['dispute', RegisterDisputeDto, ['community', 'description', 'parties', 'source', 'title']],
    ])('%s', (_label, cls: new () => object, required) => {
      expect(errorsOf(cls, {})).toEqual(required.map((field) => ({ field, message: `${field} is required` })));
    });

    it('names the missing field of a nested object by its path', () => {
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, petitioner: { phone: '13812341234' } })).toEqual([
        { field: 'petitioner.name', message: 'name is required' },
      ]);
    });

    it('names the missing field of an array item by its index', () => {
      const body = { ...minimalDisputeBody, parties: [{ name: '王五' }, { role: '被申请人' }, { name: '赵六' }] };

      expect(errorsOf(RegisterDisputeDto, body)).toEqual([{ field: 'parties.1.name', message: 'name is required' }]);
    });
  });

  describe('enumerations name the allowed values', () => {
    it.each([
      ['channel', RegisterPetitionDto, minimalPetitionBody, 'channel must be one of: visit, letter, phone, online, transferred'],
      ['urgency', ReceiveHotlineTicketDto, minimalHotlineBody, 'urgency must be one of: normal, urgent'],
      ['source', RegisterDisputeDto, minimalDisputeBody, 'source must be one of: screening, grid, walk-in, referral'],
    ])('%s', (field, cls: new () => object, body, message) => {
      // Enumerations are lower-case English words; the Chinese label is the console's business.
      expect(errorsOf(cls, { ...body, [field]: 'Visit' })).toEqual([{ field, message }]);
    });
  });

  describe('phone numbers', () => {
    const phoneError = (field: string) => ({
      field,
      message:
        'phone must be a mainland phone number: a mobile (11 digits starting with 13-19) or a landline with its area code; digits and "-" only',
    });

    it.each(['13812341234', '199-1234-5678', '029-88881234', '02988881234', '0917-3212345', '010-66668888-801'])('accepts %s', (phone) => {
      expect(validateBody(ReceiveHotlineTicketDto, { ...minimalHotlineBody, caller: { phone } })).toEqual({
        value: expect.any(ReceiveHotlineTicketDto),
      });
    });

    it.each([
      ['ten digits', '1381234123'],
      ['twelve digits', '138123412345'],
      ['a mobile starting with 12', '12812341234'],
      ['a landline without area code', '88881234'],
      ['an international prefix', '+8613812341234'],
      ['letters', '1381234abcd'],
      ['spaces inside', '138 1234 1234'],
    ])('rejects %s', (_label, phone) => {
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, petitioner: { name: '张三', phone } })).toEqual([
        phoneError('petitioner.phone'),
      ]);
    });

    it('rejects a phone given as a JSON number', () => {
      const body = { ...minimalPetitionBody, petitioner: { name: '张三', phone: 13812341234 } };

      expect(errorsOf(RegisterPetitionDto, body)).toEqual([{ field: 'petitioner.phone', message: 'phone must be a string' }]);
    });

    it('checks the phone of every party, by index', () => {
      const body = {
        ...minimalDisputeBody,
        parties: [
          { name: '王五', phone: '123' },
          { name: '赵六', phone: '13912345678' },
        ],
      };

      expect(errorsOf(RegisterDisputeDto, body)).toEqual([phoneError('parties.0.phone')]);
    });
  });

  describe('resident ID numbers', () => {
    const withIdNumber = (idNumber: unknown) => ({ ...minimalPetitionBody, petitioner: { name: '张三', idNumber } });

    it.each(['610113199001011234', '61011319900101123X'])('accepts %s', (idNumber) => {
      expect(valueOf(RegisterPetitionDto, withIdNumber(idNumber)).petitioner.idNumber).toBe(idNumber);
    });

    it('stores a lower-case check character as X', () => {
      expect(valueOf(RegisterPetitionDto, withIdNumber('61011319900101123x')).petitioner.idNumber).toBe('61011319900101123X');
    });

    it.each([
      ['17 characters', '61011319900101123'],
      ['19 characters', '6101131990010112345'],
      ['the old 15-digit number', '610113900101123'],
      ['X before the last place', '6101131990010112X4'],
      ['another letter', '61011319900101123Y'],
    ])('rejects %s', (_label, idNumber) => {
      expect(errorsOf(RegisterPetitionDto, withIdNumber(idNumber))).toEqual([
        {
          field: 'petitioner.idNumber',
          message: 'idNumber must be an 18-character resident ID number: 17 digits, then a digit or X',
        },
      ]);
    });
  });

  describe('date-times', () => {
    const dateTimeError = (field: string) => ({
      field,
      message: `${field} must be an ISO-8601 date-time with seconds and a UTC offset, e.g. 2026-03-02T09:30:00+08:00`,
    });

    it.each(['2026-03-09T18:00:00+08:00', '2026-03-09T10:00:00Z', '2026-03-09T10:00:00.123Z', '2028-02-29T00:00:00+08:00'])(
      'accepts %s',
      (platformDeadline) => {
        expect(valueOf(ReceiveHotlineTicketDto, { ...minimalHotlineBody, platformDeadline }).platformDeadline).toBe(platformDeadline);
      },
    );

    it.each([
      ['a date without time', '2026-03-09'],
      ['a time without offset', '2026-03-09T18:00:00'],
      ['a time without seconds', '2026-03-09T18:00+08:00'],
      ['a day that does not exist', '2026-02-30T10:00:00+08:00'],
      ['February 29 of a common year', '2026-02-29T10:00:00+08:00'],
      ['hour 25', '2026-03-09T25:00:00+08:00'],
      ['a space for T', '2026-03-09 18:00:00+08:00'],
      ['epoch milliseconds', 1772000000000],
      ['free text', 'next Monday'],
    ])('rejects %s', (_label, value) => {
      expect(errorsOf(ReceiveHotlineTicketDto, { ...minimalHotlineBody, platformDeadline: value, occurredAt: value })).toEqual([
        dateTimeError('occurredAt'),
        dateTimeError('platformDeadline'),
      ]);
    });
  });

  describe('text fields', () => {
    it('trims leading and trailing blanks', () => {
      const dto = valueOf(RegisterPetitionDto, {
        ...minimalPetitionBody,
        title: '  楼道堆物 ',
        petitioner: { name: ' 张三\n', phone: ' 13812341234 ' },
      });

      expect([dto.title, dto.petitioner.name, dto.petitioner.phone]).toEqual(['楼道堆物', '张三', '13812341234']);
    });

    it('rejects blank-only values as empty', () => {
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, title: ' \t ', community: '' })).toEqual([
        { field: 'community', message: 'community must not be empty' },
        { field: 'title', message: 'title must not be empty' },
      ]);
    });

    it.each([
      ['title', 200],
      ['description', 10_000],
      ['community', 100],
      ['category', 100],
    ])('limits %s to %i characters', (field, limit) => {
      expect(validateBody(RegisterPetitionDto, { ...minimalPetitionBody, [field]: '字'.repeat(limit) })).toEqual({
        value: expect.any(RegisterPetitionDto),
      });
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, [field]: '字'.repeat(limit + 1) })).toEqual([
        { field, message: `${field} must be at most ${limit} characters long` },
      ]);
    });

    it.each([
      ['petitioner.name', { petitioner: { name: '名'.repeat(101) } }, 'name must be at most 100 characters long'],
      ['petitioner.address', { petitioner: { name: '张三', address: '址'.repeat(201) } }, 'address must be at most 200 characters long'],
    ])('limits %s', (field, override, message) => {
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, ...override })).toEqual([{ field, message }]);
    });

    it('limits the platform ticket number to 64 characters', () => {
      expect(errorsOf(ReceiveHotlineTicketDto, { ...minimalHotlineBody, platformTicketNo: '9'.repeat(65) })).toEqual([
        { field: 'platformTicketNo', message: 'platformTicketNo must be at most 64 characters long' },
      ]);
    });
  });

  describe('optional fields', () => {
    it('may be absent but not null: a command never carries null', () => {
      expect(errorsOf(ReceiveHotlineTicketDto, { ...minimalHotlineBody, category: null, caller: null, platformDeadline: null })).toEqual([
        { field: 'caller', message: 'caller must be an object' },
        { field: 'category', message: 'category must be a string' },
        {
          field: 'platformDeadline',
          message: 'platformDeadline must be an ISO-8601 date-time with seconds and a UTC offset, e.g. 2026-03-02T09:30:00+08:00',
        },
      ]);
    });
  });

  describe('nested shapes', () => {
    it.each([
      ['an array', [{ name: '张三' }]],
      ['a string', '张三'],
    ])('rejects a petitioner given as %s', (_label, petitioner) => {
      expect(errorsOf(RegisterPetitionDto, { ...minimalPetitionBody, petitioner })).toEqual([
        { field: 'petitioner', message: 'petitioner must be an object' },
      ]);
    });

    it('needs at least one party', () => {
      expect(errorsOf(RegisterDisputeDto, { ...minimalDisputeBody, parties: [] })).toEqual([
        { field: 'parties', message: 'parties must contain at least 1 item(s)' },
      ]);
    });

    it('rejects parties given as a single object', () => {
      expect(errorsOf(RegisterDisputeDto, { ...minimalDisputeBody, parties: { name: '王五' } })).toEqual([
        { field: 'parties', message: 'parties must be an array' },
      ]);
    });

    it.each([
      ['a string', ['王五']],
      ['a nested array', [[{ name: '王五' }]]],
      ['null', [{ name: '王五' }, null]],
    ])('rejects a party given as %s', (_label, parties) => {
      expect(errorsOf(RegisterDisputeDto, { ...minimalDisputeBody, parties })).toEqual([
        { field: 'parties', message: 'every item of parties must be an object' },
      ]);
    });

    it('reports the errors of several parties together with top-level ones', () => {
      const body = {
        ...minimalDisputeBody,
        title: '',
        parties: [{ name: '王五', phone: 'x' }, { name: '赵六' }, { name: '', role: 7 }],
      };

      expect(fieldsOf(errorsOf(RegisterDisputeDto, body))).toEqual(['parties.0.phone', 'parties.2.name', 'parties.2.role', 'title']);
    });
  });

  describe('INTAKE_DTOS', () => {
    it('gives the body class of every case kind', () => {
      expect(Object.keys(INTAKE_DTOS).sort()).toEqual([...CASE_KINDS].sort());
      expect(INTAKE_DTOS).toEqual({
        petition: RegisterPetitionDto,
        hotline: ReceiveHotlineTicketDto,
        dispute: RegisterDisputeDto,
      });
    });
  });

  describe('toIntakeCommand', () => {
    it('builds a petition registration from every field but occurredAt', () => {
      expect(toIntakeCommand('petition', valueOf(RegisterPetitionDto, petitionBody), IDS)).toStrictEqual({
        type: 'register-petition',
        ...IDS,
        title: '楼道堆物',
        description: '3号楼2单元楼道长期堆放杂物',
        community: '小寨社区',
        category: '城市管理',
        channel: 'letter',
        petitioner: { name: '张三', phone: '13812341234', idNumber: '61011319900101123X', address: '小寨东路1号' },
      });
    });

    it('builds a hotline ticket from every field but occurredAt', () => {
      expect(toIntakeCommand('hotline', valueOf(ReceiveHotlineTicketDto, hotlineBody), IDS)).toStrictEqual({
        type: 'receive-hotline-ticket',
        ...IDS,
        platformTicketNo: '2026030212345001',
        title: '路灯不亮',
        description: '小寨路口路灯连续三晚不亮',
        community: '小寨社区',
        category: '市政设施',
        urgency: 'urgent',
        caller: { name: '李四', phone: '029-88881234' },
        platformDeadline: '2026-03-09T18:00:00+08:00',
      });
    });

    it('builds a dispute registration from every field but occurredAt', () => {
      expect(toIntakeCommand('dispute', valueOf(RegisterDisputeDto, disputeBody), IDS)).toStrictEqual({
        type: 'register-dispute',
        ...IDS,
        title: '邻里漏水纠纷',
        description: '楼上漏水导致楼下墙面受损',
        community: '小寨社区',
        category: '邻里纠纷',
        source: 'walk-in',
        parties: [
          { name: '王五', phone: '13912345678', role: '申请人' },
          { name: '赵六', role: '被申请人' },
        ],
      });
    });

    it('leaves out the optional fields a body did not give', () => {
      expect(toIntakeCommand('petition', valueOf(RegisterPetitionDto, minimalPetitionBody), IDS)).toStrictEqual({
        type: 'register-petition',
        ...IDS,
        title: '楼道堆物',
        description: '3号楼2单元楼道长期堆放杂物',
        community: '小寨社区',
        channel: 'visit',
        petitioner: { name: '张三' },
      });
      expect(Object.keys(toIntakeCommand('hotline', valueOf(ReceiveHotlineTicketDto, minimalHotlineBody), IDS)).sort()).toEqual([
        'caseId',
        'community',
        'description',
        'number',
        'orgId',
        'platformTicketNo',
        'title',
        'type',
        'urgency',
      ]);
    });

    it('copies no property the DTO does not declare, at any depth (no mass assignment)', () => {
      const petition = valueOf(RegisterPetitionDto, petitionBody);
      Object.assign(petition, { status: 'closed', orgId: 'another-org' });
      Object.assign(petition.petitioner, { masked: false });
      const dispute = valueOf(RegisterDisputeDto, disputeBody);
      Object.assign(dispute.parties[0], { verified: true });

      const petitionCommand = toIntakeCommand('petition', petition, IDS);
      const disputeCommand = toIntakeCommand('dispute', dispute, IDS);

      expect(petitionCommand).not.toHaveProperty('status');
      expect(petitionCommand.orgId).toBe(IDS.orgId);
      expect(petitionCommand.petitioner).not.toHaveProperty('masked');
      expect(disputeCommand.parties[0]).not.toHaveProperty('verified');
    });
  });
});

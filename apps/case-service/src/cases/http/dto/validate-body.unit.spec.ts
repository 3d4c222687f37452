import { RegisterDisputeDto, RegisterPetitionDto } from './intake.dto';
import { ProgressDto, SignDto } from './lifecycle.dto';
import { validateBody, type FieldError } from './validate-body';

const petition = {
  title: '楼道堆物',
  description: '3号楼楼道堆放杂物',
  channel: 'visit',
  community: '小寨社区',
  petitioner: { name: '张三', phone: '13812341234' },
};

const dispute = {
  title: '邻里漏水纠纷',
  description: '楼上漏水导致楼下墙面受损',
  source: 'grid',
  community: '小寨社区',
  parties: [{ name: '王五' }, { name: '赵六', role: '被申请人' }],
};

/** Errors in a stable order: the order class-validator walks fields in is not part of the contract. */
function errorsOf(cls: new () => object, body: unknown): FieldError[] {
  const result = validateBody(cls, body);
  if (!('errors' in result)) throw new Error('expected the body to be rejected');
  return [...result.errors].sort((a, b) => a.field.localeCompare(b.field));
}

describe('validateBody', () => {
  it('answers an instance of the class, with strings trimmed', () => {
    const result = validateBody(ProgressDto, { text: '  已现场核实  ' });

    expect(result).toEqual({ value: expect.any(ProgressDto) });
    expect('value' in result && result.value.text).toBe('已现场核实');
  });

  it.each([
    ['an array', [petition]],
    ['null', null],
    ['a string', '{"title":"x"}'],
    ['a number', 42],
    ['a boolean', true],
    ['nothing', undefined],
  ])('rejects %s as the body with one error on the empty field', (_label, body) => {
    expect(validateBody(RegisterPetitionDto, body)).toEqual({
      errors: [{ field: '', message: 'the request body must be a JSON object' }],
    });
  });

  it('reports every failing field at once: three problems give three errors', () => {
    const body = { ...petition, title: '', channel: 'fax', petitioner: { name: '张三', idNumber: '12345' } };

    expect(errorsOf(RegisterPetitionDto, body)).toEqual([
      { field: 'channel', message: 'channel must be one of: visit, letter, phone, online, transferred' },
      {
        field: 'petitioner.idNumber',
        message: 'idNumber must be an 18-character resident ID number: 17 digits, then a digit or X',
      },
      { field: 'title', message: 'title must not be empty' },
    ]);
  });

  it('gives one error per field, for its first broken rule', () => {
    // 42 is neither a string nor within the length rule; only the type is reported.
    expect(errorsOf(ProgressDto, { text: 42 })).toEqual([{ field: 'text', message: 'text must be a string' }]);
    expect(errorsOf(ProgressDto, {})).toEqual([{ field: 'text', message: 'text is required' }]);
  });

  it('rejects unknown fields by name, top-level and nested, alongside the other errors', () => {
    const body = {
      ...dispute,
      priority: 'high',
      parties: [{ name: '王五', email: 'w@example.com' }, { name: '' }],
    };

    expect(errorsOf(RegisterDisputeDto, body)).toEqual([
      { field: 'parties.0.email', message: 'property email should not exist' },
      { field: 'parties.1.name', message: 'name must not be empty' },
      { field: 'priority', message: 'property priority should not exist' },
    ]);
  });

  it('names unknown fields inside a nested object', () => {
    const body = { ...petition, petitioner: { name: '张三', gender: '男' } };

    expect(errorsOf(RegisterPetitionDto, body)).toEqual([{ field: 'petitioner.gender', message: 'property gender should not exist' }]);
  });

  it('rejects a body with only unknown fields even when the class has no required field', () => {
    expect(errorsOf(SignDto, { unit: '小寨社区' })).toEqual([{ field: 'unit', message: 'property unit should not exist' }]);
  });

  it('rejects __proto__ and constructor keys, which the transformer would otherwise swallow silently', () => {
    const body = JSON.parse(
      '{"__proto__": {"isAdmin": true}, "constructor": {"name": "x"}, "text": "进展", ' + '"nested": {"__proto__": {}}}',
    );

    expect(errorsOf(ProgressDto, body)).toEqual([
      { field: '__proto__', message: 'property __proto__ should not exist' },
      { field: 'constructor', message: 'property constructor should not exist' },
      { field: 'nested', message: 'property nested should not exist' },
      { field: 'nested.__proto__', message: 'property __proto__ should not exist' },
    ]);
  });
});

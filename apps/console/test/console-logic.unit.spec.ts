import { ApiProblem, chineseFieldMessage, fieldPath, problemMessage } from '../src/api/problems';
import { listQuery, readFilters, writeFilters } from '../src/cases/queue-filters';

describe('field errors of the API, in Chinese', () => {
  it.each([
    ['title is required', '必填'],
    ['community must not be empty', '不能为空'],
    ['title must be at most 200 characters long', '不能超过 200 个字'],
    [
      'phone must be a mainland phone number: a mobile (11 digits starting with 13-19) or a landline with its area code; digits and "-" only',
      '请填写有效的手机号（11 位）或带区号的固定电话',
    ],
    ['idNumber must be an 18-character resident ID number: 17 digits, then a digit or X', '请填写 18 位居民身份证号码（最后一位可为 X）'],
    ['channel must be one of: visit, letter, phone, online, transferred', '请从列表中选择'],
    ['days must be a whole number from 1 to 365', '请填写 1 到 365 之间的整数'],
    ['parties must contain at least 1 item(s)', '至少填写 1 项'],
    ['password must be at least 10 characters', '至少 10 个字符'],
    ['property nickname should not exist', '系统不接受此项'],
  ])('%s → %s', (message, chinese) => {
    expect(chineseFieldMessage(message)).toBe(chinese);
  });

  it('keeps a message it has no translation for, so nothing is hidden', () => {
    expect(chineseFieldMessage('something new')).toBe('填写有误（something new）');
  });

  it('turns dotted paths into form name paths, indexes as numbers', () => {
    expect(fieldPath('parties.0.name')).toEqual(['parties', 0, 'name']);
    expect(fieldPath('petitioner.phone')).toEqual(['petitioner', 'phone']);
  });

  it('says what a refusal means by its status', () => {
    expect(problemMessage(new ApiProblem(412, 'CASE.STALE', 'Stale', 'revision 3 is not 4'))).toBe('案件已被他人更新，请刷新后再操作');
    expect(problemMessage(new ApiProblem(409, 'CASE.ILLEGAL_TRANSITION', 'Not allowed', "Command 'sign' in 'accepted'"))).toContain(
      '案件当前状态不允许此操作',
    );
    expect(problemMessage(new ApiProblem(0, 'NETWORK', '', 'Failed to fetch'))).toBe('无法连接服务，请检查网络后重试');
  });
});

describe('work-queue filters in the address bar', () => {
  it('round-trip through the query string, defaults left out', () => {
    const filters = readFilters(new URLSearchParams('kind=hotline&status=dispatched&overdue=true&dueWithinHours=24&text=路灯&page=2'));
    expect(filters).toEqual({
      kind: 'hotline',
      status: 'dispatched',
      unit: undefined,
      community: undefined,
      overdue: true,
      dueWithinHours: 24,
      text: '路灯',
      page: 2,
      pageSize: 20,
    });
    expect(writeFilters(filters).toString()).toBe(
      new URLSearchParams('kind=hotline&status=dispatched&overdue=true&dueWithinHours=24&text=路灯&page=2').toString(),
    );
  });

  it('drop values the service would refuse instead of sending them', () => {
    const filters = readFilters(new URLSearchParams('kind=letter&status=done&dueWithinHours=0&page=-1&pageSize=1000&text=%20%20'));
    expect(listQuery(filters)).toEqual({
      kind: undefined,
      status: undefined,
      unit: undefined,
      community: undefined,
      overdue: undefined,
      dueWithinHours: undefined,
      text: undefined,
      page: 1,
      pageSize: 20,
    });
  });
});

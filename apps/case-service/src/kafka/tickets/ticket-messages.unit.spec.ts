import { parseTicketMessage, type ParsedTicketMessage } from './ticket-messages';

const DISPATCHED = {
  schema: 'gov12345.ticket.dispatched/v1',
  ticketNo: 'GD2026030212345001',
  title: '路灯不亮',
  content: '长安南路与小寨东路交叉口路灯连续三晚不亮。',
  community: '小寨社区',
  category: '城市管理',
  urgency: 'urgent',
  caller: { name: '李四', phone: '13912345678' },
  deadline: '2026-03-09T18:00:00+08:00',
  dispatchedAt: '2026-03-02T08:30:00+08:00',
};

function parse(value: unknown): ParsedTicketMessage {
  return parseTicketMessage(Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
}

function poisonOf(value: unknown) {
  const parsed = parse(value);
  if (parsed.ok) throw new Error('expected a poison message');
  return parsed.poison;
}

describe('gov12345.tickets messages (SPEC §8, version 1)', () => {
  it('reads a dispatched ticket with every field, and one with only the required ones', () => {
    const parsed = parse(DISPATCHED);
    expect(parsed).toEqual({ ok: true, message: { schema: DISPATCHED.schema, ticket: expect.objectContaining(DISPATCHED) } });
    const { category: _category, caller: _caller, deadline: _deadline, ...required } = DISPATCHED;
    const minimal = parse(required);
    expect(minimal.ok && minimal.message.ticket).toEqual(expect.objectContaining(required));
  });

  it('reads urged and withdrawn messages', () => {
    const urged = { schema: 'gov12345.ticket.urged/v1', ticketNo: 'GD1', urgedAt: '2026-03-03T10:00:00+08:00', note: '市民再次来电' };
    const withdrawn = {
      schema: 'gov12345.ticket.withdrawn/v1',
      ticketNo: 'GD1',
      withdrawnAt: '2026-03-03T11:00:00+08:00',
      reason: '重复工单',
    };
    expect(parse(urged)).toEqual({ ok: true, message: { schema: urged.schema, ticket: expect.objectContaining(urged) } });
    expect(parse(withdrawn)).toEqual({ ok: true, message: { schema: withdrawn.schema, ticket: expect.objectContaining(withdrawn) } });
  });

  it.each([
    ['no value', Buffer.alloc(0)],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b])],
    ['text that is not JSON', '{"schema": '],
    ['JSON that is not an object', '[1, 2]'],
    ['a JSON string', '"gov12345.ticket.dispatched/v1"'],
  ])('calls %s unparseable', (_name, value) => {
    expect(poisonOf(value).reason).toBe('unparseable');
  });

  it('names a missing or unknown schema', () => {
    const { schema: _schema, ...withoutSchema } = DISPATCHED;
    expect(poisonOf(withoutSchema)).toEqual({ reason: 'unknown-schema', detail: expect.stringContaining('schema missing') });
    expect(poisonOf({ ...DISPATCHED, schema: 'gov12345.ticket.dispatched/v2' })).toEqual({
      reason: 'unknown-schema',
      detail: expect.stringContaining("'gov12345.ticket.dispatched/v2'"),
    });
  });

  it('names every invalid field and rule, and never a value', () => {
    const poison = poisonOf({
      ...DISPATCHED,
      title: '   ',
      urgency: 'asap',
      caller: { name: '李四', phone: '12345' },
      dispatchedAt: '2026-02-30T08:30:00+08:00',
      extra: '王五 13712345678',
    });
    expect(poison.reason).toBe('invalid');
    for (const field of ['title', 'urgency', 'caller.phone', 'dispatchedAt', 'extra']) expect(poison.detail).toContain(field);
    for (const value of ['李四', '12345', 'asap', '王五', '13712345678', '2026-02-30']) expect(poison.detail).not.toContain(value);
  });

  it('refuses a message of one schema with the fields of another', () => {
    const poison = poisonOf({ ...DISPATCHED, schema: 'gov12345.ticket.urged/v1' });
    expect(poison.reason).toBe('invalid');
    expect(poison.detail).toContain('urgedAt');
  });
});

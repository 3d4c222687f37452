/** Valid intake bodies (SPEC §6) with realistic personal data, overridable field by field. */

export const PETITIONER = { name: '张三', phone: '13812341234', idNumber: '610113199001011234', address: '雁塔区小寨东路1号' };
export const CALLER = { name: '李四', phone: '13912345678' };
export const PARTIES = [
  { name: '王五', phone: '13712345678', role: '申请人' },
  { name: '赵六', role: '被申请人' },
];

/** Every full personal value used above: none may appear in a list, view or history response. */
export const FULL_PERSONAL_VALUES: readonly string[] = [
  PETITIONER.phone,
  PETITIONER.idNumber,
  PETITIONER.address,
  PETITIONER.name,
  CALLER.phone,
  CALLER.name,
  '13712345678',
  PARTIES[0].name,
  PARTIES[1].name,
];

export function petitionBody(overrides: Record<string, unknown> = {}) {
  return {
    title: '小区楼道堆放杂物',
    description: '3号楼2单元楼道长期堆放杂物，存在消防隐患，请求清理。',
    channel: 'visit',
    community: '小寨社区',
    category: '城市管理',
    petitioner: { ...PETITIONER },
    ...overrides,
  };
}

let ticketSequence = 0;

/** A hotline ticket with a fresh platform ticket number unless one is given. */
export function hotlineBody(overrides: Record<string, unknown> = {}) {
  ticketSequence += 1;
  return {
    platformTicketNo: `GD2026030200${String(ticketSequence).padStart(4, '0')}`,
    title: '路灯不亮',
    description: '长安南路与小寨东路交叉口路灯连续三晚不亮。',
    community: '小寨社区',
    urgency: 'normal',
    caller: { ...CALLER },
    ...overrides,
  };
}

export function disputeBody(overrides: Record<string, unknown> = {}) {
  return {
    title: '楼上漏水纠纷',
    description: '5号楼601卫生间漏水导致501天花板受损，双方协商未果。',
    source: 'screening',
    community: '大雁塔社区',
    parties: PARTIES.map((party) => ({ ...party })),
    ...overrides,
  };
}

/** Fails when any full personal value (a phone, an ID number, a full name…) appears in a response body. */
export function expectNoFullPersonalData(body: unknown): void {
  const json = JSON.stringify(body);
  const leaked = FULL_PERSONAL_VALUES.filter((value) => json.includes(value));
  expect(leaked).toEqual([]);
  // No 11-digit mainland mobile number in clear anywhere (a run of digits inside a UUID does not count).
  expect(json).not.toMatch(/(?<![0-9a-f-])1[3-9]\d{9}(?![0-9a-f])/i);
}

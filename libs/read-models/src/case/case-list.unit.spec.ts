import {
  caseAccepted,
  caseDispatched,
  caseRejected,
  caseReturned,
  deadlineSet,
  disputeRegistered,
  hotlineTicketReceived,
  ORG_ID,
  petitionRegistered,
} from '../testing/case-events';
import { ProjectionOnMemory } from '../testing/projection-on-memory';
import { RecordedLog } from '../testing/recorded-log';
import { caseProjection } from './case.projection';
import { listCases, type CaseListQuery } from './case-list';

const NOW = new Date('2026-03-20T00:00:00.000Z');
const OTHER_ORG = 'org-xiaozhai';

const PETITION_DISPATCHED = 'aaaaaaaa-0000-4000-8000-000000000001';
const HOTLINE_OVERDUE = 'aaaaaaaa-0000-4000-8000-000000000002';
const DISPUTE_REGISTERED = 'aaaaaaaa-0000-4000-8000-000000000003';
const PETITION_REJECTED = 'aaaaaaaa-0000-4000-8000-000000000004';
const HOTLINE_OTHER_ORG = 'aaaaaaaa-0000-4000-8000-000000000005';

/** Five cases, newest registration first: other org, dispute, hotline, petition, rejected petition. */
function recordCases(log: RecordedLog): void {
  log.recordAll(PETITION_DISPATCHED, [
    petitionRegistered(PETITION_DISPATCHED, '2026-03-01T01:00:00.000Z', { community: '雁塔社区' }),
    deadlineSet('acceptance', '2026-03-01T01:00:00.000Z', '2026-03-16T01:00:00.000Z'),
    caseAccepted('2026-03-02T01:00:00.000Z'),
    deadlineSet('reply', '2026-03-02T01:00:00.000Z', '2026-05-01T01:00:00.000Z'),
    caseDispatched('2026-03-02T02:00:00.000Z', '城管执法中队'),
  ]);
  log.recordAll(HOTLINE_OVERDUE, [
    hotlineTicketReceived(HOTLINE_OVERDUE, '2026-03-05T01:00:00.000Z', { platformTicketNo: 'GD-ABC-7', community: '小寨社区' }),
    caseDispatched('2026-03-05T01:30:00.000Z', '市政所'),
    deadlineSet('sign', '2026-03-05T01:30:00.000Z', '2026-03-05T03:30:00.000Z'),
    deadlineSet('resolve', '2026-03-05T01:30:00.000Z', '2026-03-12T10:00:00.000Z'),
  ]);
  log.recordAll(DISPUTE_REGISTERED, [
    disputeRegistered(DISPUTE_REGISTERED, '2026-03-10T00:00:00.000Z', { community: '等驾坡社区' }),
    deadlineSet('acceptance', '2026-03-10T00:00:00.000Z', '2026-03-25T00:00:00.000Z'),
  ]);
  log.recordAll(PETITION_REJECTED, [
    petitionRegistered(PETITION_REJECTED, '2026-02-20T01:00:00.000Z', {
      number: 'XF2026-0002',
      title: '噪音 100% 超标',
      description: 'Loud MUSIC at night',
    }),
    deadlineSet('acceptance', '2026-02-20T01:00:00.000Z', '2026-03-07T01:00:00.000Z'),
    caseRejected('2026-02-21T01:00:00.000Z', '已进入诉讼程序'),
  ]);
  log.recordAll(HOTLINE_OTHER_ORG, [
    hotlineTicketReceived(HOTLINE_OTHER_ORG, '2026-03-15T01:00:00.000Z', {
      orgId: OTHER_ORG,
      number: 'RX2026-0001',
      platformTicketNo: 'GD-XZ-1',
    }),
  ]);
}

describe('listCases', () => {
  let projection: ProjectionOnMemory;
  const db = () => projection.reader;
  const ids = async (query: CaseListQuery) => (await listCases(db(), query, NOW)).items.map((item) => item.id);

  beforeAll(async () => {
    projection = await ProjectionOnMemory.open(caseProjection());
    const log = new RecordedLog();
    recordCases(log);
    await projection.apply(log.events);
  });
  afterAll(() => projection.close());

  it('lists newest registrations first, 20 to a page by default', async () => {
    const page = await listCases(db(), {}, NOW);

    expect(page).toMatchObject({ total: 5, page: 1, pageSize: 20 });
    expect(page.items.map((item) => item.id)).toEqual([
      HOTLINE_OTHER_ORG,
      DISPUTE_REGISTERED,
      HOTLINE_OVERDUE,
      PETITION_DISPATCHED,
      PETITION_REJECTED,
    ]);
  });

  it('pages through the matches and counts them all', async () => {
    expect(await listCases(db(), { page: 2, pageSize: 2 }, NOW)).toMatchObject({
      items: [{ id: HOTLINE_OVERDUE }, { id: PETITION_DISPATCHED }],
      total: 5,
      page: 2,
      pageSize: 2,
    });
    expect(await listCases(db(), { page: 4, pageSize: 2 }, NOW)).toMatchObject({ items: [], total: 5 });
  });

  it('refuses a page size above 100 and a page below 1', async () => {
    await expect(listCases(db(), { pageSize: 101 }, NOW)).rejects.toThrow(RangeError);
    await expect(listCases(db(), { pageSize: 0 }, NOW)).rejects.toThrow(RangeError);
    await expect(listCases(db(), { page: 0 }, NOW)).rejects.toThrow(RangeError);
    expect((await listCases(db(), { pageSize: 100 }, NOW)).pageSize).toBe(100);
  });

  it('describes each case with its earliest pending deadline and whether it is overdue', async () => {
    const [overdueHotline] = (await listCases(db(), { text: 'GD-ABC-7' }, NOW)).items;

    expect(overdueHotline).toEqual({
      id: HOTLINE_OVERDUE,
      number: 'RX2026-0001',
      kind: 'hotline',
      status: 'dispatched',
      title: '路灯不亮',
      community: '小寨社区',
      unit: '市政所',
      urgency: 'normal',
      platformTicketNo: 'GD-ABC-7',
      registeredAt: '2026-03-05T01:00:00.000Z',
      updatedAt: '2026-03-05T01:30:00.000Z',
      revision: 3n,
      nextDeadline: { milestone: 'sign', dueAt: '2026-03-05T03:30:00.000Z', hoursLeft: -356.5 },
      overdue: true,
      needsAttention: false,
    });
    const byId = new Map((await listCases(db(), {}, NOW)).items.map((item) => [item.id, item]));
    expect(byId.get(PETITION_DISPATCHED)).toMatchObject({ nextDeadline: { milestone: 'reply' }, overdue: false });
    expect(byId.get(DISPUTE_REGISTERED)).toMatchObject({ nextDeadline: { milestone: 'acceptance' }, overdue: false });
    expect(byId.get(PETITION_REJECTED)).toMatchObject({ nextDeadline: null, overdue: false });
    expect(byId.get(PETITION_REJECTED)).not.toHaveProperty('unit');
  });

  it('filters by kind, status, unit and community', async () => {
    expect(await ids({ kind: 'petition' })).toEqual([PETITION_DISPATCHED, PETITION_REJECTED]);
    expect(await ids({ status: 'dispatched' })).toEqual([HOTLINE_OVERDUE, PETITION_DISPATCHED]);
    expect(await ids({ unit: '市政所' })).toEqual([HOTLINE_OVERDUE]);
    expect(await ids({ community: '等驾坡社区' })).toEqual([DISPUTE_REGISTERED]);
  });

  it('filters by one organisation or several, and an empty list of them matches nothing', async () => {
    expect(await ids({ orgId: OTHER_ORG })).toEqual([HOTLINE_OTHER_ORG]);
    expect(await ids({ orgId: [ORG_ID, OTHER_ORG] })).toHaveLength(5);
    expect(await ids({ orgId: ORG_ID })).not.toContain(HOTLINE_OTHER_ORG);
    expect(await ids({ orgId: [] })).toEqual([]);
  });

  it('finds cases by a pending milestone and by deadlines falling due soon', async () => {
    // NOW is 2026-03-20T00:00Z: the dispute's acceptance is due 120 hours later (03-25T00:00Z),
    // the petition's reply 1009 hours later (05-01T01:00Z); the hotline's sign and resolve are past.
    expect(await ids({ dueWithinHours: 120 })).toEqual([]);
    expect(await ids({ dueWithinHours: 121 })).toEqual([DISPUTE_REGISTERED]);
    expect(await ids({ dueWithinHours: 1010 })).toEqual([DISPUTE_REGISTERED, PETITION_DISPATCHED]);
    expect(await ids({ milestone: 'sign' })).toEqual([HOTLINE_OVERDUE]);
    expect(await ids({ milestone: 'reply', dueWithinHours: 1010 })).toEqual([PETITION_DISPATCHED]);
    expect(await ids({ milestone: 'reply', overdue: true })).toEqual([]);
    expect(await ids({ milestone: 'resolve', overdue: true })).toEqual([HOTLINE_OVERDUE]);
    // With a milestone, the filters speak of that milestone pending: a reply still on track.
    expect(await ids({ milestone: 'reply', overdue: false })).toEqual([PETITION_DISPATCHED]);
  });

  it('finds overdue cases: a deadline passed at `now` and not reached', async () => {
    expect(await ids({ overdue: true })).toEqual([HOTLINE_OVERDUE]);
    expect(await ids({ overdue: false })).toEqual([HOTLINE_OTHER_ORG, DISPUTE_REGISTERED, PETITION_DISPATCHED, PETITION_REJECTED]);
    expect((await listCases(db(), { overdue: true }, new Date('2026-03-26T00:00:00.000Z'))).items.map((item) => item.id)).toEqual([
      DISPUTE_REGISTERED,
      HOTLINE_OVERDUE,
    ]);
  });

  it('filters by registration period [from, to)', async () => {
    expect(await ids({ registeredFrom: new Date('2026-03-01T01:00:00.000Z'), registeredTo: new Date('2026-03-10T00:00:00.000Z') })).toEqual(
      [HOTLINE_OVERDUE, PETITION_DISPATCHED],
    );
    expect(await ids({ registeredTo: new Date('2026-03-01T00:00:00.000Z') })).toEqual([PETITION_REJECTED]);
  });

  it('searches number, title, description and ticket number, ignoring case', async () => {
    expect(await ids({ text: 'xf2026-0002' })).toEqual([PETITION_REJECTED]);
    expect(await ids({ text: '路灯' })).toEqual([HOTLINE_OTHER_ORG, HOTLINE_OVERDUE]);
    expect(await ids({ text: 'music' })).toEqual([PETITION_REJECTED]);
    expect(await ids({ text: 'gd-abc' })).toEqual([HOTLINE_OVERDUE]);
  });

  it('takes % and _ in the search text literally', async () => {
    expect(await ids({ text: '100%' })).toEqual([PETITION_REJECTED]);
    expect(await ids({ text: '%' })).toEqual([PETITION_REJECTED]);
    expect(await ids({ text: '_' })).toEqual([]);
  });

  it('combines filters', async () => {
    expect(await ids({ kind: 'hotline', overdue: true, orgId: ORG_ID })).toEqual([HOTLINE_OVERDUE]);
    expect(await ids({ kind: 'hotline', community: '等驾坡社区' })).toEqual([]);
  });
});

describe('listCases after a return (退单)', () => {
  const RETURNED = 'aaaaaaaa-0000-4000-8000-000000000006';
  let projection: ProjectionOnMemory;

  beforeAll(async () => {
    projection = await ProjectionOnMemory.open(caseProjection());
    const log = new RecordedLog();
    log.recordAll(RETURNED, [
      hotlineTicketReceived(RETURNED, '2026-03-05T01:00:00.000Z', { platformTicketNo: 'GD-RET-1' }),
      caseDispatched('2026-03-05T01:30:00.000Z', '市政所'),
      deadlineSet('sign', '2026-03-05T01:30:00.000Z', '2026-03-05T03:30:00.000Z'),
      deadlineSet('resolve', '2026-03-05T01:30:00.000Z', '2026-03-12T10:00:00.000Z'),
      caseReturned('2026-03-05T02:00:00.000Z', '市政所', '不属于本单位职责'),
    ]);
    await projection.apply(log.events);
  });
  afterAll(() => projection.close());

  it('owes nothing for the sign and resolve episodes the return ended, long after their deadlines', async () => {
    const { items } = await listCases(projection.reader, {}, NOW);

    expect(items).toMatchObject([{ id: RETURNED, status: 'accepted', nextDeadline: null, overdue: false }]);
    expect((await listCases(projection.reader, { overdue: true }, NOW)).total).toBe(0);
    expect((await listCases(projection.reader, { milestone: 'sign' }, NOW)).total).toBe(0);
  });
});

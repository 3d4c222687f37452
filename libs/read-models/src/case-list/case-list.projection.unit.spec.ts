import Database from 'better-sqlite3';
import {
  caseAccepted,
  caseDispatched,
  caseResolved,
  caseReturned,
  caseSigned,
  deadlineSet,
  hotlineTicketReceived,
  ORG_ID,
  petitionRegistered,
} from '../testing/case-events';
import { RecordedLog } from '../testing/recorded-log';
import { caseListProjection } from './case-list.projection';

const CASE_ID = '0b6b2c1a-3c4d-4e5f-8a9b-000000000001';

describe('case list projection', () => {
  let db: Database.Database;
  let log: RecordedLog;
  const projection = caseListProjection();

  const row = () =>
    db
      .prepare(
        `SELECT case_id, org_id, kind, number, status, title, description, community, unit, urgency,
                platform_ticket_no, registered_at, updated_at, revision FROM case_list WHERE case_id = ?`,
      )
      .get(CASE_ID);
  const deadlines = () =>
    db
      .prepare('SELECT milestone, version, due_at, reached_at FROM case_deadlines WHERE case_id = ? ORDER BY milestone')
      .all(CASE_ID);

  beforeEach(() => {
    db = new Database(':memory:');
    projection.createSchema(db);
    log = new RecordedLog();
  });
  afterEach(() => db.close());

  it('lists a case from its intake, with times normalised to UTC', () => {
    projection.applyBatch(db, [
      log.record(
        CASE_ID,
        hotlineTicketReceived(CASE_ID, '2026-03-02T09:30:00+08:00', { urgency: 'urgent', platformTicketNo: 'GD-88' }),
        { recordedAt: '2026-03-02T01:31:00.000Z' },
      ),
    ]);

    expect(row()).toEqual({
      case_id: CASE_ID,
      org_id: ORG_ID,
      kind: 'hotline',
      number: 'RX2026-0001',
      status: 'accepted',
      title: '路灯不亮',
      description: '小寨路口路灯损坏',
      community: '小寨社区',
      unit: null,
      urgency: 'urgent',
      platform_ticket_no: 'GD-88',
      registered_at: '2026-03-02T01:30:00.000Z',
      updated_at: '2026-03-02T01:31:00.000Z',
      revision: 0,
    });
  });

  it('follows status and unit through dispatch, return and sign, and dates the last change', () => {
    projection.applyBatch(db, [
      log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
      log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z')),
      log.record(CASE_ID, caseDispatched('2026-03-02T03:00:00.000Z', '城管执法中队')),
    ]);
    expect(row()).toMatchObject({ status: 'dispatched', unit: '城管执法中队', revision: 2 });

    projection.applyBatch(db, [log.record(CASE_ID, caseReturned('2026-03-02T04:00:00.000Z', '城管执法中队', '不属于本单位职责'))]);
    expect(row()).toMatchObject({ status: 'accepted', unit: null, revision: 3 });

    projection.applyBatch(db, [
      log.record(CASE_ID, caseDispatched('2026-03-02T05:00:00.000Z', '市政所')),
      log.record(CASE_ID, caseSigned('2026-03-02T06:00:00.000Z', '市政所'), { recordedAt: '2026-03-02T06:05:00.000Z' }),
    ]);
    expect(row()).toMatchObject({ status: 'in_progress', unit: '市政所', revision: 5, updated_at: '2026-03-02T06:05:00.000Z' });
  });

  it('keeps the current version of each milestone deadline and when it was reached', () => {
    projection.applyBatch(db, [
      log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T01:00:00.000Z')),
      log.record(CASE_ID, caseDispatched('2026-03-02T02:00:00.000Z', '市政所')),
      log.record(CASE_ID, deadlineSet('sign', '2026-03-02T02:00:00.000Z', '2026-03-02T04:00:00.000Z')),
      log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-09T10:00:00+08:00')),
    ]);
    projection.applyBatch(db, [
      log.record(CASE_ID, caseSigned('2026-03-02T03:00:00.000Z', '市政所')),
      log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-16T02:00:00.000Z', 2, 'extended')),
    ]);

    expect(deadlines()).toEqual([
      { milestone: 'resolve', version: 2, due_at: '2026-03-16T02:00:00.000Z', reached_at: null },
      { milestone: 'sign', version: 1, due_at: '2026-03-02T04:00:00.000Z', reached_at: '2026-03-02T03:00:00.000Z' },
    ]);

    projection.applyBatch(db, [log.record(CASE_ID, caseResolved('hotline', '2026-03-05T02:00:00.000Z', '市政所'))]);
    expect(deadlines()).toContainEqual({
      milestone: 'resolve',
      version: 2,
      due_at: '2026-03-16T02:00:00.000Z',
      reached_at: '2026-03-05T02:00:00.000Z',
    });
  });

  it('ignores a redelivered event instead of applying it twice', () => {
    const events = [
      log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T01:00:00.000Z')),
      log.record(CASE_ID, caseDispatched('2026-03-02T02:00:00.000Z', '市政所')),
      log.record(CASE_ID, deadlineSet('sign', '2026-03-02T02:00:00.000Z', '2026-03-02T04:00:00.000Z')),
    ];
    projection.applyBatch(db, events);
    const [listed, due] = [row(), deadlines()];

    projection.applyBatch(db, events);
    projection.applyBatch(db, [events[0]]);

    expect(row()).toEqual(listed);
    expect(deadlines()).toEqual(due);
    expect(db.prepare('SELECT COUNT(*) FROM case_list').pluck().get()).toBe(1);
  });

  it('skips streams that are not cases', () => {
    projection.applyBatch(db, [log.recordCaseNumberAllocation(CASE_ID)]);

    expect(db.prepare('SELECT COUNT(*) FROM case_list').pluck().get()).toBe(0);
  });
});

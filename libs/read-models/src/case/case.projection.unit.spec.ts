import { decodeCaseEvent, foldCase, timelinessFacts, type OpenedCase } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import {
  caseAccepted,
  caseDispatched,
  caseResolved,
  caseReturned,
  caseSigned,
  deadlineSet,
  hotlineTicketReceived,
  noteAdded,
  ORG_ID,
  petitionRegistered,
} from '../testing/case-events';
import { ProjectionOnMemory } from '../testing/projection-on-memory';
import { RecordedLog } from '../testing/recorded-log';
import { caseProjection } from './case.projection';
import { changedCaseFacts, getCaseView } from './case-view';

const CASE_ID = '5f0c1d7e-8a11-4f3b-9d1e-000000000001';

function petitionLifecycle(log: RecordedLog): RecordedEvent[] {
  return log.recordAll(CASE_ID, [
    petitionRegistered(CASE_ID, '2026-03-02T09:00:00+08:00'),
    deadlineSet('acceptance', '2026-03-02T01:00:00.000Z', '2026-03-17T01:00:00.000Z'),
    caseAccepted('2026-03-03T02:00:00.000Z'),
    deadlineSet('reply', '2026-03-03T02:00:00.000Z', '2026-05-02T02:00:00.000Z'),
    caseDispatched('2026-03-03T03:00:00.000Z', '城管执法中队'),
    caseReturned('2026-03-03T05:00:00.000Z', '城管执法中队', '不属于本单位职责'),
    caseDispatched('2026-03-04T01:00:00.000Z', '市政所'),
    caseSigned('2026-03-04T02:00:00.000Z', '市政所'),
    noteAdded('2026-03-05T02:00:00.000Z', '已约谈施工方'),
    caseResolved('petition', '2026-03-10T02:00:00.000Z', '市政所'),
  ]);
}

function domainFold(events: readonly RecordedEvent[]): OpenedCase {
  return foldCase(events.map((event) => decodeCaseEvent(event))) as OpenedCase;
}

/** As JSON would give it back: what the read model stores. */
function stored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('case projection', () => {
  let projection: ProjectionOnMemory;
  let log: RecordedLog;
  const db = () => projection.db;

  const listRow = () =>
    db()
      .prepare(
        `SELECT case_id, org_id, kind, number, status, title, description, community, unit, urgency,
                platform_ticket_no, registered_at, updated_at, revision FROM case_list`,
      )
      .get();
  const deadlines = () => db().prepare('SELECT milestone, version, due_at, reached_at FROM case_deadlines ORDER BY milestone').all();

  beforeEach(() => {
    projection = new ProjectionOnMemory(caseProjection());
    log = new RecordedLog();
  });
  afterEach(() => projection.close());

  describe('view', () => {
    it('holds the domain fold of the case, its revision and the position of its last event', () => {
      const events = petitionLifecycle(log);

      projection.apply(events);

      expect(getCaseView(db(), CASE_ID)).toEqual({ state: stored(domainFold(events)), revision: 9n, position: 10n, needsAttention: false });
    });

    it('gives the same state whether the events arrive in one batch or one at a time', () => {
      const events = petitionLifecycle(log);
      projection.apply(events);
      const inOneBatch = getCaseView(db(), CASE_ID);

      const other = new ProjectionOnMemory(caseProjection());
      for (const event of events) other.apply([event]);

      expect(getCaseView(other.db, CASE_ID)).toEqual(inOneBatch);
      other.close();
    });

    it('ignores events at or below the revision it already reflects', () => {
      const events = petitionLifecycle(log);
      projection.apply(events.slice(0, 6));

      projection.apply(events.slice(3));
      projection.apply(events);

      const view = getCaseView(db(), CASE_ID);
      expect(view?.revision).toBe(9n);
      expect(view?.state.eventCount).toBe(10);
      expect(view?.state).toEqual(stored(domainFold(events)));
    });

    it('keeps cases apart within one batch', () => {
      const otherId = '5f0c1d7e-8a11-4f3b-9d1e-000000000002';
      const events = [
        log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(otherId, petitionRegistered(otherId, '2026-03-02T02:00:00.000Z', { number: 'XF2026-0002' })),
        log.record(CASE_ID, caseAccepted('2026-03-02T03:00:00.000Z')),
      ];

      projection.apply(events);

      expect(getCaseView(db(), CASE_ID)).toMatchObject({
        state: { status: 'accepted', number: 'XF2026-0001' },
        revision: 1n,
        position: 3n,
      });
      expect(getCaseView(db(), otherId)).toMatchObject({
        state: { status: 'registered', number: 'XF2026-0002' },
        revision: 0n,
        position: 2n,
      });
    });

    it('answers null for a case it has not seen', () => {
      expect(getCaseView(db(), CASE_ID)).toBeNull();
    });
  });

  describe('timeliness facts', () => {
    it('keeps the facts of the folded state beside it, and finds the cases changed after a position', () => {
      const events = petitionLifecycle(log);
      projection.apply(events);
      const otherId = '5f0c1d7e-8a11-4f3b-9d1e-000000000003';
      projection.apply([log.record(otherId, petitionRegistered(otherId, '2026-03-06T01:00:00.000Z', { number: 'XF2026-0003' }))]);

      expect(changedCaseFacts(db(), ORG_ID, 0n)).toEqual(expect.arrayContaining([stored(timelinessFacts(domainFold(events)))]));
      expect(changedCaseFacts(db(), ORG_ID, 0n)).toHaveLength(2);
      // The petition's events are at positions 1 to 10, the other case's intake at 11.
      expect(
        changedCaseFacts(db(), ORG_ID, 9n)
          .map((facts) => facts.caseId)
          .sort(),
      ).toEqual([CASE_ID, otherId]);
      expect(changedCaseFacts(db(), ORG_ID, 10n).map((facts) => facts.caseId)).toEqual([otherId]);
      expect(changedCaseFacts(db(), ORG_ID, 11n)).toEqual([]);
      expect(changedCaseFacts(db(), 'another-org', 0n)).toEqual([]);
    });
  });

  describe('list row and deadlines', () => {
    it('lists a case from its intake, with times normalised to UTC', () => {
      projection.apply([
        log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T09:30:00+08:00', { urgency: 'urgent', platformTicketNo: 'GD-88' }), {
          recordedAt: '2026-03-02T01:31:00.000Z',
        }),
      ]);

      expect(listRow()).toEqual({
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
      projection.apply([
        log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z')),
        log.record(CASE_ID, caseDispatched('2026-03-02T03:00:00.000Z', '城管执法中队')),
      ]);
      expect(listRow()).toMatchObject({ status: 'dispatched', unit: '城管执法中队', revision: 2 });

      projection.apply([log.record(CASE_ID, caseReturned('2026-03-02T04:00:00.000Z', '城管执法中队', '不属于本单位职责'))]);
      expect(listRow()).toMatchObject({ status: 'accepted', unit: null, revision: 3 });

      projection.apply([
        log.record(CASE_ID, caseDispatched('2026-03-02T05:00:00.000Z', '市政所')),
        log.record(CASE_ID, caseSigned('2026-03-02T06:00:00.000Z', '市政所'), { recordedAt: '2026-03-02T06:05:00.000Z' }),
      ]);
      expect(listRow()).toMatchObject({ status: 'in_progress', unit: '市政所', revision: 5, updated_at: '2026-03-02T06:05:00.000Z' });
    });

    it('keeps the current version of each milestone deadline and when it was reached', () => {
      projection.apply([
        log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(CASE_ID, caseDispatched('2026-03-02T02:00:00.000Z', '市政所')),
        log.record(CASE_ID, deadlineSet('sign', '2026-03-02T02:00:00.000Z', '2026-03-02T04:00:00.000Z')),
        log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-09T10:00:00+08:00')),
      ]);
      projection.apply([
        log.record(CASE_ID, caseSigned('2026-03-02T03:00:00.000Z', '市政所')),
        log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-16T02:00:00.000Z', 2, 'extended')),
      ]);

      expect(deadlines()).toEqual([
        { milestone: 'resolve', version: 2, due_at: '2026-03-16T02:00:00.000Z', reached_at: null },
        { milestone: 'sign', version: 1, due_at: '2026-03-02T04:00:00.000Z', reached_at: '2026-03-02T03:00:00.000Z' },
      ]);

      projection.apply([log.record(CASE_ID, caseResolved('hotline', '2026-03-05T02:00:00.000Z', '市政所'))]);
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
      projection.apply(events);
      const [listed, due] = [listRow(), deadlines()];

      projection.apply(events);
      projection.apply([events[0]]);

      expect(listRow()).toEqual(listed);
      expect(deadlines()).toEqual(due);
      expect(db().prepare('SELECT COUNT(*) FROM case_list').pluck().get()).toBe(1);
    });
  });

  it('stores each case once: the view holds the fold, the list only columns', () => {
    projection.apply(petitionLifecycle(log));

    const listColumns = db().prepare<[], { name: string }>("SELECT name FROM pragma_table_info('case_list')").all();
    expect(listColumns.map((column) => column.name)).not.toContain('folded_state');
    const states = db().prepare('SELECT COUNT(*) FROM case_view WHERE state LIKE \'%"eventCount"%\'').pluck().get();
    expect(states).toBe(1);
  });

  it('skips streams that are not cases', () => {
    projection.apply([log.recordCaseNumberAllocation(CASE_ID)]);

    expect(db().prepare('SELECT COUNT(*) FROM case_view').pluck().get()).toBe(0);
    expect(db().prepare('SELECT COUNT(*) FROM case_list').pluck().get()).toBe(0);
  });
});

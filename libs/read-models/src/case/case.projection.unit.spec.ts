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
      .selectFrom('case_list')
      .select([
        'case_id',
        'org_id',
        'kind',
        'number',
        'status',
        'title',
        'description',
        'community',
        'unit',
        'urgency',
        'platform_ticket_no',
        'registered_at',
        'updated_at',
        'revision',
      ])
      .executeTakeFirst();
  const deadlines = () =>
    db().selectFrom('case_deadlines').select(['milestone', 'version', 'due_at', 'reached_at']).orderBy('milestone').execute();

  beforeEach(async () => {
    projection = await ProjectionOnMemory.open(caseProjection());
    log = new RecordedLog();
  });
  afterEach(() => projection.close());

  describe('view', () => {
    it('holds the domain fold of the case, its revision and the position of its last event', async () => {
      const events = petitionLifecycle(log);

      await projection.apply(events);

      expect(await getCaseView(db(), CASE_ID)).toEqual({
        state: stored(domainFold(events)),
        revision: 9n,
        position: 10n,
        needsAttention: false,
      });
    });

    it('gives the same state whether the events arrive in one batch or one at a time', async () => {
      const events = petitionLifecycle(log);
      await projection.apply(events);
      const inOneBatch = await getCaseView(db(), CASE_ID);

      const other = await ProjectionOnMemory.open(caseProjection());
      for (const event of events) await other.apply([event]);

      expect(await getCaseView(other.db, CASE_ID)).toEqual(inOneBatch);
      other.close();
    });

    it('ignores events at or below the revision it already reflects', async () => {
      const events = petitionLifecycle(log);
      await projection.apply(events.slice(0, 6));

      await projection.apply(events.slice(3));
      await projection.apply(events);

      const view = await getCaseView(db(), CASE_ID);
      expect(view?.revision).toBe(9n);
      expect(view?.state.eventCount).toBe(10);
      expect(view?.state).toEqual(stored(domainFold(events)));
    });

    it('keeps cases apart within one batch', async () => {
      const otherId = '5f0c1d7e-8a11-4f3b-9d1e-000000000002';
      const events = [
        log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(otherId, petitionRegistered(otherId, '2026-03-02T02:00:00.000Z', { number: 'XF2026-0002' })),
        log.record(CASE_ID, caseAccepted('2026-03-02T03:00:00.000Z')),
      ];

      await projection.apply(events);

      expect(await getCaseView(db(), CASE_ID)).toMatchObject({
        state: { status: 'accepted', number: 'XF2026-0001' },
        revision: 1n,
        position: 3n,
      });
      expect(await getCaseView(db(), otherId)).toMatchObject({
        state: { status: 'registered', number: 'XF2026-0002' },
        revision: 0n,
        position: 2n,
      });
    });

    it('answers null for a case it has not seen', async () => {
      expect(await getCaseView(db(), CASE_ID)).toBeNull();
    });
  });

  describe('timeliness facts', () => {
    it('keeps the facts of the folded state beside it, and finds the cases changed after a position', async () => {
      const events = petitionLifecycle(log);
      await projection.apply(events);
      const otherId = '5f0c1d7e-8a11-4f3b-9d1e-000000000003';
      await projection.apply([log.record(otherId, petitionRegistered(otherId, '2026-03-06T01:00:00.000Z', { number: 'XF2026-0003' }))]);

      expect(await changedCaseFacts(db(), ORG_ID, 0n)).toEqual(expect.arrayContaining([stored(timelinessFacts(domainFold(events)))]));
      expect(await changedCaseFacts(db(), ORG_ID, 0n)).toHaveLength(2);
      // The petition's events are at positions 1 to 10, the other case's intake at 11.
      expect((await changedCaseFacts(db(), ORG_ID, 9n)).map((facts) => facts.caseId).sort()).toEqual([CASE_ID, otherId]);
      expect((await changedCaseFacts(db(), ORG_ID, 10n)).map((facts) => facts.caseId)).toEqual([otherId]);
      expect(await changedCaseFacts(db(), ORG_ID, 11n)).toEqual([]);
      expect(await changedCaseFacts(db(), 'another-org', 0n)).toEqual([]);
    });
  });

  describe('list row and deadlines', () => {
    it('lists a case from its intake, with times normalised to UTC', async () => {
      await projection.apply([
        log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T09:30:00+08:00', { urgency: 'urgent', platformTicketNo: 'GD-88' }), {
          recordedAt: '2026-03-02T01:31:00.000Z',
        }),
      ]);

      expect(await listRow()).toEqual({
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
        revision: 0n,
      });
    });

    it('follows status and unit through dispatch, return and sign, and dates the last change', async () => {
      await projection.apply([
        log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z')),
        log.record(CASE_ID, caseDispatched('2026-03-02T03:00:00.000Z', '城管执法中队')),
      ]);
      expect(await listRow()).toMatchObject({ status: 'dispatched', unit: '城管执法中队', revision: 2n });

      await projection.apply([log.record(CASE_ID, caseReturned('2026-03-02T04:00:00.000Z', '城管执法中队', '不属于本单位职责'))]);
      expect(await listRow()).toMatchObject({ status: 'accepted', unit: null, revision: 3n });

      await projection.apply([
        log.record(CASE_ID, caseDispatched('2026-03-02T05:00:00.000Z', '市政所')),
        log.record(CASE_ID, caseSigned('2026-03-02T06:00:00.000Z', '市政所'), { recordedAt: '2026-03-02T06:05:00.000Z' }),
      ]);
      expect(await listRow()).toMatchObject({
        status: 'in_progress',
        unit: '市政所',
        revision: 5n,
        updated_at: '2026-03-02T06:05:00.000Z',
      });
    });

    it('keeps the current version of each milestone deadline and when it was reached', async () => {
      await projection.apply([
        log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(CASE_ID, caseDispatched('2026-03-02T02:00:00.000Z', '市政所')),
        log.record(CASE_ID, deadlineSet('sign', '2026-03-02T02:00:00.000Z', '2026-03-02T04:00:00.000Z')),
        log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-09T10:00:00+08:00')),
      ]);
      await projection.apply([
        log.record(CASE_ID, caseSigned('2026-03-02T03:00:00.000Z', '市政所')),
        log.record(CASE_ID, deadlineSet('resolve', '2026-03-02T02:00:00.000Z', '2026-03-16T02:00:00.000Z', 2, 'extended')),
      ]);

      expect(await deadlines()).toEqual([
        { milestone: 'resolve', version: 2n, due_at: '2026-03-16T02:00:00.000Z', reached_at: null },
        { milestone: 'sign', version: 1n, due_at: '2026-03-02T04:00:00.000Z', reached_at: '2026-03-02T03:00:00.000Z' },
      ]);

      await projection.apply([log.record(CASE_ID, caseResolved('hotline', '2026-03-05T02:00:00.000Z', '市政所'))]);
      expect(await deadlines()).toContainEqual({
        milestone: 'resolve',
        version: 2n,
        due_at: '2026-03-16T02:00:00.000Z',
        reached_at: '2026-03-05T02:00:00.000Z',
      });
    });

    it('ignores a redelivered event instead of applying it twice', async () => {
      const events = [
        log.record(CASE_ID, hotlineTicketReceived(CASE_ID, '2026-03-02T01:00:00.000Z')),
        log.record(CASE_ID, caseDispatched('2026-03-02T02:00:00.000Z', '市政所')),
        log.record(CASE_ID, deadlineSet('sign', '2026-03-02T02:00:00.000Z', '2026-03-02T04:00:00.000Z')),
      ];
      await projection.apply(events);
      const [listed, due] = [await listRow(), await deadlines()];

      await projection.apply(events);
      await projection.apply([events[0]]);

      expect(await listRow()).toEqual(listed);
      expect(await deadlines()).toEqual(due);
      expect(await projection.count('case_list')).toBe(1);
    });
  });

  it('stores each case once: the view holds the fold, the list only columns', async () => {
    await projection.apply(petitionLifecycle(log));

    const tables = await db().introspection.getTables();
    const listColumns = tables.find((table) => table.name === 'case_list')?.columns ?? [];
    expect(listColumns.map((column) => column.name)).not.toContain('folded_state');
    const states = await db().selectFrom('case_view').select('state').where('state', 'like', '%"eventCount"%').execute();
    expect(states).toHaveLength(1);
  });

  it('skips streams that are not cases', async () => {
    await projection.apply([log.recordCaseNumberAllocation(CASE_ID)]);

    expect(await projection.count('case_view')).toBe(0);
    expect(await projection.count('case_list')).toBe(0);
  });
});

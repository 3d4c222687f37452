import Database from 'better-sqlite3';
import { decodeCaseEvent, foldCase, type StoredCaseEvent } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import {
  caseAccepted,
  caseDispatched,
  caseResolved,
  caseReturned,
  caseSigned,
  deadlineSet,
  noteAdded,
  petitionRegistered,
} from '../testing/case-events';
import { RecordedLog } from '../testing/recorded-log';
import { caseViewProjection } from './case-view.projection';
import { getCaseView } from './get-case-view';

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

function domainFold(events: readonly RecordedEvent[]) {
  return foldCase(events.map((event) => decodeCaseEvent(event as unknown as StoredCaseEvent)));
}

describe('case view projection', () => {
  let db: Database.Database;
  const projection = caseViewProjection();

  beforeEach(() => {
    db = new Database(':memory:');
    projection.createSchema(db);
  });
  afterEach(() => db.close());

  it('holds the domain fold of the case, its revision and the position of its last event', () => {
    const events = petitionLifecycle(new RecordedLog());

    projection.applyBatch(db, events);

    expect(getCaseView(db, CASE_ID)).toEqual({
      state: JSON.parse(JSON.stringify(domainFold(events))),
      revision: 9n,
      position: 10n,
    });
  });

  it('gives the same state whether the events arrive in one batch or one at a time', () => {
    const events = petitionLifecycle(new RecordedLog());
    projection.applyBatch(db, events);
    const inOneBatch = getCaseView(db, CASE_ID);

    const other = new Database(':memory:');
    projection.createSchema(other);
    for (const event of events) projection.applyBatch(other, [event]);

    expect(getCaseView(other, CASE_ID)).toEqual(inOneBatch);
    other.close();
  });

  it('ignores events at or below the revision it already reflects', () => {
    const events = petitionLifecycle(new RecordedLog());
    projection.applyBatch(db, events.slice(0, 6));

    projection.applyBatch(db, events.slice(3));
    projection.applyBatch(db, events);

    const view = getCaseView(db, CASE_ID);
    expect(view?.revision).toBe(9n);
    expect(view?.state.eventCount).toBe(10);
    expect(view?.state).toEqual(JSON.parse(JSON.stringify(domainFold(events))));
  });

  it('skips streams that are not cases', () => {
    const log = new RecordedLog();
    const counter = log.recordCaseNumberAllocation(CASE_ID);

    projection.applyBatch(db, [counter]);

    expect(db.prepare('SELECT COUNT(*) FROM case_view').pluck().get()).toBe(0);
  });

  it('answers null for a case it has not seen', () => {
    expect(getCaseView(db, CASE_ID)).toBeNull();
  });

  it('keeps cases apart within one batch', () => {
    const log = new RecordedLog();
    const otherId = '5f0c1d7e-8a11-4f3b-9d1e-000000000002';
    const events = [
      log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z')),
      log.record(otherId, petitionRegistered(otherId, '2026-03-02T02:00:00.000Z', { number: 'XF2026-0002' })),
      log.record(CASE_ID, caseAccepted('2026-03-02T03:00:00.000Z')),
    ];

    projection.applyBatch(db, events);

    expect(getCaseView(db, CASE_ID)).toMatchObject({
      state: { status: 'accepted', number: 'XF2026-0001' },
      revision: 1n,
      position: 3n,
    });
    expect(getCaseView(db, otherId)).toMatchObject({
      state: { status: 'registered', number: 'XF2026-0002' },
      revision: 0n,
      position: 2n,
    });
  });
});

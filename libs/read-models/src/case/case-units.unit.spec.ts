import { caseDispatched, caseReturned, deadlineSet, hotlineTicketReceived } from '../testing/case-events';
import { ProjectionOnMemory } from '../testing/projection-on-memory';
import { RecordedLog } from '../testing/recorded-log';
import { caseProjection } from './case.projection';
import { listCases } from './case-list';

const NOW = new Date('2026-03-20T00:00:00.000Z');
const MOVED = 'bbbbbbbb-0000-4000-8000-000000000001';
const STAYED = 'bbbbbbbb-0000-4000-8000-000000000002';
const NEVER_DISPATCHED = 'bbbbbbbb-0000-4000-8000-000000000003';

/** A ticket 市政所 returned and the desk sent on to 小寨社区; one 市政所 keeps; one never dispatched. */
function record(log: RecordedLog): void {
  log.recordAll(MOVED, [
    hotlineTicketReceived(MOVED, '2026-03-05T01:00:00.000Z', { platformTicketNo: 'GD-U-1', number: 'RX2026-0101' }),
    caseDispatched('2026-03-05T01:30:00.000Z', '市政所'),
    deadlineSet('sign', '2026-03-05T01:30:00.000Z', '2026-03-05T03:30:00.000Z'),
    deadlineSet('resolve', '2026-03-05T01:30:00.000Z', '2026-03-12T10:00:00.000Z'),
    caseReturned('2026-03-05T02:00:00.000Z', '市政所', '不属于本单位职责'),
    caseDispatched('2026-03-05T03:00:00.000Z', '小寨社区'),
  ]);
  log.recordAll(STAYED, [
    hotlineTicketReceived(STAYED, '2026-03-06T01:00:00.000Z', { platformTicketNo: 'GD-U-2', number: 'RX2026-0102' }),
    caseDispatched('2026-03-06T01:30:00.000Z', '市政所'),
    deadlineSet('sign', '2026-03-06T01:30:00.000Z', '2026-03-06T03:30:00.000Z'),
  ]);
  log.recordAll(NEVER_DISPATCHED, [
    hotlineTicketReceived(NEVER_DISPATCHED, '2026-03-07T01:00:00.000Z', { platformTicketNo: 'GD-U-3', number: 'RX2026-0103' }),
  ]);
}

describe('a unit’s list (case_units)', () => {
  const ids = async (projection: ProjectionOnMemory, seenByUnit: string, unit?: string) =>
    (await listCases(projection.reader, { seenByUnit, ...(unit === undefined ? {} : { unit }) }, NOW)).items.map((item) => item.id);

  it('holds the cases the unit holds now and those it held before, whether the events come in one batch or one by one', async () => {
    const log = new RecordedLog();
    record(log);
    for (const batches of [[log.events], log.events.map((event) => [event])]) {
      const projection = await ProjectionOnMemory.open(caseProjection());
      try {
        for (const batch of batches) await projection.apply(batch);
        expect(await ids(projection, '市政所')).toEqual([STAYED, MOVED]);
        expect(await ids(projection, '小寨社区')).toEqual([MOVED]);
        expect(await ids(projection, '雁南社区')).toEqual([]);
        // `unit` still means the unit holding the case now.
        expect(await ids(projection, '市政所', '小寨社区')).toEqual([MOVED]);
        expect(await ids(projection, '市政所', '市政所')).toEqual([STAYED]);
      } finally {
        await projection.close();
      }
    }
  });
});

import { caseAccepted, petitionRegistered } from '../testing/case-events';
import { RecordedLog } from '../testing/recorded-log';
import { LogBatch } from './log-batch';

const CASE_ID = '7a1e0c2b-0000-4000-8000-000000000001';

describe('LogBatch', () => {
  function recordedBatch() {
    const log = new RecordedLog();
    log.recordCaseNumberAllocation(CASE_ID);
    log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z'));
    log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z'));
    return LogBatch.decode(log.events);
  }

  it('decodes the case events of a batch, leaving other streams out of them but not out of its entries', () => {
    const batch = recordedBatch();

    expect(batch.entries.map((entry) => entry.position)).toEqual([1n, 2n, 3n]);
    expect(batch.caseEvents.map((recorded) => [recorded.caseId, recorded.revision, recorded.position, recorded.event.type])).toEqual([
      [CASE_ID, 0n, 2n, 'PetitionRegistered'],
      [CASE_ID, 1n, 3n, 'CaseAccepted'],
    ]);
    expect(batch.caseEvents[0].metadata).toMatchObject({ caseId: CASE_ID, command: 'intake' });
    expect(batch.lastPosition).toBe(3n);
  });

  it('hands projections no personal data', () => {
    const [intake] = recordedBatch().caseEvents;

    expect(intake.event).not.toHaveProperty('personal');
    expect(JSON.stringify({ event: intake.event, metadata: intake.metadata })).not.toContain('13800001234');
  });

  it("sets a case event it cannot decode aside, with the decoder's message, and decodes the others", () => {
    const log = new RecordedLog();
    log.record(CASE_ID, petitionRegistered(CASE_ID, '2026-03-02T01:00:00.000Z'));
    const accepted = log.record(CASE_ID, caseAccepted('2026-03-02T02:00:00.000Z'));
    accepted.metadata = { ...accepted.metadata, schemaVersion: 7 };
    log.record(CASE_ID, caseAccepted('2026-03-02T03:00:00.000Z'));

    const batch = LogBatch.decode(log.events);

    expect(batch.caseEvents.map((recorded) => recorded.position)).toEqual([1n, 3n]);
    expect(batch.undecodable).toEqual([
      {
        id: accepted.id,
        streamId: `case-${CASE_ID}`,
        revision: 1n,
        position: 2n,
        type: 'CaseAccepted',
        error: 'Cannot upcast CaseAccepted from schema version 7: this release reads 1 to 1',
      },
    ]);
    expect(batch.after(2n).undecodable).toEqual([]);
    // Another decoder (a later release's) reads it.
    const lenient = LogBatch.decode(log.events, (recorded) => ({
      ...recordedBatch().caseEvents[1].event,
      occurredAt: String(recorded.metadata.occurredAt),
    }));
    expect(lenient.undecodable).toEqual([]);
    expect(lenient.caseEvents).toHaveLength(3);
  });

  it('narrows to the events after a position without decoding again', () => {
    const batch = recordedBatch();

    expect(batch.after(0n)).toBe(batch);
    const rest = batch.after(2n);
    expect(rest.entries.map((entry) => entry.position)).toEqual([3n]);
    expect(rest.caseEvents).toEqual([batch.caseEvents[1]]);
    expect(rest.caseEvents[0]).toBe(batch.caseEvents[1]);
    expect(batch.after(3n).isEmpty).toBe(true);
    expect(LogBatch.EMPTY.lastPosition).toBe(0n);
  });
});

import Database from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';
import { LogBatch } from '../log/log-batch';
import { caseAccepted, caseDispatched, caseSigned, petitionRegistered } from '../testing/case-events';
import { RecordedLog } from '../testing/recorded-log';
import { createParkedEventsTable, ParkedEvents } from './parked-events';
import { applyWithQuarantine, MAX_REFUSED_PER_BATCH, screenForRebuild, TooManyRefusalsError } from './quarantine';

const A = '0000000a-0000-4000-8000-000000000001';
const B = '0000000b-0000-4000-8000-000000000002';
const C = '0000000c-0000-4000-8000-000000000003';
const PROJECTION = 'test-projection';
const NOW = '2026-03-02T01:00:00.000Z';

/** Three cases interleaved, with a case-number counter event before each intake. */
function interleavedLog(): RecordedLog {
  const log = new RecordedLog();
  for (const caseId of [A, B, C]) {
    log.recordCaseNumberAllocation(caseId);
    log.record(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z'));
  }
  for (const caseId of [A, B, C]) log.record(caseId, caseAccepted('2026-03-02T02:00:00.000Z'));
  for (const caseId of [A, B, C]) log.record(caseId, caseDispatched('2026-03-02T03:00:00.000Z', '市政所'));
  for (const caseId of [A, B, C]) log.record(caseId, caseSigned('2026-03-02T04:00:00.000Z', '市政所'));
  return log;
}

const positionOf = (log: RecordedLog, caseId: string, revision: bigint): bigint =>
  (log.events.find((event) => event.streamId === `case-${caseId}` && event.revision === revision) as RecordedEvent).position;

describe('applyWithQuarantine', () => {
  let db: Database.Database;
  let parked: ParkedEvents;
  /** Positions the fake projection refuses as its own error (a fold that throws), or as the database's. */
  let refuse: Set<bigint>;
  let storageFailure: Set<bigint>;
  let applyCalls: number;

  /** A projection writing one row per event, so a rolled-back part shows as missing rows. */
  const apply = (part: LogBatch): void => {
    applyCalls += 1;
    const insert = db.prepare('INSERT INTO applied (position, stream_id) VALUES (?, ?)');
    for (const entry of part.entries) {
      if (refuse.has(entry.position)) throw new Error(`cannot fold the event at ${entry.position}`);
      if (storageFailure.has(entry.position)) throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
      insert.run(entry.position, entry.streamId);
    }
  };
  const run = (batch: LogBatch) =>
    db.transaction(() =>
      applyWithQuarantine(
        batch,
        PROJECTION,
        parked,
        apply,
        db.transaction((work: () => void) => work()),
        NOW,
      ),
    )();
  const applied = (): bigint[] => db.prepare<[], bigint>('SELECT position FROM applied ORDER BY rowid').pluck().safeIntegers(true).all();
  const parkedRows = () => parked.list().map(({ position, caseId, reason, error }) => ({ position, caseId, reason, error }));

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE applied (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL)');
    createParkedEventsTable(db);
    parked = new ParkedEvents(db);
    refuse = new Set();
    storageFailure = new Set();
    applyCalls = 0;
  });
  afterEach(() => db.close());

  it('applies a clean batch in one go and parks nothing', () => {
    const log = interleavedLog();

    expect(run(LogBatch.decode(log.events))).toEqual([]);

    expect(applied()).toEqual(log.events.map((event) => event.position));
    expect(applyCalls).toBe(1);
  });

  it('finds the one event a projection refuses, parks it, holds back the rest of its stream and applies every other event in log order', () => {
    const log = interleavedLog();
    const refused = positionOf(log, B, 1n);
    refuse.add(refused);

    const parkedNow = run(LogBatch.decode(log.events));

    const bLater = [positionOf(log, B, 2n), positionOf(log, B, 3n)];
    expect(parkedNow.map(({ entry, reason }) => [entry.position, reason])).toEqual([
      [refused, 'refused'],
      ...bLater.map((position) => [position, 'held']),
    ]);
    expect(applied()).toEqual(
      log.events.map((event) => event.position).filter((position) => position !== refused && !bLater.includes(position)),
    );
    expect(parkedRows()).toEqual([
      { position: refused, caseId: B, reason: 'refused', error: `cannot fold the event at ${refused}` },
      ...bLater.map((position) => ({ position, caseId: B, reason: 'held', error: null })),
    ]);
    // Halving: far fewer attempts than one per event.
    expect(applyCalls).toBeLessThan(log.events.length);
  });

  it('parks an event the batch could not decode and holds back the later events of its stream, in this batch and the next', () => {
    const log = interleavedLog();
    const dispatched = log.events.find((event) => event.streamId === `case-${C}` && event.type === 'CaseDispatched') as RecordedEvent;
    // As if a later release had written it: this one reads CaseDispatched version 1 only.
    dispatched.metadata = { ...dispatched.metadata, schemaVersion: 2 };
    const head = log.events.length;

    run(LogBatch.decode(log.events));
    expect(parkedRows().map(({ position, reason }) => [position, reason])).toEqual([
      [dispatched.position, 'refused'],
      [positionOf(log, C, 3n), 'held'],
    ]);
    expect(parkedRows()[0].error).toBe('Cannot upcast CaseDispatched from schema version 2: this release reads 1 to 1');

    log.record(A, caseSigned('2026-03-02T05:00:00.000Z', '市政所'));
    log.record(C, caseSigned('2026-03-02T05:00:00.000Z', '市政所'));
    const next = LogBatch.decode(log.events.slice(head));
    run(next);

    expect(applied()).toContain(BigInt(head + 1));
    expect(applied()).not.toContain(BigInt(head + 2));
    expect(parkedRows().at(-1)).toEqual({ position: BigInt(head + 2), caseId: C, reason: 'held', error: null });
  });

  it('applies the events of a stream before its refused one', () => {
    const log = interleavedLog();
    refuse.add(positionOf(log, A, 3n));

    run(LogBatch.decode(log.events));

    for (const revision of [0n, 1n, 2n]) expect(applied()).toContain(positionOf(log, A, revision));
    expect(parked.list().map((event) => event.revision)).toEqual([3n]);
  });

  it('fails the batch whole on a database error, parking nothing', () => {
    const log = interleavedLog();
    storageFailure.add(positionOf(log, B, 2n));

    expect(() => run(LogBatch.decode(log.events))).toThrow('disk I/O error');

    expect(applied()).toEqual([]);
    expect(parked.list()).toEqual([]);
  });

  it('fails the batch whole when an event of a stream that is no case refuses', () => {
    const log = interleavedLog();
    refuse.add(log.events[0].position);

    expect(() => run(LogBatch.decode(log.events))).toThrow(`cannot fold the event at ${log.events[0].position}`);

    expect(applied()).toEqual([]);
    expect(parked.list()).toEqual([]);
  });

  it('fails the batch whole when the projection refuses more events than a few bad ones explain', () => {
    const log = new RecordedLog();
    for (let index = 0; index <= MAX_REFUSED_PER_BATCH; index++) {
      const caseId = `0000000d-0000-4000-8000-${String(index).padStart(12, '0')}`;
      refuse.add(log.record(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z')).position);
    }

    expect(() => run(LogBatch.decode(log.events))).toThrow(TooManyRefusalsError);

    expect(parked.list()).toEqual([]);
  });

  it('leaves a rebuild the events of a parked stream before its first parked one, and parks what it cannot decode', () => {
    const log = interleavedLog();
    refuse.add(positionOf(log, B, 2n));
    run(LogBatch.decode(log.events));
    const undecodable = log.events.find((event) => event.streamId === `case-${A}` && event.type === 'CaseSigned') as RecordedEvent;
    undecodable.metadata = { ...undecodable.metadata, schemaVersion: 9 };

    const screened = screenForRebuild(LogBatch.decode(log.events), PROJECTION, parked, NOW);

    const kept = screened.entries.map((entry) => entry.position);
    expect(kept).toContain(positionOf(log, B, 1n));
    expect(kept).not.toContain(positionOf(log, B, 2n));
    expect(kept).not.toContain(positionOf(log, B, 3n));
    expect(kept).not.toContain(undecodable.position);
    expect(parked.list().find((event) => event.position === undecodable.position)).toMatchObject({ caseId: A, reason: 'refused' });
  });
});

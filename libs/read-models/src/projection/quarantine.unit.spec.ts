import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { RecordedEvent } from '@cases/event-store';
import { migrateReadModels } from '../database/migrations';
import { openReadModelDatabase, type ReadModelDatabase } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import { LogBatch } from '../log/log-batch';
import { caseAccepted, caseDispatched, caseSigned, petitionRegistered } from '../testing/case-events';
import { RecordedLog } from '../testing/recorded-log';
import { ParkedEvents } from './parked-events';
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
  let database: ReadModelDatabase;
  /** Positions the fake projection refuses as its own error (a fold that throws), or as the database's. */
  let refuse: Set<bigint>;
  let storageFailure: Set<bigint>;
  /** What a storage failure throws: better-sqlite3's error unless a test says otherwise. */
  let storageError: () => Error;
  let applyCalls: number;

  /** A projection writing one row per event, so a rolled-back part shows as missing rows. */
  const apply = async (db: Kysely<ReadModelTables>, part: LogBatch): Promise<void> => {
    applyCalls += 1;
    for (const entry of part.entries) {
      if (refuse.has(entry.position)) throw new Error(`cannot fold the event at ${entry.position}`);
      if (storageFailure.has(entry.position)) throw storageError();
      await sql`insert into applied (position, stream_id) values (${entry.position}, ${entry.streamId})`.execute(db);
    }
  };
  const run = (batch: LogBatch) =>
    database.db.transaction().execute((db) => applyWithQuarantine(db, batch, PROJECTION, (part) => apply(db, part), NOW));
  const applied = async (): Promise<bigint[]> =>
    (await sql<{ position: bigint }>`select position from applied order by rowid`.execute(database.db)).rows.map((row) => row.position);
  const listParked = () => ParkedEvents.list(database.db);
  const parkedRows = async () => (await listParked()).map(({ position, caseId, reason, error }) => ({ position, caseId, reason, error }));

  beforeEach(async () => {
    database = openReadModelDatabase({ sqlite: ':memory:' });
    await migrateReadModels(database);
    await sql`create table applied (position integer primary key, stream_id text not null)`.execute(database.db);
    refuse = new Set();
    storageFailure = new Set();
    storageError = () => new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
    applyCalls = 0;
  });
  afterEach(() => database.close());

  it('applies a clean batch in one go and parks nothing', async () => {
    const log = interleavedLog();

    expect(await run(LogBatch.decode(log.events))).toEqual([]);

    expect(await applied()).toEqual(log.events.map((event) => event.position));
    expect(applyCalls).toBe(1);
  });

  it('finds the one event a projection refuses, parks it, holds back the rest of its stream and applies every other event in log order', async () => {
    const log = interleavedLog();
    const refused = positionOf(log, B, 1n);
    refuse.add(refused);

    const parkedNow = await run(LogBatch.decode(log.events));

    const bLater = [positionOf(log, B, 2n), positionOf(log, B, 3n)];
    expect(parkedNow.map(({ entry, reason }) => [entry.position, reason])).toEqual([
      [refused, 'refused'],
      ...bLater.map((position) => [position, 'held']),
    ]);
    expect(await applied()).toEqual(
      log.events.map((event) => event.position).filter((position) => position !== refused && !bLater.includes(position)),
    );
    expect(await parkedRows()).toEqual([
      { position: refused, caseId: B, reason: 'refused', error: `cannot fold the event at ${refused}` },
      ...bLater.map((position) => ({ position, caseId: B, reason: 'held', error: null })),
    ]);
    // Halving: far fewer attempts than one per event.
    expect(applyCalls).toBeLessThan(log.events.length);
  });

  it('parks an event the batch could not decode and holds back the later events of its stream, in this batch and the next', async () => {
    const log = interleavedLog();
    const dispatched = log.events.find((event) => event.streamId === `case-${C}` && event.type === 'CaseDispatched') as RecordedEvent;
    // As if a later release had written it: this one reads CaseDispatched version 1 only.
    dispatched.metadata = { ...dispatched.metadata, schemaVersion: 2 };
    const head = log.events.length;

    await run(LogBatch.decode(log.events));
    expect((await parkedRows()).map(({ position, reason }) => [position, reason])).toEqual([
      [dispatched.position, 'refused'],
      [positionOf(log, C, 3n), 'held'],
    ]);
    expect((await parkedRows())[0].error).toBe('Cannot upcast CaseDispatched from schema version 2: this release reads 1 to 1');

    log.record(A, caseSigned('2026-03-02T05:00:00.000Z', '市政所'));
    log.record(C, caseSigned('2026-03-02T05:00:00.000Z', '市政所'));
    const next = LogBatch.decode(log.events.slice(head));
    await run(next);

    expect(await applied()).toContain(BigInt(head + 1));
    expect(await applied()).not.toContain(BigInt(head + 2));
    expect((await parkedRows()).at(-1)).toEqual({ position: BigInt(head + 2), caseId: C, reason: 'held', error: null });
  });

  it('applies the events of a stream before its refused one', async () => {
    const log = interleavedLog();
    refuse.add(positionOf(log, A, 3n));

    await run(LogBatch.decode(log.events));

    for (const revision of [0n, 1n, 2n]) expect(await applied()).toContain(positionOf(log, A, revision));
    expect((await listParked()).map((event) => event.revision)).toEqual([3n]);
  });

  it('fails the batch whole on a database error, parking nothing', async () => {
    const log = interleavedLog();
    storageFailure.add(positionOf(log, B, 2n));

    await expect(run(LogBatch.decode(log.events))).rejects.toThrow('disk I/O error');

    expect(await applied()).toEqual([]);
    expect(await listParked()).toEqual([]);
  });

  // An outage says nothing about the event being applied: parking it would stop a healthy case
  // for good, while the supervisor's retry from the checkpoint applies it once the database is back.
  it.each([
    [
      'a PostgreSQL error (SQLSTATE code and severity)',
      () => Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' }),
    ],
    [
      'a broken connection (Node system error: code and syscall)',
      () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read', errno: -104 }),
    ],
    [
      'a connection refused',
      () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' }),
    ],
  ])('fails the batch whole on %s, parking nothing', async (_what, error) => {
    const log = interleavedLog();
    storageFailure.add(positionOf(log, C, 1n));
    storageError = error;

    await expect(run(LogBatch.decode(log.events))).rejects.toThrow(error().message);

    expect(await applied()).toEqual([]);
    expect(await listParked()).toEqual([]);
  });

  it("parks an event whose fold throws an error with a code of the projection's own, not the storage's", async () => {
    const log = interleavedLog();
    const poison = positionOf(log, C, 1n);
    storageFailure.add(poison);
    storageError = () => Object.assign(new Error('unknown milestone'), { code: 'UNKNOWN_MILESTONE' });

    await run(LogBatch.decode(log.events));

    expect((await listParked()).map((event) => event.position)).toEqual([poison, positionOf(log, C, 2n), positionOf(log, C, 3n)]);
  });

  it('fails the batch whole when an event of a stream that is no case refuses', async () => {
    const log = interleavedLog();
    refuse.add(log.events[0].position);

    await expect(run(LogBatch.decode(log.events))).rejects.toThrow(`cannot fold the event at ${log.events[0].position}`);

    expect(await applied()).toEqual([]);
    expect(await listParked()).toEqual([]);
  });

  it('fails the batch whole when the projection refuses more events than a few bad ones explain', async () => {
    const log = new RecordedLog();
    for (let index = 0; index <= MAX_REFUSED_PER_BATCH; index++) {
      const caseId = `0000000d-0000-4000-8000-${String(index).padStart(12, '0')}`;
      refuse.add(log.record(caseId, petitionRegistered(caseId, '2026-03-02T01:00:00.000Z')).position);
    }

    await expect(run(LogBatch.decode(log.events))).rejects.toThrow(TooManyRefusalsError);

    expect(await listParked()).toEqual([]);
  });

  it('leaves a rebuild the events of a parked stream before its first parked one, and parks what it cannot decode', async () => {
    const log = interleavedLog();
    refuse.add(positionOf(log, B, 2n));
    await run(LogBatch.decode(log.events));
    const undecodable = log.events.find((event) => event.streamId === `case-${A}` && event.type === 'CaseSigned') as RecordedEvent;
    undecodable.metadata = { ...undecodable.metadata, schemaVersion: 9 };

    const screened = await database.db.transaction().execute((db) => screenForRebuild(db, LogBatch.decode(log.events), PROJECTION, NOW));

    const kept = screened.entries.map((entry) => entry.position);
    expect(kept).toContain(positionOf(log, B, 1n));
    expect(kept).not.toContain(positionOf(log, B, 2n));
    expect(kept).not.toContain(positionOf(log, B, 3n));
    expect(kept).not.toContain(undecodable.position);
    expect((await listParked()).find((event) => event.position === undecodable.position)).toMatchObject({ caseId: A, reason: 'refused' });
  });
});

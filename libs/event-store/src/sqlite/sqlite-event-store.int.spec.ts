import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EventCollector, testEvent, testEvents, uniqueStreamId } from '../contract';
import { WrongExpectedVersionError } from '../event-store.port';
import { SqliteEventStore, SqliteEventStoreOptions } from './sqlite-event-store';

const repositoryRoot = resolve(__dirname, '../../../..');

/**
 * Appends `count` events to a new stream from a separate Node process with its own
 * SqliteEventStore on `file`, so nothing it commits can reach this process's in-process wake-ups.
 */
async function appendFromAnotherProcess(file: string, streamId: string, count: number): Promise<string[]> {
  const script = `
    require('ts-node').register({ transpileOnly: true });
    const { randomUUID } = require('node:crypto');
    const { SqliteEventStore } = require(${JSON.stringify(join(__dirname, 'sqlite-event-store.ts'))});
    const [file, streamId, count] = process.argv.slice(1);
    const events = Array.from({ length: Number(count) }, () => (
      { id: randomUUID(), type: 'FromAnotherProcess', data: {}, personal: null, metadata: {} }
    ));
    const store = SqliteEventStore.open(file);
    store.append(streamId, events, 'no_stream')
      .then(() => store.close())
      .then(() => process.stdout.write(JSON.stringify(events.map((event) => event.id))));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, file, streamId, String(count)], {
    cwd: repositoryRoot,
    timeout: 30_000,
  });
  return JSON.parse(stdout) as string[];
}

describe('SqliteEventStore on a file', () => {
  let dir: string;
  let file: string;
  let opened: SqliteEventStore[];

  function openStore(options?: SqliteEventStoreOptions): SqliteEventStore {
    const store = SqliteEventStore.open(file, options);
    opened.push(store);
    return store;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-int-'));
    file = join(dir, 'nested', 'events.db');
    opened = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its folder and runs in WAL mode with synchronous FULL, also when reopened', async () => {
    const store = openStore();
    expect(store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeoutMs: 5000 });
    await store.close();

    expect(openStore({ busyTimeoutMs: 1234 }).pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeoutMs: 1234 });
  });

  it('opens read-only beside the writing store: reads what it commits, refuses appends, and needs the file to exist', async () => {
    expect(() => SqliteEventStore.openReadOnly(file)).toThrow();
    const store = openStore();
    const streamId = uniqueStreamId();
    await store.append(streamId, testEvents(2), 'no_stream');
    const reader = SqliteEventStore.openReadOnly(file);
    opened.push(reader);
    expect((await reader.readAll()).map((event) => event.id)).toEqual((await store.readAll()).map((event) => event.id));
    await store.append(streamId, testEvents(1), 1n);
    expect(await reader.headPosition()).toBe(3n);
    expect((await reader.readStream(streamId)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    await expect(reader.append(streamId, testEvents(1), 2n)).rejects.toThrow(/read-only/);
    expect(await store.headPosition()).toBe(3n);
  });

  it('starts empty at head 0 and numbers the global log from 1', async () => {
    const store = openStore();
    expect(await store.headPosition()).toBe(0n);
    await store.ping();

    await store.append(uniqueStreamId(), testEvents(2), 'no_stream');

    expect((await store.readAll()).map((event) => event.position)).toEqual([1n, 2n]);
    expect(await store.headPosition()).toBe(2n);
  });

  it('commits 200 concurrent appends in far fewer than 200 transactions', async () => {
    const store = openStore();
    const streams = Array.from({ length: 200 }, () => uniqueStreamId());
    const before = store.committedTransactions;

    const results = await Promise.all(streams.map((stream) => store.append(stream, testEvents(1), 'no_stream')));

    const transactions = store.committedTransactions - before;
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThan(200);
    expect(new Set(results.map((result) => result.position)).size).toBe(200);
    expect(await store.readAll({ maxCount: 1000 })).toHaveLength(200);
  });

  it('splits a large group commit into batches of at most maxAppendsPerCommit', async () => {
    const store = openStore({ maxAppendsPerCommit: 50 });
    const before = store.committedTransactions;

    await Promise.all(Array.from({ length: 200 }, () => store.append(uniqueStreamId(), testEvents(1), 'no_stream')));

    const transactions = store.committedTransactions - before;
    expect(transactions).toBeGreaterThanOrEqual(4);
    expect(transactions).toBeLessThan(200);
  });

  it('fails only the appends of a batch that fail, checking each against the earlier appends of its batch', async () => {
    const store = openStore();
    const [contested, broken, quiet] = [uniqueStreamId(), uniqueStreamId(), uniqueStreamId()];
    const repeated = testEvent();
    const insertedBeforeTheFailure = testEvent();
    const before = store.committedTransactions;

    const [opening, conflicting, duplicateIds, elsewhere, following] = await Promise.allSettled([
      store.append(contested, testEvents(1), 'no_stream'),
      store.append(contested, testEvents(1), 'no_stream'),
      store.append(broken, [repeated, insertedBeforeTheFailure, repeated], 'no_stream'),
      store.append(quiet, testEvents(2), 'no_stream'),
      store.append(contested, testEvents(1), 0n),
    ]);

    expect(store.committedTransactions - before).toBe(1);
    expect(opening).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0n } });
    expect(conflicting).toMatchObject({ status: 'rejected', reason: { expected: 'no_stream', actual: 0n } });
    expect(duplicateIds).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_UNIQUE' } });
    expect((duplicateIds as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(elsewhere).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(following).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(await store.readStream(broken)).toEqual([]);
    expect((await store.readAll()).map((event) => event.id)).not.toContain(insertedBeforeTheFailure.id);
  });

  it('rejects every append of a batch whose transaction cannot be written, with the database error', async () => {
    const store = openStore({ busyTimeoutMs: 20 });
    const otherWriter = new Database(file);
    otherWriter.exec('BEGIN IMMEDIATE');
    const before = store.committedTransactions;

    const outcomes = await Promise.allSettled([
      store.append(uniqueStreamId(), testEvents(1), 'no_stream'),
      store.append(uniqueStreamId(), testEvents(1), 'no_stream'),
    ]);

    otherWriter.exec('ROLLBACK');
    otherWriter.close();
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_BUSY' } });
      expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    }
    expect(store.committedTransactions).toBe(before);
    expect(await store.headPosition()).toBe(0n);
    await expect(store.append(uniqueStreamId(), testEvents(1), 'no_stream')).resolves.toMatchObject({ position: 1n });
  });

  it('refuses stored event ids reused in another stream, in part, or out of their stored order', async () => {
    const store = openStore();
    const [first, second] = [uniqueStreamId(), uniqueStreamId()];
    const stored = testEvents(2);
    await store.append(first, stored, 'no_stream');

    const outcomes = await Promise.allSettled([
      store.append(second, [stored[0]], 'no_stream'),
      store.append(first, [stored[1], testEvent()], 'any'),
      store.append(first, [stored[1], stored[0]], 'any'),
    ]);

    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('not a retry') } });
      expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    }
    expect(await store.readStream(second)).toEqual([]);
    expect((await store.readStream(first)).map((event) => event.id)).toEqual(stored.map((event) => event.id));
  });

  it('keeps personal data in its own column, as JSON, and NULL when there is none', async () => {
    const store = openStore();
    const withPerson = testEvent({ data: { title: '楼道堆物' }, personal: { name: '王五', phone: '13912345678' } });
    const withoutPerson = testEvent({ data: { title: '路灯不亮' } });
    await store.append(uniqueStreamId(), [withPerson, withoutPerson], 'no_stream');

    const reader = new Database(file, { readonly: true });
    const rows = reader.prepare('SELECT data, personal FROM events ORDER BY position').all() as { data: string; personal: string | null }[];
    reader.close();

    expect(rows).toEqual([
      { data: JSON.stringify(withPerson.data), personal: JSON.stringify(withPerson.personal) },
      { data: JSON.stringify(withoutPerson.data), personal: null },
    ]);
  });

  it('commits appends still queued when closed, then refuses new ones', async () => {
    const store = openStore();
    const stream = uniqueStreamId();
    const event = testEvent();

    const queued = store.append(stream, [event], 'no_stream');
    await store.close();

    await expect(queued).resolves.toEqual({ nextExpectedRevision: 0n, position: 1n });
    await expect(store.append(stream, testEvents(1))).rejects.toThrow('closed');
    expect((await openStore().readStream(stream)).map((recorded) => recorded.id)).toEqual([event.id]);
  });

  it('wakes a live subscription on a local commit without waiting for the poll interval', async () => {
    const store = openStore({ pollIntervalMs: 60_000 });
    const stream = uniqueStreamId();
    const collector = new EventCollector((event) => event.streamId === stream);
    const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });
    const event = testEvent();

    await store.append(stream, [event], 'no_stream');

    await collector.untilDelivered(event.id);
    await subscription.stop();
    expect(collector.ourIds).toEqual([event.id]);
  });

  it('sees events another process appends to the same file, through readAll and by polling in a live subscription', async () => {
    const store = openStore({ pollIntervalMs: 50 });
    const stream = uniqueStreamId();
    const collector = new EventCollector((event) => event.streamId === stream);
    const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });

    const appended = await appendFromAnotherProcess(file, stream, 3);

    await collector.until((ours) => ours.length === appended.length, "the other process's events");
    await subscription.stop();
    expect(collector.ourIds).toEqual(appended);
    expect((await store.readAll()).map((event) => event.id)).toEqual(appended);
    const conflict = await store.append(stream, testEvents(1), 'no_stream').catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({ actual: 2n });
  }, 30_000);
});

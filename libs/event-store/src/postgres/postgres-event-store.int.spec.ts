import { createServer } from 'node:net';
import { Client } from 'pg';
import { createPostgresTestDatabase, PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { EventCollector, testEvent, testEvents, uniqueStreamId, withTimeout } from '../contract';
import { AppendResult, WrongExpectedVersionError } from '../event-store.port';
import { PostgresEventStore, PostgresEventStoreOptions } from './postgres-event-store';

/** Advisory lock (single-key space, apart from the store's) that holds a `HeldAtCommit` append's COMMIT. */
const COMMIT_GATE = 4242;
/** Long enough for a subscription polling every 20 ms to have read the log many times. */
const NEGATIVE_WAIT_MS = 300;

/**
 * Makes the COMMIT of any transaction that inserted a `HeldAtCommit` event wait for the test's
 * COMMIT_GATE lock: a deferred constraint trigger runs at commit, after the store has allocated
 * the event's position and released its allocation lock, so the test holds a real append's
 * transaction open without reaching into the store.
 */
const INSTALL_COMMIT_GATE = `
  CREATE OR REPLACE FUNCTION public.wait_for_commit_gate() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.type = 'HeldAtCommit' THEN PERFORM pg_advisory_xact_lock_shared(${COMMIT_GATE}); END IF;
    RETURN NULL;
  END $$;
  DROP TRIGGER IF EXISTS wait_for_commit_gate ON event_store.events;
  CREATE CONSTRAINT TRIGGER wait_for_commit_gate AFTER INSERT ON event_store.events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.wait_for_commit_gate();`;

const WAITING_AT_GATE = `
  SELECT pid FROM pg_locks
  WHERE locktype = 'advisory' AND objid = ${COMMIT_GATE} AND objsubid = 1 AND NOT granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const poll = async () => {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await withTimeout(poll(), what, ms);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Tracks whether a promise has settled, without consuming its outcome. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

describe('PostgresEventStore on a PostgreSQL server', () => {
  /** Shared by the tests that only look at their own streams; a test that needs an empty log makes its own. */
  let database: PostgresTestDatabase;
  let ownDatabases: PostgresTestDatabase[];
  let opened: PostgresEventStore[];
  let clients: Client[];

  async function emptyDatabaseUrl(): Promise<string> {
    const own = await createPostgresTestDatabase();
    ownDatabases.push(own);
    return own.url;
  }

  async function openStore(options?: PostgresEventStoreOptions, url = database.url): Promise<PostgresEventStore> {
    const store = await PostgresEventStore.open(url, options);
    opened.push(store);
    return store;
  }

  async function connect(url = database.url): Promise<Client> {
    const client = new Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
  });

  afterAll(() => database?.drop());

  beforeEach(() => {
    ownDatabases = [];
    opened = [];
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await Promise.all(ownDatabases.map((own) => own.drop()));
  });

  it('creates its schema once when instances open together, starts at head 0 and numbers the log from 1 in order, durably', async () => {
    const url = await emptyDatabaseUrl();
    const [store, other] = await Promise.all([openStore({}, url), openStore({}, url), openStore({}, url)]);
    expect(await store.headPosition()).toBe(0n);
    await store.ping();

    const stream = uniqueStreamId();
    await store.append(stream, testEvents(11), 'no_stream');
    await other.append(uniqueStreamId(), testEvents(1), 'no_stream');

    // Past ten, so an ordering by the text of a number would show.
    const expected = Array.from({ length: 12 }, (_, n) => BigInt(n + 1));
    expect((await other.readAll()).map((event) => event.position)).toEqual(expected);
    expect((await other.readStream(stream)).map((event) => event.revision)).toEqual(expected.slice(0, 11).map((n) => n - 1n));
    expect(await store.headPosition()).toBe(12n);
    const raw = await connect(url);
    expect((await raw.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
  });

  it('keeps personal data in its own column and every payload as the JSON text written, NULL when there is none', async () => {
    const store = await openStore();
    const withPerson = testEvent({ data: { title: '楼道堆物', b: 1, a: 2.5 }, personal: { name: '王五', phone: '13912345678' } });
    const withoutPerson = testEvent({ data: { title: '路灯不亮' }, metadata: { z: 1, a: [true, null] } });
    await store.append(uniqueStreamId(), [withPerson, withoutPerson], 'no_stream');

    const raw = await connect();
    const { rows } = await raw.query(
      'SELECT data::text, personal::text, metadata::text FROM event_store.events WHERE event_id = ANY($1) ORDER BY position',
      [[withPerson.id, withoutPerson.id]],
    );

    expect(rows).toEqual([
      { data: JSON.stringify(withPerson.data), personal: JSON.stringify(withPerson.personal), metadata: '{}' },
      { data: JSON.stringify(withoutPerson.data), personal: null, metadata: JSON.stringify(withoutPerson.metadata) },
    ]);
  });

  it('commits 200 concurrent appends in far fewer than 200 transactions', async () => {
    const store = await openStore();
    const before = store.committedTransactions;
    const head = await store.headPosition();

    const results = await Promise.all(Array.from({ length: 200 }, () => store.append(uniqueStreamId(), testEvents(1), 'no_stream')));

    const transactions = store.committedTransactions - before;
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThan(200);
    expect(new Set(results.map((result) => result.position)).size).toBe(200);
    expect(await store.readAll({ after: head, maxCount: 1000 })).toHaveLength(200);
  });

  it('fails only the appends of a batch that fail, checking each against the earlier appends of its batch', async () => {
    const store = await openStore();
    const [contested, broken, quiet] = [uniqueStreamId(), uniqueStreamId(), uniqueStreamId()];
    const repeated = testEvent();
    const before = store.committedTransactions;
    const head = await store.headPosition();

    const [opening, conflicting, duplicateIds, elsewhere, following] = await Promise.allSettled([
      store.append(contested, testEvents(1), 'no_stream'),
      store.append(contested, testEvents(1), 'no_stream'),
      store.append(broken, [repeated, testEvent(), repeated], 'no_stream'),
      store.append(quiet, testEvents(2), 'no_stream'),
      store.append(contested, testEvents(1), 0n),
    ]);

    expect(store.committedTransactions - before).toBe(1);
    expect(opening).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0n } });
    expect(conflicting).toMatchObject({ status: 'rejected', reason: { expected: 'no_stream', actual: 0n } });
    expect(duplicateIds).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('repeats event id') } });
    expect((duplicateIds as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(elsewhere).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(following).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(await store.readStream(broken)).toEqual([]);
    expect(await store.readAll({ after: head })).toHaveLength(4);
  });

  it('refuses stored event ids reused in another stream, in part, or out of their stored order, and ids that are not UUIDs', async () => {
    const store = await openStore();
    const [first, second] = [uniqueStreamId(), uniqueStreamId()];
    const stored = testEvents(2);
    await store.append(first, stored, 'no_stream');

    const outcomes = await Promise.allSettled([
      store.append(second, [stored[0]], 'no_stream'),
      store.append(first, [stored[1], testEvent()], 'any'),
      store.append(first, [stored[1], stored[0]], 'any'),
    ]);
    const notUuid = await store.append(second, [testEvent({ id: 'ticket-1' })], 'no_stream').catch((error: unknown) => error);

    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('not a retry') } });
      expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    }
    expect(notUuid).toBeInstanceOf(TypeError);
    expect(await store.readStream(second)).toEqual([]);
    expect((await store.readStream(first)).map((event) => event.id)).toEqual(stored.map((event) => event.id));
  });

  it('commits appends still queued when closed, then refuses new ones', async () => {
    const url = await emptyDatabaseUrl();
    const store = await openStore({}, url);
    const stream = uniqueStreamId();
    const event = testEvent();

    const queued = store.append(stream, [event], 'no_stream');
    await store.close();

    await expect(queued).resolves.toEqual({ nextExpectedRevision: 0n, position: 1n });
    await expect(store.append(stream, testEvents(1))).rejects.toThrow('closed');
    expect((await (await openStore({}, url)).readStream(stream)).map((recorded) => recorded.id)).toEqual([event.id]);
  });

  it("wakes a live subscription on a local commit, and on another instance's commit through NOTIFY, without waiting for the poll interval", async () => {
    const store = await openStore({ pollIntervalMs: 60_000 });
    const other = await openStore({ pollIntervalMs: 60_000 });
    const stream = uniqueStreamId();
    const collector = new EventCollector((event) => event.streamId === stream);
    const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });
    const [local, remote] = testEvents(2);

    await store.append(stream, [local], 'no_stream');
    await collector.untilDelivered(local.id);
    await other.append(stream, [remote], 0n);
    await collector.untilDelivered(remote.id);

    await subscription.stop();
    expect(collector.ourIds).toEqual([local.id, remote.id]);
  });

  it('never lets a subscriber pass a position whose transaction is still open: a later commit waits, then both arrive in order', async () => {
    const writer = await openStore();
    const otherInstance = await openStore({ visibilityTimeoutMs: 30_000 });
    const reader = await openStore({ pollIntervalMs: 20 });
    const admin = await connect();
    await admin.query(INSTALL_COMMIT_GATE);
    const gate = await connect();
    await gate.query('SELECT pg_advisory_lock($1)', [COMMIT_GATE]);
    const head = await reader.headPosition();
    const [heldStream, laterStream] = [uniqueStreamId(), uniqueStreamId()];
    const held = testEvent({ type: 'HeldAtCommit' });
    const later = testEvent();
    const collector = new EventCollector((event) => [heldStream, laterStream].includes(event.streamId));
    const subscription = reader.subscribeToAll({ after: head, handle: collector.handle });

    // The first append takes its position and stops in COMMIT; the later one commits meanwhile.
    const heldAppend = track(writer.append(heldStream, [held], 'no_stream'));
    await eventually(async () => (await admin.query(WAITING_AT_GATE)).rowCount === 1, 'the first append to wait in COMMIT');
    const laterAppend = track(otherInstance.append(laterStream, [later], 'no_stream'));
    await eventually(
      async () => (await admin.query('SELECT 1 FROM event_store.events WHERE event_id = $1', [later.id])).rowCount === 1,
      'the later append to commit',
    );

    await pause(NEGATIVE_WAIT_MS);
    expect(collector.batches.flat()).toEqual([]);
    expect(await reader.readAll({ after: head })).toEqual([]);
    expect(await reader.headPosition()).toBe(head);
    expect(heldAppend.settled()).toBe(false);
    // Committed but not yet readable, so the later append has not resolved either.
    expect(laterAppend.settled()).toBe(false);

    await gate.query('SELECT pg_advisory_unlock($1)', [COMMIT_GATE]);
    const [heldResult, laterResult]: AppendResult[] = await Promise.all([heldAppend.promise, laterAppend.promise]);
    await collector.untilDelivered(later.id);
    await subscription.stop();

    expect(heldResult.position).toBeLessThan(laterResult.position);
    expect(collector.ourIds).toEqual([held.id, later.id]);
    expect(collector.ours.map((event) => event.position)).toEqual([heldResult.position, laterResult.position]);
    expect((await reader.readAll({ after: head })).map((event) => event.id)).toEqual([held.id, later.id]);
  }, 30_000);

  it('delivers every event of two instances appending concurrently exactly once, in strictly increasing positions', async () => {
    const [first, second] = [await openStore(), await openStore()];
    const reader = await openStore({ pollIntervalMs: 20 });
    const streams = Array.from({ length: 150 }, () => uniqueStreamId());
    const collector = new EventCollector((event) => streams.includes(event.streamId));
    const subscription = reader.subscribeToAll({ after: await reader.headPosition(), maxBatch: 7, handle: collector.handle });

    const appended = await Promise.all(
      streams.map(async (stream, n) => {
        const event = testEvent();
        await (n % 2 === 0 ? first : second).append(stream, [event], 'no_stream');
        return event.id;
      }),
    );

    await collector.until((ours) => ours.length >= appended.length, 'every appended event');
    await subscription.stop();
    const positions = collector.ours.map((event) => event.position);
    for (let n = 1; n < positions.length; n += 1) expect(positions[n]).toBeGreaterThan(positions[n - 1]);
    expect([...collector.ourIds].sort()).toEqual([...appended].sort());
  });

  it('reports a connection killed in mid-append as that error, never as a conflict, stores nothing, and recovers', async () => {
    const store = await openStore();
    const stream = uniqueStreamId();
    await store.append(stream, testEvents(1), 'no_stream');
    const admin = await connect();
    await admin.query(INSTALL_COMMIT_GATE);
    const gate = await connect();
    await gate.query('SELECT pg_advisory_lock($1)', [COMMIT_GATE]);

    const append = store.append(stream, [testEvent({ type: 'HeldAtCommit' })], 0n).catch((error: unknown) => error);
    await eventually(async () => (await admin.query(WAITING_AT_GATE)).rowCount === 1, 'the append to wait in COMMIT');
    await admin.query(`SELECT pg_terminate_backend(pid) FROM (${WAITING_AT_GATE}) AS waiting`);
    const error = await append;
    await gate.query('SELECT pg_advisory_unlock($1)', [COMMIT_GATE]);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ code: '57P01' });
    expect(await store.readStream(stream)).toHaveLength(1);
    await expect(store.append(stream, testEvents(1), 0n)).resolves.toMatchObject({ nextExpectedRevision: 1n });
  });

  it('keeps working after the server ended all its connections: appends, reads, and hears other instances again', async () => {
    const url = await emptyDatabaseUrl();
    const store = await openStore({ pollIntervalMs: 60_000 }, url);
    const other = await openStore({}, url);
    const stream = uniqueStreamId();
    const collector = new EventCollector((event) => event.streamId === stream);
    const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });
    const admin = await connect(url);

    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    // A query may still meet a connection the pool has not yet seen die: retry the same append
    // (idempotent by event id) until the store has replaced its connections.
    const event = testEvent();
    let result: AppendResult | undefined;
    await eventually(async () => {
      result = await store.append(stream, [event], 'no_stream').catch(() => undefined);
      return result !== undefined;
    }, 'an append to succeed again');

    expect(result).toMatchObject({ nextExpectedRevision: 0n });
    expect(await store.readStream(stream)).toHaveLength(1);
    // The listener reconnects after a second; appends meanwhile are caught by its catch-up read.
    const remote = testEvent();
    await other.append(stream, [remote], 0n);
    await collector.untilDelivered(remote.id);
    await subscription.stop();
    expect(collector.ours).toHaveLength(2);
  }, 15_000);

  it('fails to open, with the connection error, when the server cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const error = await PostgresEventStore.open(`postgres://postgres@127.0.0.1:${port}/cases`).catch((reason: unknown) => reason);

    // Node's socket errors come from outside jest's module realm, so no toBeInstanceOf(Error) here.
    expect(error).toMatchObject({ code: 'ECONNREFUSED', message: expect.stringContaining('ECONNREFUSED') });
    expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
  });
});

import { createServer } from 'node:net';
import { KurrentDbStandIn } from '../../../../test/kurrentdb-stand-in';
import { EventCollector, testEvent, testEvents, uniqueStreamId, withTimeout } from '../contract';
import { WrongExpectedVersionError, type EventStore } from '../event-store.port';
import { KurrentDbStartupError, openKurrentDbEventStore } from './index';

// What only KurrentDB's adapter has to get right, checked against the test stand-in, which can
// do what a real node does on its own: refuse as an older version, write system events into
// `$all`, drop subscriptions, go away.

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Retries `attempt` until it resolves: the client reconnects on its own schedule. */
async function untilResolved<T>(attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function startupError(url: string): Promise<KurrentDbStartupError> {
  const error = await openKurrentDbEventStore(url).then(
    async (store) => {
      await store.close();
      throw new Error('the store opened');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(KurrentDbStartupError);
  return error as KurrentDbStartupError;
}

describe('KurrentDB event store', () => {
  describe('at start', () => {
    it('refuses a server older than 25.1, naming KURRENTDB_URL and the version', async () => {
      const older = await KurrentDbStandIn.start({ serverVersion: '24.10.0', multiStreamAppend: false });
      try {
        const error = await startupError(older.url);

        expect(error.message).toMatch(/KURRENTDB_URL/);
        expect(error.message).toMatch(/version 24\.10\.0/);
        expect(error.message).toMatch(/25\.1 or later/);
        expect(error.setting).toBe('KURRENTDB_URL');
      } finally {
        await older.stop();
      }
    });

    it('names KURRENTDB_URL, never the password, when the server does not answer', async () => {
      const error = await startupError(`kurrentdb://admin:s3cret-pw@127.0.0.1:${await closedPort()}?tls=false&discoveryInterval=10`);

      expect(error.message).toMatch(/KURRENTDB_URL.*did not answer/);
      expect(error.message).not.toContain('s3cret-pw');
    });

    it('refuses a malformed connection string without repeating it', async () => {
      const error = await startupError('postgres://admin:s3cret-pw@db:5432/cases');

      expect(error.message).toMatch(/KURRENTDB_URL is not a KurrentDB connection string/);
      expect(error.message).not.toContain('s3cret-pw');
    });

    it('refuses throwOnAppendFailure=false, under which the client hides conflicts', async () => {
      const error = await startupError('kurrentdb://127.0.0.1:2113?tls=false&throwOnAppendFailure=false');

      expect(error.message).toMatch(/throwOnAppendFailure=false/);
    });
  });

  describe('on a running server', () => {
    let standIn: KurrentDbStandIn;
    let store: EventStore;
    const drops: unknown[] = [];

    beforeEach(async () => {
      standIn = await KurrentDbStandIn.start();
      drops.length = 0;
      store = await openKurrentDbEventStore(standIn.url, { resubscribeDelayMs: 10, onSubscriptionDropped: (error) => drops.push(error) });
    });

    afterEach(async () => {
      await store.close();
      await standIn.stop();
    });

    it('stores personal data only in the event body, under its marked key', async () => {
      const stream = uniqueStreamId();
      const event = testEvent({ personal: { name: '王五', phone: '13900001111' }, metadata: { correlationId: 'c-9' } });

      await store.append(stream, [event], 'no_stream');

      const [stored] = standIn.log.stream(stream) ?? [];
      const body = JSON.parse(Buffer.from(stored.data).toString('utf8'));
      const metadata = Buffer.from(stored.metadata).toString('utf8');
      expect(body).toEqual({ data: event.data, personal: { name: '王五', phone: '13900001111' } });
      expect(JSON.parse(metadata)).toEqual({ correlationId: '"c-9"' });
      expect(`${stored.streamId}${stored.id}${stored.type}${metadata}`).not.toMatch(/王五|13900001111/);
    });

    it('keeps KurrentDB system events out of reads, the head position and subscriptions', async () => {
      const stream = uniqueStreamId();
      const before = await store.headPosition();
      const collector = new EventCollector((event) => event.streamId.startsWith('$') || event.streamId === stream);
      const subscription = store.subscribeToAll({ after: before, handle: collector.handle });
      const appended: string[] = [];
      for (let n = 0; n < 3; n += 1) {
        const event = testEvent();
        appended.push(event.id);
        await store.append(stream, [event]);
        // A system stream holding an event type that is not itself a system type: only the stream name tells.
        standIn.log.writeSystemEvent(`$projections-${n}`, 'ProjectionUpdated');
        standIn.log.writeSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
      }
      const [last] = (await store.readStream(stream, { fromRevision: 2n })).map((event) => event.position);

      const page = await store.readAll({ after: before, maxCount: 3 });
      expect(page.map((event) => event.id)).toEqual(appended);
      expect(await store.headPosition()).toBe(last);
      await collector.untilDelivered(appended[2]);
      await withTimeout(subscription.stop(), 'the subscription to stop');
      expect(collector.ourIds).toEqual(appended);
    });

    it('resubscribes from its checkpoint when the server drops the subscription, delivering each event once', async () => {
      const stream = uniqueStreamId();
      const collector = new EventCollector((event) => event.streamId === stream);
      const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });
      const first = testEvents(2);
      await store.append(stream, first, 'no_stream');
      await collector.untilDelivered(first[1].id);

      expect(standIn.dropSubscriptions()).toBe(1);
      const second = testEvents(2);
      await store.append(stream, second, 1n);
      await collector.untilDelivered(second[1].id);
      await withTimeout(subscription.stop(), 'the subscription to stop');

      expect(collector.ourIds).toEqual([...first, ...second].map((event) => event.id));
      expect(drops.length).toBeGreaterThanOrEqual(1);
      expect(subscription.position).toBe((await store.readStream(stream, { fromRevision: 3n }))[0].position);
    });

    it('recovers by itself when the server returns: reads, appends and the subscription resume', async () => {
      const stream = uniqueStreamId();
      const collector = new EventCollector((event) => event.streamId === stream);
      const subscription = store.subscribeToAll({ after: await store.headPosition(), handle: collector.handle });
      const before = testEvent();
      await store.append(stream, [before], 'no_stream');
      await collector.untilDelivered(before.id);
      await standIn.stop();
      await expect(store.ping()).rejects.toThrow();

      standIn = await KurrentDbStandIn.start({ port: standIn.port, log: standIn.log });
      await withTimeout(
        untilResolved(() => store.ping()),
        'the store to answer again',
      );
      const after = testEvent();
      await withTimeout(
        untilResolved(() => store.append(stream, [after], 0n)),
        'an append to succeed again',
      );
      await collector.untilDelivered(after.id);
      await withTimeout(subscription.stop(), 'the subscription to stop');

      expect(collector.ourIds).toEqual([before.id, after.id]);
      expect(drops.length).toBeGreaterThanOrEqual(1);
    });

    it('lets an outage propagate from an append, never as a conflict', async () => {
      const stream = uniqueStreamId();
      await store.append(stream, testEvents(1), 'no_stream');
      await standIn.stop();

      const error = await store.append(stream, testEvents(1), 0n).catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.ping()).rejects.toThrow();
    });
  });
});

import { WrongExpectedVersionError, type AppendResult, type EventStore, type RecordedEvent, type StreamAppend } from '../event-store.port';
import { EventCollector, testEvent, testEvents, uniqueStreamId, withTimeout } from './test-kit';

export interface EventStoreUnderTest {
  store: EventStore;
  /** Closes the store and removes whatever the factory created. */
  cleanup(): Promise<void>;
}

/** Longer than withTimeout's waits, so a stuck subscription fails with the message naming what it waited for. */
const SUBSCRIPTION_TEST_TIMEOUT_MS = 15_000;

/**
 * The behaviour every EventStore adapter must show (EventStoreDB semantics). It runs unchanged
 * against an empty embedded store or a shared server: every test uses fresh stream ids and only
 * asserts on its own events, never on the log's absolute contents.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });

    afterEach(() => cleanup());

    async function expectConflict(append: Promise<unknown>, expected: WrongExpectedVersionError['expected'], actual: bigint | 'no_stream') {
      const error = await append.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ expected, actual });
    }

    function byStream(...streamIds: string[]): (event: RecordedEvent) => boolean {
      return (event) => streamIds.includes(event.streamId);
    }

    describe('append and expected revision', () => {
      it('creates a stream with no_stream and reports its last revision and global position', async () => {
        const stream = uniqueStreamId();

        const result = await store.append(stream, testEvents(2), 'no_stream');

        expect(result.nextExpectedRevision).toBe(1n);
        expect(typeof result.position).toBe('bigint');
        const stored = await store.readStream(stream);
        expect(stored.map((event) => event.revision)).toEqual([0n, 1n]);
        expect(stored[1].position).toBe(result.position);
      });

      it('refuses a second no_stream append, reporting the actual revision, and stores nothing', async () => {
        const stream = uniqueStreamId();
        await store.append(stream, testEvents(2), 'no_stream');

        await expectConflict(store.append(stream, testEvents(1), 'no_stream'), 'no_stream', 1n);

        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends at the exact current revision and refuses a stale one', async () => {
        const stream = uniqueStreamId();
        const first = await store.append(stream, testEvents(1), 'no_stream');

        const second = await store.append(stream, testEvents(2), first.nextExpectedRevision);
        expect(second.nextExpectedRevision).toBe(2n);
        expect(second.position).toBeGreaterThan(first.position);

        await expectConflict(store.append(stream, testEvents(1), first.nextExpectedRevision), 0n, 2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('refuses an exact revision on a missing stream', async () => {
        const stream = uniqueStreamId();

        await expectConflict(store.append(stream, testEvents(1), 0n), 0n, 'no_stream');

        expect(await store.readStream(stream)).toEqual([]);
      });

      it('refuses stream_exists on a missing stream and accepts it on an existing one', async () => {
        const stream = uniqueStreamId();

        await expectConflict(store.append(stream, testEvents(1), 'stream_exists'), 'stream_exists', 'no_stream');

        await store.append(stream, testEvents(1), 'no_stream');
        const result = await store.append(stream, testEvents(1), 'stream_exists');
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('accepts any whether or not the stream exists, and treats an omitted expectation as any', async () => {
        const stream = uniqueStreamId();

        expect((await store.append(stream, testEvents(1), 'any')).nextExpectedRevision).toBe(0n);
        expect((await store.append(stream, testEvents(1), 'any')).nextExpectedRevision).toBe(1n);
        expect((await store.append(stream, testEvents(1))).nextExpectedRevision).toBe(2n);
      });

      it('lets exactly one of ten concurrent appends at the same expected revision win', async () => {
        const stream = uniqueStreamId();
        await store.append(stream, testEvents(1), 'no_stream');
        const attempts = Array.from({ length: 10 }, () => testEvent());

        const outcomes = await Promise.allSettled(attempts.map((event) => store.append(stream, [event], 0n)));

        const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [{ index, result: outcome.value }] : []));
        expect(winners).toHaveLength(1);
        expect(winners[0].result.nextExpectedRevision).toBe(1n);
        for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
          expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect(outcome.reason).toMatchObject({ streamId: stream, expected: 0n, actual: 1n });
        }
        const stored = await store.readStream(stream);
        expect(stored.map((event) => event.id)).toEqual([expect.any(String), attempts[winners[0].index].id]);
      });

      it('appends to one stream issued without awaiting, in order, all succeed in order', async () => {
        // Enough appends, on enough streams, that a group-committing store spreads them over several
        // batches and concurrent commits; each stream's first append also takes the next number of
        // a shared counter, as the service's intakes do.
        const counter = uniqueStreamId();
        const streams = Array.from({ length: 24 }, () => uniqueStreamId());
        const rounds = 25;
        const issued = new Map<string, string[]>(streams.map((stream) => [stream, []]));
        const revisions = new Map<string, bigint>();
        const appends: Promise<{ stream: string; expected: bigint; results: AppendResult[] }>[] = [];
        for (let round = 0; round < rounds; round++) {
          streams.forEach((stream, index) => {
            const events = testEvents(1 + ((round + index) % 2));
            issued.get(stream)?.push(...events.map((event) => event.id));
            const current = revisions.get(stream);
            const expected = (current ?? -1n) + BigInt(events.length);
            revisions.set(stream, expected);
            const parts: StreamAppend[] = [{ streamId: stream, events, expectedRevision: current ?? 'no_stream' }];
            if (round === 0)
              parts.unshift({ streamId: counter, events: testEvents(1), expectedRevision: index === 0 ? 'no_stream' : BigInt(index - 1) });
            appends.push(store.appendMultiple(parts).then((results) => ({ stream, expected, results })));
          });
        }

        const outcomes = await Promise.all(appends);

        const lastPosition = new Map<string, bigint>();
        for (const { stream, expected, results } of outcomes) {
          const result = results[results.length - 1];
          expect(result.nextExpectedRevision).toBe(expected);
          expect(result.position).toBeGreaterThan(lastPosition.get(stream) ?? 0n);
          lastPosition.set(stream, result.position);
        }
        for (const stream of streams) {
          expect((await store.readStream(stream)).map((event) => event.id)).toEqual(issued.get(stream));
        }
        expect(await store.readStream(counter)).toHaveLength(streams.length);
      });

      it('rejects an append with no events or with a payload JSON cannot hold, without calling it a conflict', async () => {
        const stream = uniqueStreamId();

        const empty = await store.append(stream, [], 'any').catch((error: unknown) => error);
        const unserialisable = await store.append(stream, [testEvent({ data: { amount: 1n } })], 'any').catch((error: unknown) => error);

        for (const error of [empty, unserialisable]) {
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
        }
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('multi-stream append', () => {
      it('lands every part, each at its own revision, in one step of the global log', async () => {
        const counter = uniqueStreamId();
        const subject = uniqueStreamId();
        await store.append(counter, testEvents(1), 'no_stream');

        const [counterResult, subjectResult] = await store.appendMultiple([
          { streamId: counter, events: testEvents(1), expectedRevision: 0n },
          { streamId: subject, events: testEvents(2), expectedRevision: 'no_stream' },
        ]);

        expect(counterResult.nextExpectedRevision).toBe(1n);
        expect(subjectResult.nextExpectedRevision).toBe(1n);
        expect(subjectResult.position).toBeGreaterThan(counterResult.position);
        expect(await store.readStream(counter)).toHaveLength(2);
        expect((await store.readStream(subject)).map((event) => event.revision)).toEqual([0n, 1n]);
      });

      it('lands nothing when one part is refused, and reports that part', async () => {
        const counter = uniqueStreamId();
        const subject = uniqueStreamId();
        await store.append(counter, testEvents(2), 'no_stream');
        const head = await store.headPosition();

        await expectConflict(
          store.appendMultiple([
            { streamId: subject, events: testEvents(1), expectedRevision: 'no_stream' },
            { streamId: counter, events: testEvents(1), expectedRevision: 0n },
          ]),
          0n,
          1n,
        );

        expect(await store.readStream(subject)).toEqual([]);
        expect(await store.readStream(counter)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
      });

      it('lets exactly one of two racing multi-stream appends on the same counter win', async () => {
        const counter = uniqueStreamId();
        const [first, second] = await Promise.allSettled(
          [uniqueStreamId(), uniqueStreamId()].map((subject) =>
            store.appendMultiple([
              { streamId: counter, events: testEvents(1), expectedRevision: 'no_stream' },
              { streamId: subject, events: testEvents(1), expectedRevision: 'no_stream' },
            ]),
          ),
        );
        expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
        expect(await store.readStream(counter)).toHaveLength(1);
      });
    });

    describe('idempotent append by event id', () => {
      it('stores a retried append once and returns its original result, even after the stream moved on', async () => {
        const stream = uniqueStreamId();
        const opening = testEvents(2);
        const follow = testEvents(1);
        const openingResult = await store.append(stream, opening, 'no_stream');
        const followResult = await store.append(stream, follow, openingResult.nextExpectedRevision);
        await store.append(stream, testEvents(1), followResult.nextExpectedRevision);

        expect(await store.append(stream, opening, 'no_stream')).toEqual(openingResult);
        expect(await store.append(stream, opening, 'any')).toEqual(openingResult);
        expect(await store.append(stream, follow, openingResult.nextExpectedRevision)).toEqual(followResult);

        const stored = await store.readStream(stream);
        expect(stored.map((event) => event.id)).toEqual([...opening, ...follow].map((event) => event.id).concat(stored[3].id));
      });

      it('stores a retry that races its original once, both getting the same result', async () => {
        const stream = uniqueStreamId();
        const events = testEvents(2);

        const [original, retry] = await Promise.all([store.append(stream, events, 'no_stream'), store.append(stream, events, 'no_stream')]);

        expect(retry).toEqual(original);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('reading', () => {
      it('reads a stream in revision order from a revision, up to a count, and a missing stream as empty', async () => {
        const stream = uniqueStreamId();
        const first = testEvents(3);
        const second = testEvents(2);
        await store.append(stream, first, 'no_stream');
        await store.append(stream, second, 2n);
        const ids = [...first, ...second].map((event) => event.id);

        const all = await store.readStream(stream);
        expect(all.map((event) => event.id)).toEqual(ids);
        expect(all.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect((await store.readStream(stream, { fromRevision: 2n })).map((event) => event.id)).toEqual(ids.slice(2));
        expect((await store.readStream(stream, { maxCount: 2 })).map((event) => event.id)).toEqual(ids.slice(0, 2));
        expect((await store.readStream(stream, { fromRevision: 1n, maxCount: 3 })).map((event) => event.id)).toEqual(ids.slice(1, 4));
        expect(await store.readStream(stream, { fromRevision: 5n })).toEqual([]);
        expect(await store.readStream(uniqueStreamId())).toEqual([]);
      });

      it('gives bigint revisions and positions, strictly increasing across streams in commit order', async () => {
        const streams = [uniqueStreamId(), uniqueStreamId()];
        const before = await store.headPosition();
        const appended: string[] = [];
        const positions: bigint[] = [];
        for (let round = 0; round < 3; round += 1) {
          for (const stream of streams) {
            const event = testEvent();
            const result = await store.append(stream, [event]);
            appended.push(event.id);
            positions.push(result.position);
          }
        }

        for (let n = 1; n < positions.length; n += 1) expect(positions[n]).toBeGreaterThan(positions[n - 1]);
        const log = await store.readAll({ after: before, upTo: positions[positions.length - 1], maxCount: 10_000 });
        const logged = log.filter(byStream(...streams));
        expect(logged.map((event) => event.id)).toEqual(appended);
        expect(logged.map((event) => event.position)).toEqual(positions);
        for (const event of logged) {
          expect(typeof event.revision).toBe('bigint');
          expect(typeof event.position).toBe('bigint');
        }
      });

      it('reads the global log strictly after a position, up to and including a position, up to a count', async () => {
        const stream = uniqueStreamId();
        await store.append(stream, testEvents(5), 'no_stream');
        const positions = (await store.readStream(stream)).map((event) => event.position);
        const [p0, p1, p2, p3, p4] = positions;

        const window = await store.readAll({ after: p0, upTo: p3, maxCount: 10_000 });
        expect(window.filter(byStream(stream)).map((event) => event.position)).toEqual([p1, p2, p3]);
        for (const event of window) expect(event.position > p0 && event.position <= p3).toBe(true);

        const firstTwo = await store.readAll({ after: p0, maxCount: 2 });
        expect(firstTwo).toHaveLength(2);
        expect(firstTwo[0].position).toBeGreaterThan(p0);
        expect(firstTwo[1].position).toBeGreaterThan(firstTwo[0].position);
        expect(firstTwo[1].position).toBeLessThanOrEqual(p2);

        expect((await store.readAll({ after: p4 })).filter(byStream(stream))).toEqual([]);
        const [firstInLog] = await store.readAll({ maxCount: 1 });
        expect(firstInLog.position).toBeGreaterThanOrEqual(1n);
        expect(firstInLog.position).toBeLessThanOrEqual(p0);
      });

      it('reports the head position as that of the last committed event', async () => {
        const stream = uniqueStreamId();
        const before = await store.headPosition();

        const result = await store.append(stream, testEvents(2), 'no_stream');

        const head = await store.headPosition();
        expect(typeof head).toBe('bigint');
        expect(head).toBeGreaterThan(before);
        expect(head).toBeGreaterThanOrEqual(result.position);
        expect((await store.readAll({ after: head })).filter(byStream(stream))).toEqual([]);
      });

      it('round-trips data, personal data and metadata, including Chinese text and a null personal', async () => {
        const stream = uniqueStreamId();
        const withPerson = testEvent({
          type: 'PetitionRegistered',
          data: {
            title: '小区噪音扰民',
            tags: ['噪音', '夜间'],
            urgent: true,
            count: 3,
            ratio: 0.923,
            note: null,
            nested: { 街道: '东城' },
          },
          personal: { name: '张三', phone: '13812341234', idCard: '110101199003071234', address: '北京市东城区和平里街道 1 号楼 😀' },
          metadata: { correlationId: 'c-1', actor: '李四', schemaVersion: 1 },
        });
        const withoutPerson = testEvent({ type: 'CaseAccepted', data: { unit: '城管科' }, personal: null, metadata: {} });
        const started = Date.now();

        await store.append(stream, [withPerson, withoutPerson], 'no_stream');

        const fromStream = await store.readStream(stream);
        expect(fromStream).toEqual([
          expect.objectContaining({ ...withPerson, streamId: stream, revision: 0n }),
          expect.objectContaining({ ...withoutPerson, streamId: stream, revision: 1n }),
        ]);
        for (const event of fromStream) {
          expect(event.created).toBeInstanceOf(Date);
          expect(Number.isNaN(event.created.getTime())).toBe(false);
        }
        expect(Math.abs(fromStream[0].created.getTime() - started)).toBeLessThan(60_000);
        const log = await store.readAll({ after: fromStream[0].position - 1n, upTo: fromStream[1].position });
        expect(log.filter(byStream(stream))).toEqual(fromStream);
      });
    });

    describe('subscribeToAll', () => {
      it(
        'delivers every event after a checkpoint exactly once and in order, catching up then live, and resumes from a saved checkpoint',
        async () => {
          const streams = [uniqueStreamId(), uniqueStreamId()];
          const checkpoint = await store.headPosition();
          const appended: string[] = [];
          const appendTo = async (stream: string, count: number) => {
            const events = testEvents(count);
            await store.append(stream, events);
            appended.push(...events.map((event) => event.id));
          };
          await appendTo(streams[0], 3);
          await appendTo(streams[1], 2);

          const first = new EventCollector(byStream(...streams));
          const subscription = store.subscribeToAll({ after: checkpoint, maxBatch: 2, handle: first.handle });
          await first.until((ours) => ours.length === 5, 'the catch-up events');
          await appendTo(streams[0], 2);
          await appendTo(streams[1], 1);
          await appendTo(streams[0], 1);
          // A last event seen means anything delivered twice before it has been seen too.
          await appendTo(streams[1], 1);
          await first.untilDelivered(appended[appended.length - 1]);
          await withTimeout(subscription.stop(), 'the subscription to stop');

          expect(first.ourIds).toEqual(appended);
          const delivered = first.batches.flat();
          expect(delivered[0].position).toBeGreaterThan(checkpoint);
          for (let n = 1; n < delivered.length; n += 1) expect(delivered[n].position).toBeGreaterThan(delivered[n - 1].position);
          expect(first.batches.every((batch) => batch.length >= 1 && batch.length <= 2)).toBe(true);
          expect(subscription.position).toBe(delivered[delivered.length - 1].position);
          await expect(subscription.done).resolves.toBeUndefined();

          const savedCheckpoint = first.ours[3].position;
          const resumed = new EventCollector(byStream(...streams));
          const resumedSubscription = store.subscribeToAll({ after: savedCheckpoint, handle: resumed.handle });
          await resumed.untilDelivered(appended[appended.length - 1]);
          await withTimeout(resumedSubscription.stop(), 'the resumed subscription to stop');

          expect(resumed.ourIds).toEqual(appended.slice(4));
        },
        SUBSCRIPTION_TEST_TIMEOUT_MS,
      );

      it(
        'never calls a slow handler again before its previous batch settled',
        async () => {
          const stream = uniqueStreamId();
          const collector = new EventCollector(byStream(stream));
          let inFlight = 0;
          let mostInFlight = 0;
          const subscription = store.subscribeToAll({
            after: await store.headPosition(),
            maxBatch: 1,
            handle: async (batch) => {
              inFlight += 1;
              mostInFlight = Math.max(mostInFlight, inFlight);
              // A handler slower than the appends, so commits keep waking the subscription while it is busy.
              await new Promise((resolve) => setTimeout(resolve, 2));
              collector.handle(batch);
              inFlight -= 1;
            },
          });
          const appended: string[] = [];
          for (let n = 0; n < 10; n += 1) {
            const event = testEvent();
            appended.push(event.id);
            await store.append(stream, [event]);
          }

          await collector.untilDelivered(appended[appended.length - 1]);
          await withTimeout(subscription.stop(), 'the subscription to stop');

          expect(mostInFlight).toBe(1);
          expect(collector.ourIds).toEqual(appended);
        },
        SUBSCRIPTION_TEST_TIMEOUT_MS,
      );

      it.each([
        [
          'throws',
          (): void => {
            throw new Error('projection failed');
          },
        ],
        [
          'rejects',
          async (): Promise<void> => {
            throw new Error('projection failed');
          },
        ],
      ])(
        'stops and rejects done when the handler %s',
        async (_how, fail) => {
          const stream = uniqueStreamId();
          const event = testEvent();
          let ourCalls = 0;
          const subscription = store.subscribeToAll({
            after: await store.headPosition(),
            handle: (batch) => {
              if (!batch.some(byStream(stream))) return;
              ourCalls += 1;
              return fail();
            },
          });

          const { position } = await store.append(stream, [event]);

          await expect(withTimeout(subscription.done, 'the subscription to fail')).rejects.toThrow('projection failed');
          expect(ourCalls).toBe(1);
          expect(subscription.position).toBeLessThan(position);
        },
        SUBSCRIPTION_TEST_TIMEOUT_MS,
      );

      it(
        'stops an idle subscription at once, and a busy one only after its batch in flight settled',
        async () => {
          const idle = store.subscribeToAll({ after: await store.headPosition(), handle: () => undefined });
          await withTimeout(idle.stop(), 'an idle subscription to stop');
          await expect(idle.done).resolves.toBeUndefined();

          const stream = uniqueStreamId();
          const steps: string[] = [];
          let release = (): void => undefined;
          const released = new Promise<void>((resolve) => (release = resolve));
          let entered = (): void => undefined;
          const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
          const busy = store.subscribeToAll({
            after: await store.headPosition(),
            maxBatch: 1,
            handle: async (batch) => {
              if (!batch.some(byStream(stream))) return;
              entered();
              await released;
              steps.push('batch settled');
            },
          });
          const { position } = await store.append(stream, [testEvent()]);
          await withTimeout(handlerEntered, 'the handler to receive the event');

          const stopped = busy.stop().then(() => steps.push('stopped'));
          // Give a premature stop a full turn of the event loop to resolve while the batch is still held.
          await new Promise((resolve) => setImmediate(resolve));
          steps.push('released');
          release();
          await withTimeout(stopped, 'the busy subscription to stop');

          expect(steps).toEqual(['released', 'batch settled', 'stopped']);
          expect(busy.position).toBe(position);
          await expect(busy.done).resolves.toBeUndefined();
        },
        SUBSCRIPTION_TEST_TIMEOUT_MS,
      );
    });
  });
}

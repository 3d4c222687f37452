import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  UnavailableError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  type JSONEventData,
} from '@kurrent/kurrentdb-client';
import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError, type EventData, type ExpectedRevision } from '../event-store.port';
import {
  decodeMetadata,
  fromKurrentEvent,
  fromStreamState,
  isSystemStream,
  positionOf,
  readPositionAfter,
  toKurrentEvent,
  toStreamState,
  translateAppendError,
  type KurrentRecordedEvent,
} from './kurrentdb-mapping';

function portEvent(overrides: Partial<EventData> = {}): EventData {
  return { id: randomUUID(), type: 'CaseRegistered', data: { title: '噪音' }, personal: null, metadata: {}, ...overrides };
}

/** What KurrentDB hands back for an event the client wrote: the JSON data parsed, the metadata parsed from JSON text. */
function recordedAs(sent: JSONEventData, overrides: Partial<KurrentRecordedEvent> = {}): KurrentRecordedEvent {
  return {
    streamId: 'case-1',
    id: sent.id,
    revision: 4n,
    type: sent.type,
    isJson: true,
    data: JSON.parse(JSON.stringify(sent.data)),
    metadata: JSON.parse(JSON.stringify(sent.metadata)),
    created: new Date('2026-03-01T08:00:00Z'),
    position: { commit: 90_112n, prepare: 90_112n },
    ...overrides,
  };
}

describe('KurrentDB mapping', () => {
  describe('expected revision', () => {
    it.each<[ExpectedRevision, unknown]>([
      ['no_stream', NO_STREAM],
      ['any', ANY],
      ['stream_exists', STREAM_EXISTS],
      [0n, 0n],
      [41n, 41n],
      [2n ** 63n - 1n, 2n ** 63n - 1n],
    ])('maps %p onto the client stream state %p, and back', (expected, streamState) => {
      expect(toStreamState(expected)).toBe(streamState);
      expect(fromStreamState(toStreamState(expected))).toBe(expected);
    });

    it('refuses a negative or oversized revision instead of letting it pass as no-stream or any', () => {
      expect(() => toStreamState(-1n)).toThrow(RangeError);
      expect(() => toStreamState(-2n)).toThrow(RangeError);
      expect(() => toStreamState(2n ** 63n)).toThrow(RangeError);
      expect(() => toStreamState(3 as unknown as bigint)).toThrow(TypeError);
    });
  });

  describe('append errors', () => {
    it('turns the client wrong-expected-version into the port conflict, with the revision the caller asked for and the actual one', () => {
      const clientError = new KurrentWrongExpectedVersionError(undefined, { streamName: 'case-1', expected: 3n, current: 5n });

      const translated = translateAppendError(clientError, new Map([['case-1', 3n]]));

      expect(translated).toBeInstanceOf(WrongExpectedVersionError);
      expect(translated).toMatchObject({ streamId: 'case-1', expected: 3n, actual: 5n });
    });

    it('reports a missing stream as no_stream, and names the refused stream of a multi-stream append', () => {
      const clientError = new KurrentWrongExpectedVersionError(undefined, {
        streamName: 'case-numbers-7',
        expected: STREAM_EXISTS,
        current: NO_STREAM,
      });
      const requested = new Map<string, ExpectedRevision>([
        ['case-2', 'no_stream'],
        ['case-numbers-7', 'stream_exists'],
      ]);

      expect(translateAppendError(clientError, requested)).toMatchObject({
        streamId: 'case-numbers-7',
        expected: 'stream_exists',
        actual: 'no_stream',
      });
    });

    it('falls back to the expectation the client reports for a stream it was not asked about', () => {
      const clientError = new KurrentWrongExpectedVersionError(undefined, { streamName: 'other', expected: NO_STREAM, current: 0n });

      expect(translateAppendError(clientError, new Map())).toMatchObject({ streamId: 'other', expected: 'no_stream', actual: 0n });
    });

    it('returns every other error unchanged, so an outage is never reported as a conflict', () => {
      const unavailable = new UnavailableError(undefined, 'connection refused');
      const plain = new Error('socket hang up');

      expect(translateAppendError(unavailable, new Map([['case-1', 0n]]))).toBe(unavailable);
      expect(translateAppendError(plain, new Map())).toBe(plain);
      expect(translateAppendError('not even an error', new Map())).toBe('not even an error');
    });
  });

  describe('events', () => {
    it('stores data and personal data in the marked envelope, and each metadata value as JSON text', () => {
      const event = portEvent({
        personal: { name: '张三', phone: '13812341234' },
        metadata: { correlationId: 'c-1', schemaVersion: 2, tags: ['a'], skipped: undefined },
      });

      const sent = toKurrentEvent(event) as JSONEventData;

      expect(sent).toMatchObject({ id: event.id, type: 'CaseRegistered', contentType: 'application/json' });
      expect(sent.data).toEqual({ data: { title: '噪音' }, personal: { name: '张三', phone: '13812341234' } });
      expect(sent.metadata).toEqual({ correlationId: '"c-1"', schemaVersion: '2', tags: '["a"]' });
      expect(JSON.stringify(sent.metadata)).not.toContain('张三');
    });

    it('writes a missing personal part as null', () => {
      expect((toKurrentEvent(portEvent({ personal: undefined as unknown as null })) as JSONEventData).data).toEqual({
        data: { title: '噪音' },
        personal: null,
      });
    });

    it('reads back exactly what it wrote, ignoring the keys KurrentDB adds to metadata', () => {
      const event = portEvent({ personal: { idCard: '110101199003071234' }, metadata: { actor: '李四', nested: { n: 1 }, flag: false } });
      const sent = toKurrentEvent(event) as JSONEventData;
      const metadataWithServerKeys = {
        ...(sent.metadata as Record<string, string>),
        '$schema.name': 'CaseRegistered',
        '$schema.format': 'Json',
      };

      const recorded = fromKurrentEvent(recordedAs(sent, { metadata: metadataWithServerKeys }));

      expect(recorded).toEqual({
        ...event,
        streamId: 'case-1',
        revision: 4n,
        position: 90_112n,
        created: new Date('2026-03-01T08:00:00Z'),
      });
    });

    it('reads an event without metadata as empty metadata', () => {
      expect(decodeMetadata(undefined, 'e-1')).toEqual({});
    });

    it.each<[string, Partial<EventData>]>([
      ['an id that is not a UUID', { id: 'case-1-event-1' }],
      ['a type reserved for KurrentDB', { type: '$metadata' }],
      ['an empty type', { type: '' }],
      ['data with a bigint', { data: { amount: 1n } }],
      ['data with no JSON form', { data: undefined }],
      ['personal data with a bigint', { personal: { n: 1n } }],
      ['a metadata key reserved for KurrentDB', { metadata: { $correlationId: 'c-1' } }],
      ['metadata that is not an object', { metadata: ['x'] as unknown as Record<string, unknown> }],
    ])('refuses %s before anything is sent', (_what, overrides) => {
      expect(() => toKurrentEvent(portEvent(overrides))).toThrow(TypeError);
    });

    it('fails loudly on an event this adapter did not write', () => {
      const sent = toKurrentEvent(portEvent()) as JSONEventData;

      expect(() => fromKurrentEvent(recordedAs(sent, { data: { title: 'bare' } }))).toThrow(/not in this service's format/);
      expect(() => fromKurrentEvent(recordedAs(sent, { isJson: false }))).toThrow(/not in this service's format/);
      expect(() => fromKurrentEvent(recordedAs(sent, { metadata: { actor: 7 } }))).toThrow(/does not hold JSON text/);
      expect(() => fromKurrentEvent(recordedAs(sent, { metadata: new Uint8Array([1, 2]) }))).toThrow(/not a JSON object/);
    });
  });

  describe('positions', () => {
    it('takes the commit position as the port position', () => {
      expect(positionOf({ id: 'e', position: { commit: 7_000n, prepare: 6_900n } })).toBe(7_000n);
    });

    it('refuses an event without a log position rather than inventing one', () => {
      expect(() => positionOf({ id: 'e', position: undefined })).toThrow(/without a log position/);
    });

    it('starts after 0n at the start of the log, and after a position at that position as commit and prepare', () => {
      expect(readPositionAfter(0n)).toBe(START);
      expect(readPositionAfter(123_456n)).toEqual({ commit: 123_456n, prepare: 123_456n });
      expect(() => readPositionAfter(-1n)).toThrow(RangeError);
    });

    it('treats streams beginning with $ as KurrentDB system streams', () => {
      expect(isSystemStream('$settings')).toBe(true);
      expect(isSystemStream('$$case-1')).toBe(true);
      expect(isSystemStream('case-1')).toBe(false);
    });
  });
});

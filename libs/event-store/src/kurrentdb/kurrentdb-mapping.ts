import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  START,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  jsonEvent,
  type AppendStreamState,
  type CurrentStreamState,
  type EventData as KurrentEventData,
  type Position,
} from '@kurrent/kurrentdb-client';
import { WrongExpectedVersionError, type EventData, type ExpectedRevision, type RecordedEvent } from '../event-store.port';

/*
 * The mapping between the event-store port and KurrentDB, in one place so each rule is stated and
 * unit-tested once.
 *
 * Event body. KurrentDB keeps an event's JSON data and a metadata object. This adapter writes:
 *   data     = { "data": <port data>, "personal": <port personal, or null> }
 *   metadata = { <key>: <JSON text of the port's metadata value> } for every port metadata key
 * - `personal` is the one key of the stored event that may identify a person (SPEC §7). It never
 *   goes to KurrentDB metadata, stream names or event ids, so a shredding or export tool has one
 *   marked place to look.
 * - Each metadata value is stored as JSON text because the multi-stream append (KurrentDB 25.1's
 *   AppendSession) carries record properties that this client only accepts as strings; encoding
 *   both append paths the same way makes every event read back identically, numbers and nested
 *   values included. KurrentDB adds keys of its own beginning with `$` (e.g. `$schema.name` on
 *   records written by a multi-stream append); they are not the port's and are dropped on read,
 *   which is why port metadata keys may not begin with `$`.
 *
 * Positions. The port's `position` is the event's KurrentDB commit position. Every event written
 * through the gRPC API commits itself, so its commit and prepare positions are both its own log
 * position: unique per event and increasing in commit order, as the port requires. (Only the
 * legacy TCP API's explicit transactions gave several events one commit position; this service
 * never writes those.) To resume after a position the adapter passes it back as both commit and
 * prepare. Positions are byte offsets into the server's log, so they are neither consecutive nor
 * small, and a read must start at 0n or at a position the store handed out: KurrentDB reads `$all`
 * from a byte offset and reports an invalid position when that offset falls inside a record.
 *
 * System streams. KurrentDB's own streams and event types begin with `$`; the product's never do
 * (enforced on append), so "the product's streams" in `$all` are exactly the non-`$` ones.
 */

/** Largest revision KurrentDB represents (a signed 64-bit event number). */
const MAX_REVISION = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What this adapter stores as a KurrentDB event's JSON data. */
export interface StoredEventBody {
  data: unknown;
  /** PERSONAL DATA (SPEC §7): the only place in a stored event that may identify a person. */
  personal: unknown | null;
}

/** The parts of a recorded event the client hands back that the port needs (the client's own type is a wide union). */
export interface KurrentRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata?: unknown;
  created: Date;
  position?: Position;
}

/**
 * The port's expected revision as the client's `streamState`. Every case is mapped explicitly:
 * the client's default when none is given is ANY, which checks nothing.
 */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
  }
  if (typeof expected !== 'bigint') throw new TypeError(`Unknown expected revision: ${String(expected)}`);
  // KurrentDB encodes no-stream/any/exists as negative numbers: a negative bigint must never pass as one.
  if (expected < 0n || expected > MAX_REVISION) throw new RangeError(`Expected revision ${expected} is not a stream revision`);
  return expected;
}

/** The client's expected state (as it reports it in an error) in the port's terms. */
export function fromStreamState(state: AppendStreamState): ExpectedRevision {
  switch (state) {
    case NO_STREAM:
      return 'no_stream';
    case ANY:
      return 'any';
    case STREAM_EXISTS:
      return 'stream_exists';
    default:
      return state;
  }
}

function fromCurrentState(state: CurrentStreamState): bigint | 'no_stream' {
  return state === NO_STREAM ? 'no_stream' : state;
}

/**
 * Turns the client's wrong-expected-version error into the port's conflict; returns every other
 * error unchanged, for the caller to rethrow (an outage must never look like a conflict).
 * `requested` holds the expected revision the caller asked for, per stream: reported as given.
 */
export function translateAppendError(error: unknown, requested: ReadonlyMap<string, ExpectedRevision>): unknown {
  if (!(error instanceof KurrentWrongExpectedVersionError)) return error;
  const expected = requested.get(error.streamName) ?? fromStreamState(error.expectedState);
  return new WrongExpectedVersionError(error.streamName, expected, fromCurrentState(error.actualState));
}

/** Refuses a stream id KurrentDB would treat as a system stream (hidden from the product's `$all`). */
export function assertProductStream(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new TypeError('A stream id must be a non-empty string');
  if (streamId.startsWith('$')) throw new TypeError(`Stream id '${streamId}' begins with '$', which KurrentDB reserves for system streams`);
}

/** The port's event as the client's JSON event. Throws (never a conflict) when KurrentDB or JSON cannot hold it. */
export function toKurrentEvent(event: EventData): KurrentEventData {
  if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new TypeError(`Event id '${String(event.id)}' is not a UUID`);
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new TypeError(`Event ${event.id}: the type must be a non-empty string`);
  if (event.type.startsWith('$')) throw new TypeError(`Event ${event.id}: type '${event.type}' begins with '$', which KurrentDB reserves`);
  const body: StoredEventBody = {
    data: assertJson(event.data, 'data', event.id),
    personal: event.personal === null || event.personal === undefined ? null : assertJson(event.personal, 'personal', event.id),
  };
  return jsonEvent({ id: event.id, type: event.type, data: { ...body }, metadata: encodeMetadata(event.metadata, event.id) });
}

/** The port's metadata as KurrentDB metadata: one JSON text per key (see the header comment). */
export function encodeMetadata(metadata: Record<string, unknown>, eventId: string): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new TypeError(`Event ${eventId}: metadata must be an object`);
  }
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith('$')) throw new TypeError(`Event ${eventId}: metadata key '${key}' begins with '$', which KurrentDB reserves`);
    // Like JSON.stringify on the whole object (the SQLite adapter): a key whose value has no JSON form is left out.
    const json = JSON.stringify(value);
    if (json !== undefined) encoded[key] = json;
  }
  return encoded;
}

/** KurrentDB metadata written by `encodeMetadata` back to the port's metadata, without KurrentDB's own `$` keys. */
export function decodeMetadata(metadata: unknown, eventId: string): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    throw new Error(`Event ${eventId}: its KurrentDB metadata is not a JSON object, so this service did not write it`);
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith('$')) continue;
    if (typeof value !== 'string')
      throw new Error(`Event ${eventId}: metadata key '${key}' does not hold JSON text, so this service did not write it`);
    decoded[key] = JSON.parse(value);
  }
  return decoded;
}

/** A KurrentDB event back as the port's recorded event; fails loudly on an event this adapter did not write. */
export function fromKurrentEvent(recorded: KurrentRecordedEvent): RecordedEvent {
  const body = recorded.data;
  if (!recorded.isJson || body === null || typeof body !== 'object' || !('data' in body)) {
    throw new Error(`Event ${recorded.id} in stream '${recorded.streamId}' is not in this service's format ({ data, personal })`);
  }
  const { data, personal } = body as Partial<StoredEventBody>;
  return {
    id: recorded.id,
    type: recorded.type,
    data,
    personal: personal ?? null,
    metadata: decodeMetadata(recorded.metadata, recorded.id),
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: positionOf(recorded),
    created: recorded.created,
  };
}

/** The port's position of a recorded event: its commit position. */
export function positionOf(recorded: Pick<KurrentRecordedEvent, 'id' | 'position'>): bigint {
  if (!recorded.position) throw new Error(`Event ${recorded.id} came back from KurrentDB without a log position`);
  return recorded.position.commit;
}

/** Where a read or subscription "strictly after `position`" starts: the whole log for 0n, else that event's position. */
export function readPositionAfter(position: bigint): typeof START | Position {
  if (position < 0n) throw new RangeError(`Position ${position} is negative`);
  return position === 0n ? START : { commit: position, prepare: position };
}

/** True for KurrentDB's own streams (and events in them), which are not the product's. */
export function isSystemStream(streamId: string): boolean {
  return streamId.startsWith('$');
}

function assertJson(value: unknown, field: string, eventId: string): unknown {
  // Serialised here, before the client does it inside a promise where a throw would never settle the append.
  if (JSON.stringify(value) === undefined) throw new TypeError(`Event ${eventId}: ${field} has no JSON representation`);
  return value;
}

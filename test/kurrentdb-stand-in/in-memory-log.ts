/**
 * TEST STAND-IN, not KurrentDB: the in-memory log behind the KurrentDB stand-in server, with the
 * write rules of EventStoreDB/KurrentDB that the event-store adapter relies on:
 * - expected versions as the server encodes them (-1 no stream, -2 any, -4 stream exists, or an
 *   exact revision), checked per stream, several streams in one atomic write;
 * - idempotent writes by event id, as the server decides them: with an exact expectation (no
 *   stream included) the events must already sit at the revisions after it; with any / stream
 *   exists they must already be in that stream; an append that is only partly a repeat is refused
 *   as a conflict. A repeat answers with the original last revision and position.
 * - positions in the global log that behave like the server's byte offsets: every event commits
 *   itself (commit = prepare = its log position), they grow by a record-size estimate, so they are
 *   never consecutive, and the log opens with system events, as a fresh node's does.
 * Unlike a real node it keeps everything in memory, never scavenges, checks no permissions and
 * reads `$all` from any position, where KurrentDB refuses one inside a record.
 */

import { randomUUID } from 'node:crypto';

export const EXPECT_NO_STREAM = -1n;
export const EXPECT_ANY = -2n;
export const EXPECT_STREAM_EXISTS = -4n;

export interface ProposedEvent {
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  /** The event's metadata as stored (KurrentDB's custom metadata bytes). */
  metadata: Uint8Array;
}

export interface LoggedEvent extends ProposedEvent {
  streamId: string;
  revision: bigint;
  /** Commit and prepare position alike. */
  position: bigint;
  /** 100-nanosecond ticks since the Unix epoch, as the server reports `created`. */
  created: bigint;
}

export interface StreamWrite {
  streamId: string;
  /** -1 no stream, -2 any, -4 stream exists, or the exact revision of the stream's last event. */
  expected: bigint;
  events: ProposedEvent[];
}

export type WriteOutcome =
  | { kind: 'written' | 'repeat'; lastRevisions: bigint[]; position: bigint }
  /** The first refused stream, in the order of the write; `actual` is -1 when the stream does not exist. */
  | { kind: 'conflict'; streamIndex: number; streamId: string; expected: bigint; actual: bigint };

export interface LogFilter {
  on: 'streamName' | 'eventType';
  regex?: RegExp;
  prefixes?: string[];
}

type StreamCheck = { kind: 'ok' } | { kind: 'repeat'; lastRevision: bigint; position: bigint } | { kind: 'conflict' };

/** Where the first event lands: a fresh node's log starts with its own records. */
const FIRST_POSITION = 4096n;
/** Bytes of record framing counted on top of the payload when advancing the position. */
const RECORD_OVERHEAD = 96;
const TICKS_PER_MS = 10_000n;

export class InMemoryLog {
  private readonly log: LoggedEvent[] = [];
  private readonly streams = new Map<string, LoggedEvent[]>();
  private readonly byId = new Map<string, LoggedEvent>();
  private readonly committedListeners = new Set<() => void>();
  private nextPosition = FIRST_POSITION;

  constructor() {
    // What a fresh node writes before any client does; the adapter must see none of it.
    this.writeSystemEvent('$settings', '$settings');
    this.writeSystemEvent('$users', '$User');
  }

  get length(): number {
    return this.log.length;
  }

  at(index: number): LoggedEvent {
    return this.log[index];
  }

  /** Appends a system event (stream and type beginning with `$`), as a node does on its own from time to time. */
  writeSystemEvent(streamId: string, type: string): LoggedEvent {
    const outcome = this.write([
      {
        streamId,
        expected: EXPECT_ANY,
        events: [{ id: randomUUID(), type, isJson: true, data: Buffer.from('{}'), metadata: new Uint8Array() }],
      },
    ]);
    if (outcome.kind !== 'written') throw new Error(`System event in '${streamId}' was not written`);
    return this.log[this.log.length - 1];
  }

  /** Writes every stream or none. */
  write(writes: StreamWrite[]): WriteOutcome {
    const checks = writes.map((write) => this.check(write));
    if (checks.every((check) => check.kind === 'ok')) return this.commit(writes);
    const withEvents = checks.filter((_, index) => writes[index].events.length > 0);
    if (withEvents.length > 0 && withEvents.every((check) => check.kind === 'repeat')) {
      return {
        kind: 'repeat',
        lastRevisions: checks.map((check, index) =>
          check.kind === 'repeat' ? check.lastRevision : this.currentRevision(writes[index].streamId),
        ),
        position: withEvents.reduce((max, check) => (check.kind === 'repeat' && check.position > max ? check.position : max), 0n),
      };
    }
    // A mix of new and repeated streams is refused as a whole, reporting the first stream that is not new.
    const streamIndex = checks.findIndex((check) => check.kind !== 'ok');
    const { streamId, expected } = writes[streamIndex];
    return { kind: 'conflict', streamIndex, streamId, expected, actual: this.currentRevision(streamId) };
  }

  /** The stream's events; undefined when the stream does not exist. */
  stream(streamId: string): readonly LoggedEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** Index in the log of the first event at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.log[middle].position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Calls `listener` after every write that stored events; returns the undo. */
  onCommitted(listener: () => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  private currentRevision(streamId: string): bigint {
    return BigInt(this.streams.get(streamId)?.length ?? 0) - 1n;
  }

  private check({ streamId, expected, events }: StreamWrite): StreamCheck {
    const stream = this.streams.get(streamId) ?? [];
    const current = BigInt(stream.length) - 1n;
    if (expected === EXPECT_STREAM_EXISTS && current < 0n) return { kind: 'conflict' };
    if (expected === EXPECT_ANY || expected === EXPECT_STREAM_EXISTS) {
      // Without a revision the server can only look for the ids in the stream.
      const found = events.map(({ id }) => {
        const logged = this.byId.get(id);
        return logged?.streamId === streamId ? logged : undefined;
      });
      if (found.length === 0 || found[0] === undefined) return { kind: 'ok' };
      if (found.some((logged) => logged === undefined)) return { kind: 'conflict' };
      const last = found[found.length - 1] as LoggedEvent;
      return { kind: 'repeat', lastRevision: last.revision, position: last.position };
    }
    if (expected < current) {
      // Earlier than the end: a repeat only if these very events follow the expected revision.
      const matches = events.map(({ id }, index) => stream[Number(expected) + 1 + index]?.id === id);
      if (events.length === 0 || !matches.every(Boolean)) return { kind: 'conflict' };
      const last = stream[Number(expected) + events.length];
      return { kind: 'repeat', lastRevision: last.revision, position: last.position };
    }
    return expected === current ? { kind: 'ok' } : { kind: 'conflict' };
  }

  private commit(writes: StreamWrite[]): WriteOutcome {
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const lastRevisions: bigint[] = [];
    let position = 0n;
    for (const { streamId, events } of writes) {
      const stream = this.streams.get(streamId) ?? [];
      for (const event of events) {
        const logged: LoggedEvent = { ...event, streamId, revision: BigInt(stream.length), position: this.nextPosition, created };
        this.nextPosition += BigInt(RECORD_OVERHEAD + streamId.length + event.type.length + event.data.length + event.metadata.length);
        stream.push(logged);
        this.log.push(logged);
        this.byId.set(event.id, logged);
        position = logged.position;
      }
      if (stream.length > 0) this.streams.set(streamId, stream);
      lastRevisions.push(BigInt(stream.length) - 1n);
    }
    if (position > 0n) for (const listener of [...this.committedListeners]) listener();
    return { kind: 'written', lastRevisions, position };
  }
}

export function matchesFilter(event: LoggedEvent, filter: LogFilter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.on === 'streamName' ? event.streamId : event.type;
  if (filter.regex) return filter.regex.test(subject);
  return (filter.prefixes ?? []).some((prefix) => subject.startsWith(prefix));
}

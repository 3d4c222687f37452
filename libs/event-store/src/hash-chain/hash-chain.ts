import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { EventData, RecordedEvent } from '../event-store.port';

/*
 * Tamper evidence (docs/decisions/0009-hash-chained-streams.md): every event carries, in its
 * metadata, the hash of its own content and of its stream predecessor's hash. Altering, removing
 * or reordering a stored event breaks the chain from that event on, and `ChainVerifier` names the
 * first event whose content or link does not match. The chain runs per stream, so appends to
 * different streams never wait on each other, and it is computed above the port, so it is the
 * same on every adapter.
 */

export const HASH_KEY = 'hash';
export const PREVIOUS_HASH_KEY = 'previousHash';

/** What the hash covers: everything stored about the event except the hash itself. */
export function eventHash(streamId: string, revision: bigint, event: EventData): string {
  const { [HASH_KEY]: _hash, ...metadata } = event.metadata;
  const content = stringify({
    streamId,
    revision: revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    personal: event.personal,
    metadata,
  });
  return createHash('sha256')
    .update(content ?? '')
    .digest('hex');
}

/** The events linked after `previousHash`, the first one landing at `firstRevision`. */
export function linkEvents(
  streamId: string,
  firstRevision: bigint,
  previousHash: string | null,
  events: readonly EventData[],
): EventData[] {
  let previous = previousHash;
  return events.map((event, index) => {
    const linked: EventData = { ...event, metadata: { ...event.metadata, [PREVIOUS_HASH_KEY]: previous } };
    const hash = eventHash(streamId, firstRevision + BigInt(index), linked);
    previous = hash;
    return { ...linked, metadata: { ...linked.metadata, [HASH_KEY]: hash } };
  });
}

export function storedHash(event: RecordedEvent): string | null {
  const hash = event.metadata[HASH_KEY];
  return typeof hash === 'string' ? hash : null;
}

/** Walks events in log order and reports the first one per stream whose content or link does not match. */
export class ChainVerifier {
  private readonly lastHash = new Map<string, string | null>();
  readonly problems: string[] = [];

  check(event: RecordedEvent): void {
    const expectedPrevious = this.lastHash.get(event.streamId) ?? null;
    const hash = storedHash(event);
    const where = `stream ${event.streamId} revision ${event.revision} (${event.type}, event ${event.id})`;
    if (hash === null) {
      this.problems.push(`${where}: carries no hash`);
    } else if (event.metadata[PREVIOUS_HASH_KEY] !== expectedPrevious) {
      this.problems.push(`${where}: does not link to its predecessor`);
    } else if (eventHash(event.streamId, event.revision, event) !== hash) {
      this.problems.push(`${where}: its content does not match its hash`);
    }
    // The stored hash, right or wrong, is what the next event must link to.
    this.lastHash.set(event.streamId, hash);
  }
}

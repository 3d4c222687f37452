import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { StreamOrder } from '../stream-order';
import { ChainVerifier, HASH_KEY, PREVIOUS_HASH_KEY, linkEvents, storedHash } from './hash-chain';

/**
 * Any event store, with every append linked into its stream's hash chain. An append that does
 * not name an exact revision (`any`, `stream_exists`) is pinned to the revision read just before
 * it, so a concurrent writer makes it fail with the usual conflict instead of forking the chain.
 *
 * Appends to one stream issued without awaiting each other reach the store in the order they were
 * made, as the port promises: an append to a chained stream is linked once the appends made before
 * it to that stream have settled, since the event it follows is not stored before; one to a
 * stream left out of the chain is handed to the store right after the one before it.
 */
export class HashChainedEventStore implements EventStore {
  private readonly order = new StreamOrder();

  /**
   * @param chained which streams are chained. A stream whose appends may be computed ahead of the
   * previous one's commit (a sequence handing out numbers to concurrent intakes, whose group commit
   * lands them together) cannot be linked from what the store shows, so it is left out; what it
   * records is also recorded, chained, in the stream it serves (docs/decisions/0009-hash-chained-streams.md).
   */
  constructor(
    private readonly inner: EventStore,
    private readonly chained: (streamId: string) => boolean = () => true,
  ) {}

  async append(streamId: string, events: EventData[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const [result] = await this.inOrder([{ streamId, events, expectedRevision }], async ([part]) => [
      await this.inner.append(streamId, part.events, part.expectedRevision),
    ]);
    return result;
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    return this.inOrder(appends, (linked) => this.inner.appendMultiple(linked));
  }

  /** Links `appends` once the appends made before them to their streams allow, then hands them to `write`. */
  private inOrder(appends: StreamAppend[], write: (linked: StreamAppend[]) => Promise<AppendResult[]>): Promise<AppendResult[]> {
    return this.order.run(
      appends.map((part) => part.streamId),
      this.chained,
      () => this.link(appends),
      write,
    );
  }

  private link(appends: StreamAppend[]): Promise<StreamAppend[]> {
    return Promise.all(
      appends.map(async (part) => {
        if (!this.chained(part.streamId)) return part;
        const { streamId, events, expectedRevision = 'any' } = part;
        const last = await this.lastEvent(streamId, expectedRevision);
        // `stream_exists` on a missing stream stays as it is, for the store to refuse.
        const pinned: ExpectedRevision =
          last === null ? expectedRevision : typeof expectedRevision === 'bigint' ? expectedRevision : last.revision;
        const firstRevision = last === null ? 0n : last.revision + 1n;
        return {
          streamId,
          events: linkEvents(streamId, firstRevision, last === null ? null : storedHash(last), events),
          expectedRevision: pinned,
        };
      }),
    );
  }

  /** The event the append follows: the one at the expected revision, or the stream's last. */
  private async lastEvent(streamId: string, expected: ExpectedRevision): Promise<RecordedEvent | null> {
    if (expected === 'no_stream') return null;
    if (typeof expected === 'bigint') {
      const [event] = await this.inner.readStream(streamId, { fromRevision: expected, maxCount: 1 });
      if (event) return event;
      // Linked to nothing, the append would fork the chain if the missing event landed before it.
      const current = (await this.inner.readStream(streamId)).at(-1)?.revision;
      throw new WrongExpectedVersionError(streamId, expected, current ?? 'no_stream');
    }
    const events = await this.inner.readStream(streamId);
    return events.at(-1) ?? null;
  }

  /**
   * Walks the whole log and answers the first event, per stream, whose content or link does not
   * match (docs/decisions/0009-hash-chained-streams.md); an empty list when the log is intact.
   */
  async verifyChain(onProgress?: (processed: number, head: bigint) => void): Promise<{ events: number; problems: string[] }> {
    const head = await this.inner.headPosition();
    const verifier = new ChainVerifier();
    let after = 0n;
    let events = 0;
    for (;;) {
      const batch = await this.inner.readAll({ after, maxCount: 5000, upTo: head });
      if (batch.length === 0) break;
      for (const event of batch) if (this.chained(event.streamId)) verifier.check(event);
      events += batch.length;
      after = batch[batch.length - 1].position;
      onProgress?.(events, head);
    }
    return { events, problems: verifier.problems };
  }

  // Readers see events as they were appended: the chain is this store's own bookkeeping.
  async readStream(streamId: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(withoutChain);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map(withoutChain);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll({ ...options, handle: (events) => options.handle(events.map(withoutChain)) });
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function withoutChain(event: RecordedEvent): RecordedEvent {
  const { [HASH_KEY]: _hash, [PREVIOUS_HASH_KEY]: _previous, ...metadata } = event.metadata;
  return { ...event, metadata };
}

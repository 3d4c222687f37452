import type {
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { ChainVerifier, HASH_KEY, PREVIOUS_HASH_KEY, linkEvents, storedHash } from './hash-chain';

/**
 * Any event store, with every append linked into its stream's hash chain. An append that does
 * not name an exact revision (`any`, `stream_exists`) is pinned to the revision read just before
 * it, so a concurrent writer makes it fail with the usual conflict instead of forking the chain.
 */
export class HashChainedEventStore implements EventStore {
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
    const [part] = await this.link([{ streamId, events, expectedRevision }]);
    return this.inner.append(streamId, part.events, part.expectedRevision);
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    return this.inner.appendMultiple(await this.link(appends));
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
      return event ?? null;
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

/**
 * Keeps one instance's appends to a stream in the order they were made, for a store (or a layer
 * above one) that would otherwise let a later append overtake an earlier one: appends made without
 * awaiting each other, one after the other with the revisions the earlier ones will produce, must
 * all succeed, in order, as on the embedded store.
 */
export class StreamOrder {
  /** Per stream, the last operation run through here: when it was handed over, and when it settled. */
  private readonly tails = new Map<string, Tail>();

  /**
   * Calls `prepare`, then hands its result to `write`, after the operations run before on the same
   * streams: on a stream for which `afterSettled` holds, once the earlier one has settled; on any
   * other, once the earlier one has been handed to its `write`. Waits only ever point at earlier
   * operations, so they cannot form a cycle.
   */
  run<P, T>(
    streamIds: readonly string[],
    afterSettled: (streamId: string) => boolean,
    prepare: () => Promise<P>,
    write: (prepared: P) => Promise<T>,
  ): Promise<T> {
    const distinct = [...new Set(streamIds)];
    const earlier = distinct.map((streamId) => {
      const tail = this.tails.get(streamId);
      return tail && (afterSettled(streamId) ? tail.settled : tail.handedOver);
    });
    let handOver = (): void => undefined;
    const handedOver = new Promise<void>((resolve) => (handOver = resolve));
    const result = (async () => {
      try {
        await Promise.all(earlier);
        const written = write(await prepare());
        handOver();
        return await written;
      } finally {
        handOver();
      }
    })();
    const tail: Tail = { handedOver, settled: result.then(noop, noop) };
    for (const streamId of distinct) this.tails.set(streamId, tail);
    void tail.settled.then(() => {
      for (const streamId of distinct) if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    });
    return result;
  }
}

interface Tail {
  handedOver: Promise<void>;
  settled: Promise<void>;
}

function noop(): void {}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EventStore } from '@cases/event-store';
import { LogBatch, type CaseEventDecoder } from '../log/log-batch';

export interface LogRange {
  /** Where the reader stands: the next read starts after it. Asked again before every read. */
  from(): bigint;
  /** How far to read, inclusive; may move while reading (a moving target such as the live log). */
  to(): bigint;
  /** True once the reading should end where it is. */
  stopped(): boolean;
  /** How case events are decoded (default: the domain's). */
  decode?: CaseEventDecoder;
}

/**
 * Reads the log over `range` batch by batch, decoding each batch once, and hands it to `apply`
 * together with the position read up to (past the batch's last event when the store left a hole
 * there; an empty batch then means the whole stretch holds no event).
 *
 * A caller that must act on having caught up with nothing delivered in between holds that
 * delivery back itself (see `ProjectedModel.exclusive`).
 */
export async function readLog(
  store: EventStore,
  batchSize: number,
  range: LogRange,
  apply: (batch: LogBatch, readUpTo: bigint) => Promise<void>,
): Promise<void> {
  for (;;) {
    if (range.stopped()) return;
    const after = range.from();
    const upTo = range.to();
    if (after >= upTo) return;
    const events = await store.readAll({ after, upTo, maxCount: batchSize });
    const batch = LogBatch.decode(events, range.decode);
    await apply(batch, events.length < batchSize ? upTo : batch.lastPosition);
    // An embedded store reads synchronously, so without this a long read inside the running
    // service would hold every request until it finished.
    await yieldToEventLoop();
  }
}

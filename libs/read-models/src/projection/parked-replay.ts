import type { RecordedEvent } from '@cases/event-store';
import type { ReadModelDatabase } from '../database/read-model-database';
import { LogBatch, type CaseEventDecoder } from '../log/log-batch';
import { reasonOf } from './backoff';
import { readCheckpoint } from './checkpoints';
import { caseIdOfStream, ParkedEvents, shortError } from './parked-events';
import type { ProjectionLogger } from './projected-model';
import type { ProjectionWriter } from './projection';
import { isStorageError, type ParkedNow } from './quarantine';

/** What replaying one parked stream into one projection did. */
export interface ReplayOutcome {
  projection: string;
  caseId: string;
  /** `replayed`: the case is current again; `failed`: its events stay parked with `error`; `none`: nothing was parked (any more). */
  outcome: 'replayed' | 'failed' | 'none';
  /** Parked events released (replayed) or still parked (failed). */
  events: number;
  error?: string;
}

/** The stream was read before the checkpoint moved past more of its events: read it again. */
export class StaleStreamReadError extends Error {
  constructor(readonly streamId: string) {
    super(`Stream ${streamId} gained parked events while it was read`);
    this.name = 'StaleStreamReadError';
  }
}

export interface ParkedStreamReplay {
  database: ReadModelDatabase;
  projection: string;
  writer: ProjectionWriter;
  streamId: string;
  /** The whole stream as the store holds it now. */
  recorded: readonly RecordedEvent[];
  decode: CaseEventDecoder;
}

/**
 * Re-applies a parked case's whole stream, up to the projection's durable checkpoint, in one
 * transaction: the writer skips what its tables already reflect (a case folds on from the
 * revision it stopped at; the history ignores rows it has) and applies the parked events in
 * order; the parked rows go in the same transaction. The transaction takes the projection's lock
 * and reads the checkpoint inside it, so the CLI, or another instance on a shared PostgreSQL
 * database, may replay while the service follows the log: events after the checkpoint are the
 * follower's, and arrive once the stream is released. When an event still refuses, nothing is
 * applied and the parked rows keep the new error.
 */
export async function replayParkedStream(replay: ParkedStreamReplay): Promise<ReplayOutcome> {
  const { database, projection, writer, streamId, recorded, decode } = replay;
  const caseId = caseIdOfStream(streamId);
  let still = 0;
  try {
    return await database.db.transaction().execute(async (db): Promise<ReplayOutcome> => {
      await database.lockProjection(db, projection);
      const rows = await ParkedEvents.inStream(db, projection, streamId);
      still = rows.length;
      if (rows.length === 0) return { projection, caseId, outcome: 'none', events: 0 };
      const checkpoint = (await readCheckpoint(db, projection))?.position ?? 0n;
      const upToCheckpoint = recorded.filter((event) => event.position <= checkpoint);
      const lastParked = rows[rows.length - 1].position;
      if (!upToCheckpoint.some((event) => event.position === lastParked)) throw new StaleStreamReadError(streamId);
      const batch = LogBatch.decode(upToCheckpoint, decode);
      const [undecodable] = batch.undecodable;
      if (undecodable) throw new Error(`${undecodable.type} at position ${undecodable.position}: ${undecodable.error}`);
      await writer.apply(db, batch);
      await ParkedEvents.release(db, projection, streamId);
      return { projection, caseId, outcome: 'replayed', events: rows.length };
    });
  } catch (error) {
    if (error instanceof StaleStreamReadError || isStorageError(error)) throw error;
    const message = shortError(error);
    await ParkedEvents.replayFailed(database.db, projection, streamId, message);
    return { projection, caseId, outcome: 'failed', events: still, error: message };
  }
}

/** Logs what a committed batch parked: where, which type, why; never the event's data. */
export function reportParked(logger: ProjectionLogger, projection: string, parkedNow: readonly ParkedNow[]): void {
  if (parkedNow.length === 0) return;
  const held = parkedNow.filter((parked) => parked.reason === 'held').length;
  for (const { entry, reason, error } of parkedNow) {
    if (reason !== 'refused') continue;
    logger.error(
      `Projection '${projection}' parked ${entry.type} at position ${entry.position} (stream ${entry.streamId}, revision ${entry.revision}): ` +
        `${reasonOf(error)}; the case needs attention, the other cases go on`,
    );
  }
  if (held > 0) logger.error(`Projection '${projection}' held back ${held} later event(s) of parked cases`);
}

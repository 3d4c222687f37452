import type { LogBatch, LogEntry } from '../log/log-batch';
import { isCaseStream } from '@cases/domain';
import { shortError, type ParkedEvents, type ParkedReason } from './parked-events';

/** An event a projection parked while applying a batch, for the runner to report once the batch committed. */
export interface ParkedNow {
  entry: LogEntry;
  reason: ParkedReason;
  error: string | null;
}

/**
 * Whether an error comes from the database rather than from the event: a full disk, a lock, a
 * read-only file. Such a failure says nothing about any event, so the batch fails whole and the
 * supervisor retries it, as before parking existed. (better-sqlite3's `SqliteError`; the
 * PostgreSQL driver's errors carry a SQLSTATE `code` and a `severity`.)
 */
export function isStorageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'SqliteError') return true;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string';
}

/**
 * More refusals than this in one batch look like a projection that cannot apply anything (a bug
 * of the release) rather than a few bad events: the batch then fails whole, as it would without
 * parking, instead of parking case after case.
 */
export const MAX_REFUSED_PER_BATCH = 50;

export class TooManyRefusalsError extends Error {
  constructor(projection: string, cause: unknown) {
    super(`Projection '${projection}' refused more than ${MAX_REFUSED_PER_BATCH} events of one batch (last: ${shortError(cause)})`);
    this.name = 'TooManyRefusalsError';
  }
}

/**
 * Applies one batch for one projection so that a poison event stops its own case only
 * (docs/architecture.md, "Parked events"). It runs inside the transaction that moves the
 * projection's checkpoint, and:
 *  1. holds back every event of a stream the projection already has parked events of;
 *  2. parks each case event the batch could not decode, and holds back the rest of its stream;
 *  3. applies what is left in a savepoint; when the projection throws, rolls the savepoint back
 *     and halves the batch until the one event that refuses is found, parks it, holds back the
 *     rest of its stream and applies everything else, still in log order.
 * A database error, or an event of a stream that is no case's, still fails the batch whole.
 *
 * `inSavepoint` must run its function in a savepoint of the current transaction (a nested
 * better-sqlite3 transaction), so a failed part leaves nothing behind.
 */
export function applyWithQuarantine(
  batch: LogBatch,
  projection: string,
  parked: ParkedEvents,
  apply: (part: LogBatch) => void,
  inSavepoint: (work: () => void) => void,
  parkedAt: string,
): ParkedNow[] {
  const held = parked.heldStreams(projection);
  const isHeld = (entry: LogEntry): boolean => entry.position >= (held.get(entry.streamId) ?? Infinity);
  const parkedNow: ParkedNow[] = [];
  const skipped = new Set<bigint>();
  const park = (entry: LogEntry, reason: ParkedReason, error: string | null): void => {
    parked.park(projection, entry, reason, error, parkedAt);
    parkedNow.push({ entry, reason, error });
    skipped.add(entry.position);
    if (!held.has(entry.streamId)) held.set(entry.streamId, entry.position);
  };

  if (held.size > 0 || batch.undecodable.length > 0) {
    const undecodable = new Map(batch.undecodable.map((entry) => [entry.position, entry]));
    for (const entry of batch.entries) {
      if (isHeld(entry)) park(entry, 'held', null);
      else {
        const refused = undecodable.get(entry.position);
        if (refused) park(entry, 'refused', shortError(refused.error));
      }
    }
  }
  const rest = skipped.size === 0 ? batch : batch.select((position) => !skipped.has(position));
  if (rest.isEmpty) return parkedNow;

  let refusals = 0;
  const applyPart = (part: LogBatch): void => {
    // A stream parked by an earlier part: its events here are held back too.
    const heldHere = part.entries.filter(isHeld);
    for (const entry of heldHere) park(entry, 'held', null);
    const runnable = heldHere.length === 0 ? part : part.select((position) => !skipped.has(position));
    if (runnable.isEmpty) return;
    try {
      inSavepoint(() => apply(runnable));
    } catch (error) {
      if (isStorageError(error)) throw error;
      const { entries } = runnable;
      if (entries.length > 1) {
        const middle = entries[Math.floor(entries.length / 2)].position;
        applyPart(runnable.select((position) => position < middle));
        applyPart(runnable.select((position) => position >= middle));
        return;
      }
      const [entry] = entries;
      // Only a case stream can be parked: its case then shows that it needs attention.
      if (!isCaseStream(entry.streamId)) throw error;
      if (++refusals > MAX_REFUSED_PER_BATCH) throw new TooManyRefusalsError(projection, error);
      park(entry, 'refused', shortError(error));
    }
  };
  applyPart(rest);
  return parkedNow;
}

/**
 * For a rebuild's long run of the log into new tables, where a bulk writer folds in memory and no
 * part can be rolled back alone: leaves out what the live projection has parked (and parks any
 * undecodable event it has not parked yet), so the rebuilt tables stop short on the same cases.
 * An event that refuses without being parked fails the rebuild, which can be run again once the
 * live projection has parked it.
 */
export function screenForRebuild(batch: LogBatch, projection: string, parked: ParkedEvents, parkedAt: string): LogBatch {
  const held = parked.heldStreams(projection);
  if (held.size === 0 && batch.undecodable.length === 0) return batch;
  const undecodable = new Map(batch.undecodable.map((entry) => [entry.position, entry]));
  const skipped = new Set<bigint>();
  for (const entry of batch.entries) {
    const first = held.get(entry.streamId);
    const refused = undecodable.get(entry.position);
    if (refused && (first === undefined || entry.position < first)) {
      parked.park(projection, entry, 'refused', shortError(refused.error), parkedAt);
      held.set(entry.streamId, entry.position);
    }
    // The stream's events before its first parked one are applied, as the live tables did.
    if (entry.position >= (held.get(entry.streamId) ?? Infinity)) skipped.add(entry.position);
  }
  return batch.select((position) => !skipped.has(position));
}

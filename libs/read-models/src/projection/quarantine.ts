import { sql, type Kysely } from 'kysely';
import { isCaseStream } from '@cases/domain';
import type { ReadModelTables } from '../database/read-model-tables';
import type { LogBatch, LogEntry } from '../log/log-batch';
import { ParkedEvents, shortError, type ParkedReason } from './parked-events';

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
 * PostgreSQL driver's errors carry a SQLSTATE `code` and a `severity`; a connection that broke or
 * could not be had is a Node system error with its own `code`.)
 */
export function isStorageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'SqliteError') return true;
  const { code, severity, syscall } = error as { code?: unknown; severity?: unknown; syscall?: unknown };
  if (typeof code === 'string' && typeof severity === 'string') return true;
  return typeof code === 'string' && typeof syscall === 'string';
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
 `db` is the transaction that moves the checkpoint; each part is applied in a savepoint of it
 * (SQLite and PostgreSQL alike), so a failed part leaves nothing behind, and on PostgreSQL the
 * transaction is usable again after the failed statement.
 */
export async function applyWithQuarantine(
  db: Kysely<ReadModelTables>,
  batch: LogBatch,
  projection: string,
  apply: (part: LogBatch) => Promise<void>,
  parkedAt: string,
): Promise<ParkedNow[]> {
  const held = await ParkedEvents.heldStreams(db, projection);
  const isHeld = (entry: LogEntry): boolean => entry.position >= (held.get(entry.streamId) ?? Infinity);
  const parkedNow: ParkedNow[] = [];
  const skipped = new Set<bigint>();
  const park = async (entry: LogEntry, reason: ParkedReason, error: string | null): Promise<void> => {
    await ParkedEvents.park(db, projection, entry, reason, error, parkedAt);
    parkedNow.push({ entry, reason, error });
    skipped.add(entry.position);
    if (!held.has(entry.streamId)) held.set(entry.streamId, entry.position);
  };

  if (held.size > 0 || batch.undecodable.length > 0) {
    const undecodable = new Map(batch.undecodable.map((entry) => [entry.position, entry]));
    for (const entry of batch.entries) {
      if (isHeld(entry)) await park(entry, 'held', null);
      else {
        const refused = undecodable.get(entry.position);
        if (refused) await park(entry, 'refused', shortError(refused.error));
      }
    }
  }
  const rest = skipped.size === 0 ? batch : batch.select((position) => !skipped.has(position));
  if (rest.isEmpty) return parkedNow;

  let refusals = 0;
  const applyPart = async (part: LogBatch): Promise<void> => {
    // A stream parked by an earlier part: its events here are held back too.
    const heldHere = part.entries.filter(isHeld);
    for (const entry of heldHere) await park(entry, 'held', null);
    const runnable = heldHere.length === 0 ? part : part.select((position) => !skipped.has(position));
    if (runnable.isEmpty) return;
    try {
      await inSavepoint(db, () => apply(runnable));
    } catch (error) {
      if (isStorageError(error)) throw error;
      const { entries } = runnable;
      if (entries.length > 1) {
        const middle = entries[Math.floor(entries.length / 2)].position;
        await applyPart(runnable.select((position) => position < middle));
        await applyPart(runnable.select((position) => position >= middle));
        return;
      }
      const [entry] = entries;
      // Only a case stream can be parked: its case then shows that it needs attention.
      if (!isCaseStream(entry.streamId)) throw error;
      if (++refusals > MAX_REFUSED_PER_BATCH) throw new TooManyRefusalsError(projection, error);
      await park(entry, 'refused', shortError(error));
    }
  };
  await applyPart(rest);
  return parkedNow;
}

/**
 * Runs `work` in a savepoint of the transaction `db`: released when it succeeds, rolled back to
 * when it throws (and the error rethrown), so the transaction goes on without its writes. Parts
 * run one after another, never nested, so one name serves.
 */
async function inSavepoint(db: Kysely<ReadModelTables>, work: () => Promise<void>): Promise<void> {
  await sql`savepoint quarantine_part`.execute(db);
  try {
    await work();
  } catch (error) {
    await sql`rollback to savepoint quarantine_part`.execute(db);
    await sql`release savepoint quarantine_part`.execute(db);
    throw error;
  }
  await sql`release savepoint quarantine_part`.execute(db);
}

/**
 * For a rebuild's long run of the log into new tables, where a bulk writer folds in memory and no
 * part can be rolled back alone: leaves out what the live projection has parked (and parks any
 * undecodable event it has not parked yet), so the rebuilt tables stop short on the same cases.
 * An event that refuses without being parked fails the rebuild, which can be run again once the
 * live projection has parked it.
 */
export async function screenForRebuild(
  db: Kysely<ReadModelTables>,
  batch: LogBatch,
  projection: string,
  parkedAt: string,
): Promise<LogBatch> {
  const held = await ParkedEvents.heldStreams(db, projection);
  if (held.size === 0 && batch.undecodable.length === 0) return batch;
  const undecodable = new Map(batch.undecodable.map((entry) => [entry.position, entry]));
  const skipped = new Set<bigint>();
  for (const entry of batch.entries) {
    const first = held.get(entry.streamId);
    const refused = undecodable.get(entry.position);
    if (refused && (first === undefined || entry.position < first)) {
      await ParkedEvents.park(db, projection, entry, 'refused', shortError(refused.error), parkedAt);
      held.set(entry.streamId, entry.position);
    }
    // The stream's events before its first parked one are applied, as the live tables did.
    if (entry.position >= (held.get(entry.streamId) ?? Infinity)) skipped.add(entry.position);
  }
  return batch.select((position) => !skipped.has(position));
}

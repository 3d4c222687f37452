import { sql, type Kysely, type Selectable } from 'kysely';
import { caseStreamId } from '@cases/domain';
import type { ParkedEventsTable, ReadModelTables } from '../database/read-model-tables';
import type { LogEntry } from '../log/log-batch';

/**
 * Every query of parked events (docs/architecture.md, "Parked events"): nothing else names the
 * `parked_events` table, which a migration creates (`database/migrations.ts`).
 *
 * A row is one event of a case stream that one projection did not apply: either the event that
 * projection refused (it could not be decoded, upcast or folded: `refused`, with the error), or a
 * later event of the same stream held back behind it (`held`), since folding it onto a missing
 * event would be wrong. Rows hold where the event is (position, stream, revision, id, type) and
 * the error message, never the event's data: the read-model database holds no personal data
 * (docs/decisions/0005-read-models-without-personal-data.md). The table lives beside the
 * checkpoints and is written in the same transaction as them, so a parked event and the
 * checkpoint that moved past it commit together.
 */

export type ParkedReason = 'refused' | 'held';

export interface ParkedEvent {
  projection: string;
  position: bigint;
  streamId: string;
  caseId: string;
  revision: bigint;
  eventId: string;
  type: string;
  reason: ParkedReason;
  /** Why the projection refused it (for `held`: null); a failed replay writes its own error here. */
  error: string | null;
  /** When it was parked (UTC ISO-8601). */
  parkedAt: string;
  /** Replays tried and failed since it was parked. */
  replayAttempts: number;
}

/** Per projection: how many events it has parked and in how many cases. */
export interface ParkedCount {
  projection: string;
  events: number;
  cases: number;
}

type Db = Kysely<ReadModelTables>;

/**
 * A decoder's or a fold's message could in principle quote what it could not read; messages are
 * kept short so a row never carries more than a diagnosis.
 */
const MAX_ERROR_LENGTH = 500;

const COLUMNS = [
  'projection',
  'position',
  'stream_id',
  'case_id',
  'revision',
  'event_id',
  'type',
  'reason',
  'error',
  'parked_at',
  'replay_attempts',
] as const;

function fromRow(row: Selectable<ParkedEventsTable>): ParkedEvent {
  return {
    projection: row.projection,
    position: BigInt(row.position),
    streamId: row.stream_id,
    caseId: row.case_id,
    revision: BigInt(row.revision),
    eventId: row.event_id,
    type: row.type,
    reason: row.reason as ParkedReason,
    error: row.error,
    parkedAt: row.parked_at,
    replayAttempts: Number(row.replay_attempts),
  };
}

/** The case a case stream belongs to, by the domain's one stream rule. */
export function caseIdOfStream(streamId: string): string {
  return streamId.slice(caseStreamId('').length);
}

export function shortError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

/**
 * The parked-event queries. Each takes the executor to run on: inside a projection's transaction,
 * the transaction (on SQLite it holds the one connection).
 */
export const ParkedEvents = {
  /**
   * The streams `projection` holds back, each with the position of its first parked event: no
   * event of the stream from there on is applied until a replay releases it.
   */
  async heldStreams(db: Db, projection: string): Promise<Map<string, bigint>> {
    const rows = await db
      .selectFrom('parked_events')
      .select(['stream_id', (eb) => eb.fn.min('position').as('first')])
      .where('projection', '=', projection)
      .groupBy('stream_id')
      .execute();
    return new Map(rows.map((row) => [row.stream_id, BigInt(row.first)]));
  },

  /** A redelivered batch parks the same events again: the first row, and its error, stay. */
  async park(db: Db, projection: string, entry: LogEntry, reason: ParkedReason, error: string | null, parkedAt: string): Promise<void> {
    await db
      .insertInto('parked_events')
      .values({
        projection,
        position: entry.position,
        stream_id: entry.streamId,
        case_id: caseIdOfStream(entry.streamId),
        revision: entry.revision,
        event_id: entry.id,
        type: entry.type,
        reason,
        error,
        parked_at: parkedAt,
        replay_attempts: 0,
      })
      .onConflict((conflict) => conflict.columns(['projection', 'position']).doNothing())
      .execute();
  },

  async inStream(db: Db, projection: string, streamId: string): Promise<ParkedEvent[]> {
    const rows = await db
      .selectFrom('parked_events')
      .select(COLUMNS)
      .where('projection', '=', projection)
      .where('stream_id', '=', streamId)
      .orderBy('position')
      .execute();
    return rows.map(fromRow);
  },

  /** A replay succeeded: the stream is applied again from its next event. */
  async release(db: Db, projection: string, streamId: string): Promise<void> {
    await db.deleteFrom('parked_events').where('projection', '=', projection).where('stream_id', '=', streamId).execute();
  },

  /** A projection starts again from position 0 (its version changed): what it parked is parked no more. */
  async releaseAll(db: Db, projection: string): Promise<void> {
    await db.deleteFrom('parked_events').where('projection', '=', projection).execute();
  },

  async replayFailed(db: Db, projection: string, streamId: string, error: string): Promise<void> {
    await db
      .updateTable('parked_events')
      .set((eb) => ({
        replay_attempts: sql<bigint>`replay_attempts + 1`,
        // The stream's first row is the refused event; it carries the latest error.
        error: eb.case().when('reason', '=', 'refused').then(error).else(eb.ref('error')).end(),
      }))
      .where('projection', '=', projection)
      .where('stream_id', '=', streamId)
      .execute();
  },

  async countByProjection(db: Db): Promise<ParkedCount[]> {
    const rows = await db
      .selectFrom('parked_events')
      .select(['projection', (eb) => eb.fn.countAll().as('events'), sql<bigint>`count(distinct case_id)`.as('cases')])
      .groupBy('projection')
      .orderBy('projection')
      .execute();
    return rows.map((row) => ({ projection: row.projection, events: Number(row.events), cases: Number(row.cases) }));
  },

  /** Parked events in log order, of one case or of all. */
  async list(db: Db, filter: { caseId?: string } = {}): Promise<ParkedEvent[]> {
    let query = db.selectFrom('parked_events').select(COLUMNS);
    if (filter.caseId !== undefined) query = query.where('case_id', '=', filter.caseId);
    const rows = await query.orderBy('position').orderBy('projection').execute();
    return rows.map(fromRow);
  },
};

/**
 * Which of `caseIds` some projection has parked an event of: their views and list rows may stop
 * short of the log and answer `needsAttention: true`. Queries of any projection call it, in their
 * own transaction.
 */
export async function casesNeedingAttention(db: Db, caseIds: readonly string[]): Promise<Set<string>> {
  if (caseIds.length === 0) return new Set();
  const rows = await db.selectFrom('parked_events').select('case_id').distinct().where('case_id', 'in', caseIds).execute();
  return new Set(rows.map((row) => row.case_id));
}

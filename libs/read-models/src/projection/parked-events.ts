import type { Database, Statement } from 'better-sqlite3';
import { caseStreamId } from '@cases/domain';
import type { LogEntry } from '../log/log-batch';

/**
 * Every SQL statement of parked events (docs/architecture.md, "Parked events"): nothing else names
 * the `parked_events` table.
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

/**
 * A decoder's or a fold's message could in principle quote what it could not read; messages are
 * kept short so a row never carries more than a diagnosis.
 */
const MAX_ERROR_LENGTH = 500;

export function createParkedEventsTable(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS parked_events (
      projection      TEXT    NOT NULL,
      position        INTEGER NOT NULL,
      stream_id       TEXT    NOT NULL,
      case_id         TEXT    NOT NULL,
      revision        INTEGER NOT NULL,
      event_id        TEXT    NOT NULL,
      type            TEXT    NOT NULL,
      reason          TEXT    NOT NULL CHECK (reason IN ('refused', 'held')),
      error           TEXT,
      parked_at       TEXT    NOT NULL,
      replay_attempts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (projection, position)
    );
    CREATE INDEX IF NOT EXISTS parked_events_by_case ON parked_events (case_id);
  `);
}

interface ParkedRow {
  projection: string;
  position: bigint;
  stream_id: string;
  case_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  reason: ParkedReason;
  error: string | null;
  parked_at: string;
  replay_attempts: bigint;
}

const COLUMNS = 'projection, position, stream_id, case_id, revision, event_id, type, reason, error, parked_at, replay_attempts';

function fromRow(row: ParkedRow): ParkedEvent {
  return {
    projection: row.projection,
    position: row.position,
    streamId: row.stream_id,
    caseId: row.case_id,
    revision: row.revision,
    eventId: row.event_id,
    type: row.type,
    reason: row.reason,
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

/** The parked-event statements, prepared once per database connection. */
export class ParkedEvents {
  private readonly streamsOf: Statement<[string], { stream_id: string; first: bigint }>;
  private readonly insert: Statement<unknown[]>;
  private readonly ofStream: Statement<[string, string], ParkedRow>;
  private readonly clearStream: Statement<[string, string]>;
  private readonly clearAll: Statement<[string]>;
  private readonly failReplay: Statement<[string, string, string]>;
  private readonly counts: Statement<[], { projection: string; events: number; cases: number }>;

  constructor(private readonly db: Database) {
    this.streamsOf = db
      .prepare<[string], { stream_id: string; first: bigint }>(
        'SELECT stream_id, MIN(position) AS first FROM parked_events WHERE projection = ? GROUP BY stream_id',
      )
      .safeIntegers(true);
    // A redelivered batch parks the same events again: the first row, and its error, stay.
    this.insert = db.prepare(
      `INSERT INTO parked_events (projection, position, stream_id, case_id, revision, event_id, type, reason, error, parked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (projection, position) DO NOTHING`,
    );
    this.ofStream = db
      .prepare<[string, string], ParkedRow>(`SELECT ${COLUMNS} FROM parked_events WHERE projection = ? AND stream_id = ? ORDER BY position`)
      .safeIntegers(true);
    this.clearStream = db.prepare<[string, string]>('DELETE FROM parked_events WHERE projection = ? AND stream_id = ?');
    this.clearAll = db.prepare<[string]>('DELETE FROM parked_events WHERE projection = ?');
    // The stream's first row is the refused event; it carries the latest error.
    this.failReplay = db.prepare<[string, string, string]>(
      `UPDATE parked_events SET replay_attempts = replay_attempts + 1,
         error = CASE WHEN reason = 'refused' THEN ? ELSE error END
       WHERE projection = ? AND stream_id = ?`,
    );
    this.counts = db.prepare(
      `SELECT projection, COUNT(*) AS events, COUNT(DISTINCT case_id) AS cases FROM parked_events GROUP BY projection ORDER BY projection`,
    );
  }

  /**
   * The streams `projection` holds back, each with the position of its first parked event: no
   * event of the stream from there on is applied until a replay releases it.
   */
  heldStreams(projection: string): Map<string, bigint> {
    return new Map(this.streamsOf.all(projection).map((row) => [row.stream_id, row.first]));
  }

  park(projection: string, entry: LogEntry, reason: ParkedReason, error: string | null, parkedAt: string): void {
    this.insert.run(
      projection,
      entry.position,
      entry.streamId,
      caseIdOfStream(entry.streamId),
      entry.revision,
      entry.id,
      entry.type,
      reason,
      error,
      parkedAt,
    );
  }

  inStream(projection: string, streamId: string): ParkedEvent[] {
    return this.ofStream.all(projection, streamId).map(fromRow);
  }

  /** A replay succeeded: the stream is applied again from its next event. */
  release(projection: string, streamId: string): void {
    this.clearStream.run(projection, streamId);
  }

  /** A projection starts again from position 0 (its version changed): what it parked is parked no more. */
  releaseAll(projection: string): void {
    this.clearAll.run(projection);
  }

  replayFailed(projection: string, streamId: string, error: string): void {
    this.failReplay.run(error, projection, streamId);
  }

  countByProjection(): ParkedCount[] {
    return this.counts.all().map((row) => ({ projection: row.projection, events: Number(row.events), cases: Number(row.cases) }));
  }

  /** Parked events in log order, of one case or of all. */
  list(filter: { caseId?: string } = {}): ParkedEvent[] {
    const rows =
      filter.caseId === undefined
        ? this.db.prepare<[], ParkedRow>(`SELECT ${COLUMNS} FROM parked_events ORDER BY position, projection`).safeIntegers(true).all()
        : this.db
            .prepare<[string], ParkedRow>(`SELECT ${COLUMNS} FROM parked_events WHERE case_id = ? ORDER BY position, projection`)
            .safeIntegers(true)
            .all(filter.caseId);
    return rows.map(fromRow);
  }
}

/**
 * Which of `caseIds` some projection has parked an event of: their views and list rows may stop
 * short of the log and answer `needsAttention: true`. Queries of any projection call it.
 */
export function casesNeedingAttention(db: Database, caseIds: readonly string[]): Set<string> {
  if (caseIds.length === 0) return new Set();
  const found = db
    .prepare<string[], string>(`SELECT DISTINCT case_id FROM parked_events WHERE case_id IN (${caseIds.map(() => '?').join(', ')})`)
    .pluck()
    .all(...caseIds);
  return new Set(found);
}

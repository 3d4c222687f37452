import type { Kysely } from 'kysely';
import { evolve, INITIAL_CASE_STATE, timelinessFacts, type CaseState, type DeadlineState, type OpenedCase } from '@cases/domain';
import type { ReadModelTables } from '../database/read-model-tables';
import type { LogBatch, RecordedCaseEvent } from '../log/log-batch';
import type { BulkProjectionWriter, Projection, ProjectionWriter } from '../projection/projection';
import { deadlineColumnsOf, deadlinesOf, listColumnsOf, unitsOf, utc } from './case-state';
import { CASE_TABLES, CaseWriteSet, createCaseIndexes, createCaseTables, loadCases, nextCaseKey, type StoredCaseRow } from './case.sql';

export const CASE_PROJECTION = 'case';

/**
 * How many folded cases a rebuild keeps in memory between batches. A case's events lie close
 * together in the log while it is being handled, so nearly every event finds its case here; one
 * that comes back after being evicted is read back from the tables.
 */
const DEFAULT_BULK_CACHED_CASES = 4_000;

export interface CaseProjectionOptions {
  /** Folded cases a rebuild keeps in memory (default 4,000). */
  bulkCachedCases?: number;
}

/**
 * The case read model: each event of a case stream is folded once, with the domain's own
 * `evolve`, into the case's state, and the batch writes, for every case it changed, the view (the
 * state and its timeliness facts), the list row and the changed deadlines, in the transaction
 * that moves the checkpoint. The state stored in the view is the one the next event continues
 * from, so the lifecycle rules are never restated here.
 */
export function caseProjection(options: CaseProjectionOptions = {}): Projection {
  const bulkCachedCases = options.bulkCachedCases ?? DEFAULT_BULK_CACHED_CASES;
  return {
    name: CASE_PROJECTION,
    // 2: case_units, the units that may see each case (a unit's list holds the cases it held before).
    // 3: a deadline whose episode a return or a reopen ended is no longer pending in the list.
    version: 3,
    tables: CASE_TABLES,
    createTables: createCaseTables,
    createIndexes: createCaseIndexes,
    writer: () => new CaseWriter(),
    bulkWriter: () => new CaseBulkWriter(bulkCachedCases),
  };
}

/** A case being folded, and what of it the tables already hold. */
interface FoldingCase {
  caseId: string;
  key: bigint;
  /** Whether the tables hold a row for the case yet. */
  stored: boolean;
  state: CaseState;
  revision: bigint;
  /** Global position and server time of the last event folded in. */
  position: bigint;
  recordedAt: string;
  /** The deadlines as last written: compared by identity to find the changed ones. */
  writtenDeadlines: readonly DeadlineState[];
  /** The units that may see the case, as last written. */
  writtenUnits: readonly string[];
  /** Folded since last written. */
  changed: boolean;
}

/**
 * Folds one event in, unless the case already reflects it: an event at or below the case's
 * revision is a redelivery and is skipped.
 */
function fold(folding: FoldingCase, recorded: RecordedCaseEvent): void {
  if (recorded.revision <= folding.revision) return;
  folding.state = evolve(folding.state, recorded.event);
  folding.revision = recorded.revision;
  folding.position = recorded.position;
  folding.recordedAt = recorded.metadata.recordedAt;
  folding.changed = true;
}

/** The case as the tables hold it (`row`), or one they have never seen, under `newKey()`. */
function loadOrStart(caseId: string, row: StoredCaseRow | undefined, newKey: () => bigint): FoldingCase {
  if (!row) {
    return {
      caseId,
      key: newKey(),
      stored: false,
      state: INITIAL_CASE_STATE,
      // Below the intake's revision 0.
      revision: -1n,
      position: 0n,
      recordedAt: '',
      writtenDeadlines: [],
      writtenUnits: [],
      changed: false,
    };
  }
  const state = JSON.parse(row.state) as OpenedCase;
  return {
    caseId,
    key: row.key,
    stored: true,
    state,
    revision: row.revision,
    position: 0n,
    recordedAt: '',
    writtenDeadlines: deadlinesOf(state),
    writtenUnits: unitsOf(state),
    changed: false,
  };
}

/** Adds a folded case's view, list row, changed deadlines and newly seeing units to `writes`. */
function write(writes: CaseWriteSet, folding: FoldingCase): void {
  // evolve opens a case on its intake event and throws on anything else, so a changed case is open.
  const state = folding.state as OpenedCase;
  writes.writeCase({
    key: folding.key,
    caseId: folding.caseId,
    revision: folding.revision,
    position: folding.position,
    state: JSON.stringify(state),
    facts: JSON.stringify(timelinessFacts(state)),
    list: listColumnsOf(state),
    // When the case last changed in the system; business times may be back-dated.
    updatedAt: utc(folding.recordedAt),
  });
  const deadlines = deadlinesOf(state);
  const written = folding.writtenDeadlines;
  for (const deadline of deadlines) {
    if (!written.includes(deadline)) writes.writeDeadline(folding.key, deadlineColumnsOf(deadline));
  }
  for (const { milestone } of written) {
    if (!deadlines.some((deadline) => deadline.milestone === milestone)) writes.removeDeadline(folding.key, milestone);
  }
  const units = unitsOf(state);
  for (const unit of units) if (!folding.writtenUnits.includes(unit)) writes.addUnit(folding.key, unit);
  for (const unit of folding.writtenUnits) if (!units.includes(unit)) writes.removeUnit(folding.key, unit);
  folding.stored = true;
  folding.writtenDeadlines = deadlines;
  folding.writtenUnits = units;
  folding.changed = false;
}

/** The ids of the cases `batch` touches that `known` does not hold, each once. */
function unknownCases(batch: LogBatch, known: (caseId: string) => boolean): string[] {
  const ids = new Set<string>();
  for (const { caseId } of batch.caseEvents) if (!known(caseId)) ids.add(caseId);
  return [...ids];
}

/** Applies each batch on its own: loads the cases it touches in one go, folds them, writes back the changed ones. */
class CaseWriter implements ProjectionWriter {
  async apply(db: Kysely<ReadModelTables>, batch: LogBatch): Promise<void> {
    const caseIds = unknownCases(batch, () => false);
    const stored = await loadCases(db, caseIds);
    const touched = new Map<string, FoldingCase>();
    let nextKey: bigint | undefined;
    // New cases get their keys in the order they appear, like a rebuild hands them out.
    const firstKey = stored.size < caseIds.length ? await nextCaseKey(db) : 0n;
    const newKey = () => (nextKey = (nextKey ?? firstKey - 1n) + 1n);
    for (const recorded of batch.caseEvents) {
      let folding = touched.get(recorded.caseId);
      if (!folding) {
        folding = loadOrStart(recorded.caseId, stored.get(recorded.caseId), newKey);
        touched.set(recorded.caseId, folding);
      }
      fold(folding, recorded);
    }
    const writes = new CaseWriteSet();
    for (const folding of touched.values()) if (folding.changed) write(writes, folding);
    await writes.flush(db);
  }
}

/**
 * Applies a rebuild's long run of the log: keeps the recently touched cases folded in memory
 * across batches and writes a case only when it leaves memory or at `flush`, so most cases are
 * written once, not once per batch, and read back only when they come back after leaving memory.
 *
 * Memory holds two generations of cases: a case touched is in the young one; once the young one
 * reaches half the capacity, the old generation's cases are written out and dropped, and the young
 * one becomes old. A case touched again while old moves back to the young generation.
 */
class CaseBulkWriter implements BulkProjectionWriter {
  private young = new Map<string, FoldingCase>();
  private old = new Map<string, FoldingCase>();
  private nextKey: bigint | undefined;

  constructor(private readonly capacity: number) {}

  async apply(db: Kysely<ReadModelTables>, batch: LogBatch): Promise<void> {
    const stored = await loadCases(
      db,
      unknownCases(batch, (caseId) => this.young.has(caseId) || this.old.has(caseId)),
    );
    this.nextKey ??= await nextCaseKey(db);
    for (const recorded of batch.caseEvents) {
      let folding = this.young.get(recorded.caseId);
      if (!folding) {
        folding = this.old.get(recorded.caseId);
        if (folding) this.old.delete(recorded.caseId);
        else folding = loadOrStart(recorded.caseId, stored.get(recorded.caseId), () => this.newKey());
        this.young.set(recorded.caseId, folding);
      }
      fold(folding, recorded);
    }
    if (this.young.size >= this.capacity / 2) {
      await this.writeOut(db, this.old);
      this.old = this.young;
      this.young = new Map();
    }
  }

  async flush(db: Kysely<ReadModelTables>): Promise<void> {
    await this.writeOut(db, this.old);
    await this.writeOut(db, this.young);
    this.old = new Map();
    this.young = new Map();
  }

  private newKey(): bigint {
    const key = this.nextKey ?? 1n;
    this.nextKey = key + 1n;
    return key;
  }

  private async writeOut(db: Kysely<ReadModelTables>, cases: ReadonlyMap<string, FoldingCase>): Promise<void> {
    const writes = new CaseWriteSet();
    for (const folding of cases.values()) if (folding.changed) write(writes, folding);
    await writes.flush(db);
  }
}

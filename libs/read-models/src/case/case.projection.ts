import type { Database } from 'better-sqlite3';
import { evolve, INITIAL_CASE_STATE, timelinessFacts, type CaseState, type DeadlineState, type OpenedCase } from '@cases/domain';
import type { LogBatch, RecordedCaseEvent } from '../log/log-batch';
import type { BulkProjectionWriter, Projection, ProjectionWriter } from '../projection/projection';
import type { TableNames } from '../projection/table-names';
import { deadlineColumnsOf, deadlinesOf, listColumnsOf, unitsOf, utc } from './case-state';
import { CASE_TABLES, CaseTables, createCaseIndexes, createCaseTables } from './case.sql';

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
    version: 2,
    tables: CASE_TABLES,
    createTables: createCaseTables,
    createIndexes: createCaseIndexes,
    writer: (db, names) => new CaseWriter(db, names),
    bulkWriter: (db, names) => new CaseBulkWriter(db, names, bulkCachedCases),
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

/** Loads a case from the tables, or starts one the tables have never seen under `newKey()`. */
function loadOrStart(tables: CaseTables, caseId: string, newKey: () => bigint): FoldingCase {
  const row = tables.load(caseId);
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

/** Writes a folded case's view, list row and changed deadlines. */
function write(tables: CaseTables, folding: FoldingCase): void {
  // evolve opens a case on its intake event and throws on anything else, so a changed case is open.
  const state = folding.state as OpenedCase;
  const caseWrite = {
    key: folding.key,
    caseId: folding.caseId,
    revision: folding.revision,
    position: folding.position,
    state: JSON.stringify(state),
    facts: JSON.stringify(timelinessFacts(state)),
    list: listColumnsOf(state),
    // When the case last changed in the system; business times may be back-dated.
    updatedAt: utc(folding.recordedAt),
  };
  if (folding.stored) tables.update(caseWrite);
  else tables.insert(caseWrite);

  const deadlines = deadlinesOf(state);
  const written = folding.writtenDeadlines;
  for (const deadline of deadlines) {
    if (!written.includes(deadline)) tables.writeDeadline(folding.key, deadlineColumnsOf(deadline));
  }
  for (const { milestone } of written) {
    if (!deadlines.some((deadline) => deadline.milestone === milestone)) tables.removeDeadline(folding.key, milestone);
  }
  const units = unitsOf(state);
  for (const unit of units) if (!folding.writtenUnits.includes(unit)) tables.addUnit(folding.key, unit);
  for (const unit of folding.writtenUnits) if (!units.includes(unit)) tables.removeUnit(folding.key, unit);
  folding.stored = true;
  folding.writtenDeadlines = deadlines;
  folding.writtenUnits = units;
  folding.changed = false;
}

/** Applies each batch on its own: loads the cases it touches, folds them, writes back the changed ones. */
class CaseWriter implements ProjectionWriter {
  private readonly tables: CaseTables;

  constructor(db: Database, names: TableNames) {
    this.tables = new CaseTables(db, names);
  }

  apply(batch: LogBatch): void {
    const touched = new Map<string, FoldingCase>();
    let nextKey: bigint | undefined;
    // New cases get their keys in the order they appear, like a rebuild hands them out.
    const newKey = () => (nextKey = (nextKey ?? this.tables.nextKey() - 1n) + 1n);
    for (const recorded of batch.caseEvents) {
      let folding = touched.get(recorded.caseId);
      if (!folding) {
        folding = loadOrStart(this.tables, recorded.caseId, newKey);
        touched.set(recorded.caseId, folding);
      }
      fold(folding, recorded);
    }
    for (const folding of touched.values()) if (folding.changed) write(this.tables, folding);
  }
}

/**
 * Applies a rebuild's long run of the log: keeps the recently touched cases folded in memory
 * across batches and writes a case only when it leaves memory or at `flush`, so most cases are
 * written once, not once per batch, and never read back.
 *
 * Memory holds two generations of cases: a case touched is in the young one; once the young one
 * reaches half the capacity, the old generation's cases are written out and dropped, and the young
 * one becomes old. A case touched again while old moves back to the young generation.
 */
class CaseBulkWriter implements BulkProjectionWriter {
  private readonly tables: CaseTables;
  private young = new Map<string, FoldingCase>();
  private old = new Map<string, FoldingCase>();
  private nextKey: bigint | undefined;

  constructor(
    db: Database,
    names: TableNames,
    private readonly capacity: number,
  ) {
    this.tables = new CaseTables(db, names);
  }

  apply(batch: LogBatch): void {
    for (const recorded of batch.caseEvents) {
      let folding = this.young.get(recorded.caseId);
      if (!folding) {
        folding = this.old.get(recorded.caseId);
        if (folding) this.old.delete(recorded.caseId);
        else folding = loadOrStart(this.tables, recorded.caseId, () => this.newKey());
        this.young.set(recorded.caseId, folding);
      }
      fold(folding, recorded);
    }
    if (this.young.size >= this.capacity / 2) {
      this.writeOut(this.old);
      this.old = this.young;
      this.young = new Map();
    }
  }

  flush(): void {
    this.writeOut(this.old);
    this.writeOut(this.young);
    this.old = new Map();
    this.young = new Map();
  }

  private newKey(): bigint {
    this.nextKey ??= this.tables.nextKey();
    return this.nextKey++;
  }

  private writeOut(cases: ReadonlyMap<string, FoldingCase>): void {
    for (const folding of cases.values()) if (folding.changed) write(this.tables, folding);
  }
}

import type { CaseFacts } from '@cases/domain';
import type { EventStore } from '@cases/event-store';
import { CASE_PROJECTION } from './case/case.projection';
import { listCases, type CaseListPage, type CaseListQuery } from './case/case-list';
import { casesWithOpenDeadlines, changedCaseFacts, getCaseView, type CaseView, type OpenDeadlineCase } from './case/case-view';
import { CASE_HISTORY_PROJECTION } from './case-history/case-history.projection';
import { getCaseHistory, type CaseHistoryEntry } from './case-history/get-case-history';
import { PositionBeyondLogError } from './projection/position-waiters';
import type { ProjectionRunner, ReadAt, ReadModelReader } from './projection/projection-runner';

/** How fresh a query's answer must be. */
export interface Freshness {
  /**
   * The read model must have applied the global log at least up to this position, e.g. the
   * `position` a command answered with, possibly on another instance. Without it, a query waits
   * for the log's head as it stands when the query arrives: read-your-writes for every command
   * already answered. A query waits only for the read model it reads, and fails with a
   * `ProjectionTimeoutError` when that model does not get there in time. A position past the
   * log's head is refused at once (`PositionBeyondLogError`): every answered command's position
   * is at or below the head of the shared store, so waiting for a later one would only time out.
   */
  minPosition?: bigint;
}

/** Where a reader of changed facts stands: pass it back to get only what changed since. */
export interface FactsCursor {
  readonly position: bigint;
  readonly generation: number;
}

export interface ChangedFacts {
  /** The log position the case read model stood at: the facts describe the log up to it. */
  position: bigint;
  cursor: FactsCursor;
  /**
   * True when `facts` holds every case of the organisation rather than the changes since the
   * cursor given (there was none, or the read model was rebuilt since): drop what was kept.
   */
  complete: boolean;
  facts: CaseFacts[];
}

interface Reading {
  runner: ProjectionRunner;
  store: EventStore;
  timeoutMs: number;
}

/** The position `projection` must reach before a query with `freshness` reads it. */
async function minPositionOf(reading: Reading, projection: string, freshness: Freshness): Promise<bigint> {
  const { minPosition } = freshness;
  if (minPosition === undefined) return reading.store.headPosition();
  // Only a position the read model has not reached yet can lie past the log's end: the head is
  // read then, not on every read that names a position already applied.
  if (minPosition > reading.runner.checkpoint(projection)) {
    const head = await reading.store.headPosition();
    if (minPosition > head) throw new PositionBeyondLogError(minPosition, head);
  }
  return minPosition;
}

/** Queries of the case read model (view, list, deadlines, timeliness facts): they wait for the `case` projection only. */
export class CaseReadModel {
  constructor(private readonly reading: Reading) {}

  /** The case as the domain folds it, or null when no such case has reached the read model. */
  async view(caseId: string, freshness: Freshness = {}): Promise<CaseView | null> {
    return this.read(freshness, ({ db }) => getCaseView(db, caseId));
  }

  /** Cases matching every filter of `query`, newest registration first; overdue is judged at `now`. */
  async list(query: CaseListQuery, now: Date, freshness: Freshness = {}): Promise<CaseListPage> {
    return this.read(freshness, (reader) => listCases(reader, query, now));
  }

  /** Cases still open that have a deadline not yet reached, with the revision the read model holds. */
  async casesWithOpenDeadlines(freshness: Freshness = {}): Promise<OpenDeadlineCase[]> {
    return this.read(freshness, ({ db }) => casesWithOpenDeadlines(db));
  }

  /** The timeliness facts of the cases of `orgId` changed since `since` (all of them without a cursor). */
  async changedFacts(orgId: string, since: FactsCursor | null, freshness: Freshness = {}): Promise<ChangedFacts> {
    return this.read(freshness, async ({ db }, at) => {
      const complete = since === null || since.generation !== at.generation;
      return {
        position: at.position,
        cursor: at,
        complete,
        facts: await changedCaseFacts(db, orgId, complete ? 0n : since.position),
      };
    });
  }

  private async read<T>(freshness: Freshness, read: (reader: ReadModelReader, at: ReadAt) => Promise<T>): Promise<T> {
    const { runner, timeoutMs } = this.reading;
    return runner.read(CASE_PROJECTION, await minPositionOf(this.reading, CASE_PROJECTION, freshness), timeoutMs, read);
  }
}

/** Queries of the case history read model: they wait for the `case-history` projection only. */
export class CaseHistoryReadModel {
  constructor(private readonly reading: Reading) {}

  /** Every event of the case in stream order; empty when no such case has reached the read model. */
  async history(caseId: string, freshness: Freshness = {}): Promise<CaseHistoryEntry[]> {
    const { runner, timeoutMs } = this.reading;
    return runner.read(
      CASE_HISTORY_PROJECTION,
      await minPositionOf(this.reading, CASE_HISTORY_PROJECTION, freshness),
      timeoutMs,
      ({ db }) => getCaseHistory(db, caseId),
    );
  }
}

/** Every read model the service queries, each reached only through its query functions. */
export class ReadModels {
  readonly cases: CaseReadModel;
  readonly history: CaseHistoryReadModel;

  constructor(runner: ProjectionRunner, store: EventStore, options: { timeoutMs: number }) {
    const reading = { runner, store, timeoutMs: options.timeoutMs };
    this.cases = new CaseReadModel(reading);
    this.history = new CaseHistoryReadModel(reading);
  }
}

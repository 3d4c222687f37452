import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import type { EventStore } from '@cases/event-store';
import type { CaseEventDecoder } from '../log/log-batch';
import type { ProjectedModel } from './projected-model';
import { readLog } from './read-log';
import { RebuiltTables } from './rebuilt-tables';

export interface RebuildProgress {
  projection: string;
  /** Events read from the log so far (case events and others). */
  processed: number;
  /** Position the rebuilt tables have reached. */
  position: bigint;
  /** The log's head when the rebuild started, or the position reached when that is later. */
  head: bigint;
}

export interface RebuildResult {
  projection: string;
  /** Events read from the log from position 0 up to the head the rebuild started at. */
  processed: number;
  /** The projection's checkpoint once the rebuilt tables took over. */
  position: bigint;
  elapsedMs: number;
}

export interface RebuilderOptions {
  db: Database;
  store: EventStore;
  /** Events applied per transaction while replaying the log up to its head. */
  batchSize: number;
  /** Events per transaction while catching up with the live tables before the swap. */
  tailBatchSize: number;
  stopped(): boolean;
  /** Called once the rebuilt tables of `model` are live (its checkpoint may have moved on). */
  swapped(model: ProjectedModel): void;
  /** How case events are decoded (default: the domain's). */
  decode?: CaseEventDecoder;
}

/**
 * Rebuilds projections beside their live tables while those keep serving queries and following
 * the log: replays the log from position 0 to its head into new tables (one pass for all of them,
 * each batch read and decoded once), catches them up with the live tables, then swaps each in.
 * Queries see the old model or the new one, never one half built.
 */
export class Rebuilder {
  constructor(private readonly options: RebuilderOptions) {}

  async rebuild(models: readonly ProjectedModel[], onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    const { db, store, stopped } = this.options;
    const label = models.map((model) => model.name).join(', ');
    const started = performance.now();
    const pending = models.map((model) => new RebuiltTables(db, model));
    try {
      const head = await store.headPosition();
      let processed = 0;
      const applyToAll = db.transaction((batch: Parameters<RebuiltTables['apply']>[0]) => {
        for (const tables of pending) tables.apply(batch);
      });
      await readLog(
        store,
        this.options.batchSize,
        { from: () => pending[0].position, to: () => head, stopped, decode: this.options.decode },
        (batch, readUpTo) => {
          applyToAll(batch);
          for (const tables of pending) tables.skipTo(readUpTo);
          processed += batch.entries.length;
          const position = pending[0].position;
          onProgress?.({ projection: label, processed, position, head: position > head ? position : head });
        },
      );
      this.assertRunning(label);
      for (const tables of pending) tables.finishBulk();

      while (pending.length > 0) {
        const tables = pending[0];
        await readLog(
          store,
          this.options.tailBatchSize,
          { from: () => tables.position, to: () => tables.model.position, stopped, decode: this.options.decode },
          (batch, readUpTo) => {
            db.transaction(() => tables.apply(batch))();
            tables.skipTo(readUpTo);
          },
        );
        this.assertRunning(label);
        // Synchronously after the last check that the rebuilt tables have caught up.
        tables.swapIn();
        pending.shift();
        this.options.swapped(tables.model);
      }
      // The tables went from empty to full: refresh the planner's statistics about them.
      db.pragma('optimize');
      return { projection: label, processed, position: models[0].position, elapsedMs: performance.now() - started };
    } catch (error) {
      if (db.open) for (const tables of pending) tables.discard();
      throw error;
    }
  }

  private assertRunning(label: string): void {
    if (this.options.stopped()) throw new Error(`The rebuild of ${label} was stopped: the projection runner is closing`);
  }
}

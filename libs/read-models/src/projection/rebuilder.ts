import { performance } from 'node:perf_hooks';
import type { EventStore } from '@cases/event-store';
import type { ReadModelDatabase } from '../database/read-model-database';
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
  database: ReadModelDatabase;
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
    const { database, store, stopped } = this.options;
    const label = models.map((model) => model.name).join(', ');
    const started = performance.now();
    const pending: RebuiltTables[] = [];
    try {
      for (const model of models) pending.push(await RebuiltTables.create(database, model));
      const head = await store.headPosition();
      let processed = 0;
      await readLog(
        store,
        this.options.batchSize,
        { from: () => pending[0].position, to: () => head, stopped, decode: this.options.decode },
        async (batch, readUpTo) => {
          await database.db.transaction().execute(async (db) => {
            for (const tables of pending) await tables.apply(db, batch);
          });
          for (const tables of pending) tables.skipTo(readUpTo);
          processed += batch.entries.length;
          const position = pending[0].position;
          onProgress?.({ projection: label, processed, position, head: position > head ? position : head });
        },
      );
      this.assertRunning(label);
      for (const tables of pending) await tables.finishBulk();

      while (pending.length > 0) {
        const tables = pending[0];
        await this.catchUp(tables, 0n);
        // The last stretch and the swap hold the live model's turn: no batch reaches its tables in between.
        let target: bigint | null = 0n;
        while (target !== null) {
          const reach = target;
          target = await tables.model.exclusive(async () => {
            await this.catchUp(tables, reach);
            this.assertRunning(label);
            return tables.swapIn();
          });
        }
        pending.shift();
        this.options.swapped(tables.model);
      }
      // The tables went from empty to full: refresh the planner's statistics about them.
      await database.analyze();
      return { projection: label, processed, position: models[0].position, elapsedMs: performance.now() - started };
    } catch (error) {
      for (const tables of pending) await tables.discard().catch(() => undefined);
      throw error;
    }
  }

  /** Applies the log to the rebuilt tables until they reach the live model's checkpoint, and `target`. */
  private async catchUp(tables: RebuiltTables, target: bigint): Promise<void> {
    const { database, store, stopped } = this.options;
    const to = () => (tables.model.position > target ? tables.model.position : target);
    const range = { from: () => tables.position, to, stopped, decode: this.options.decode };
    await readLog(store, this.options.tailBatchSize, range, async (batch, readUpTo) => {
      await database.db.transaction().execute((db) => tables.apply(db, batch));
      tables.skipTo(readUpTo);
    });
  }

  private assertRunning(label: string): void {
    if (this.options.stopped())
      throw new Error(`The rebuild of ${label} was stopped: the projection runner is closing or lost its rebuild lease`);
  }
}

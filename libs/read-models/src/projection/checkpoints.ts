import type { Kysely } from 'kysely';
import type { ReadModelTables } from '../database/read-model-tables';

/** Where a projection's live tables stand in the global log, which version of it built them, and their generation. */
export interface Checkpoint {
  position: bigint;
  version: number;
  /** Counts the projection's rebuilds: names its tables' indexes (see `TableNames`). */
  generation: number;
}

type Db = Kysely<ReadModelTables>;

export async function readCheckpoint(db: Db, projection: string): Promise<Checkpoint | null> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select(['position', 'version', 'generation'])
    .where('projection', '=', projection)
    .executeTakeFirst();
  return row ? { position: BigInt(row.position), version: Number(row.version), generation: Number(row.generation) } : null;
}

/** Every projection's checkpoint, by projection name (one query: instances that do not follow the log poll it). */
export async function readCheckpoints(db: Db): Promise<Map<string, Checkpoint>> {
  const rows = await db.selectFrom('projection_checkpoints').select(['projection', 'position', 'version', 'generation']).execute();
  return new Map(
    rows.map((row) => [
      row.projection,
      { position: BigInt(row.position), version: Number(row.version), generation: Number(row.generation) },
    ]),
  );
}

export async function writeCheckpoint(db: Db, projection: string, { position, version, generation }: Checkpoint): Promise<void> {
  await db
    .insertInto('projection_checkpoints')
    .values({ projection, position, version, generation })
    .onConflict((conflict) =>
      conflict.column('projection').doUpdateSet((eb) => ({
        position: eb.ref('excluded.position'),
        version: eb.ref('excluded.version'),
        generation: eb.ref('excluded.generation'),
      })),
    )
    .execute();
}

/**
 * Moves only the position of a checkpoint (the other columns change with the tables, never per
 * batch), and only forward.
 */
export async function writePosition(db: Db, projection: string, position: bigint): Promise<void> {
  await db
    .updateTable('projection_checkpoints')
    .set({ position })
    .where('projection', '=', projection)
    .where('position', '<', position)
    .execute();
}

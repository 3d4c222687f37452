import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { openReadModelDatabase, type ReadModelDatabase, type ReadModelLocation } from './read-model-database';

/**
 * The read side's schema changes, in code (nothing to ship beside the build), applied in order by
 * Kysely's `Migrator` when the projection runner opens the database. They hold what every
 * projection shares; a projection's own tables follow its `version` instead (a new version is
 * replayed into new tables, see `ProjectedModel.open`), since read models are rebuilt, not migrated.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_projection_checkpoints': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A checkpoint table of a release before generations existed is dropped: read models are
      // disposable, and without a checkpoint each projection starts again from nothing.
      const tables = await db.introspection.getTables();
      const existing = tables.find((table) => table.name === 'projection_checkpoints');
      if (existing && !existing.columns.some((column) => column.name === 'generation')) {
        await db.schema.dropTable('projection_checkpoints').execute();
      }
      await db.schema
        .createTable('projection_checkpoints')
        .ifNotExists()
        .addColumn('projection', 'text', (column) => column.primaryKey())
        // SQLite's `integer` and PostgreSQL's `bigint` both hold 64 bits.
        .addColumn('position', 'bigint', (column) => column.notNull())
        .addColumn('version', 'bigint', (column) => column.notNull())
        .addColumn('generation', 'bigint', (column) => column.notNull())
        .execute();
    },
  },
  // Poison events parked per case (projection/parked-events.ts), beside the checkpoints they commit with.
  '0002_parked_events': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('parked_events')
        .ifNotExists()
        .addColumn('projection', 'text', (column) => column.notNull())
        .addColumn('position', 'bigint', (column) => column.notNull())
        .addColumn('stream_id', 'text', (column) => column.notNull())
        .addColumn('case_id', 'text', (column) => column.notNull())
        .addColumn('revision', 'bigint', (column) => column.notNull())
        .addColumn('event_id', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull().check(sql`reason in ('refused', 'held')`))
        .addColumn('error', 'text')
        .addColumn('parked_at', 'text', (column) => column.notNull())
        .addColumn('replay_attempts', 'bigint', (column) => column.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('parked_events_pkey', ['projection', 'position'])
        .execute();
      await db.schema.createIndex('parked_events_by_case').ifNotExists().on('parked_events').column('case_id').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Brings the read-model database's shared schema up to date (on every start; a no-op when it is). */
export async function migrateReadModels(database: ReadModelDatabase): Promise<void> {
  const migrator = new Migrator({
    db: database.db,
    provider,
    migrationTableName: 'read_model_migrations',
    migrationLockTableName: 'read_model_migration_lock',
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely locks migrations on PostgreSQL but not on SQLite (it takes SQLite for one connection):
  // a second process migrating the same file at the same moment loses the race, and then finds
  // the migrations done.
  if (error !== undefined && database.dialect === 'sqlite') ({ error, results } = await migrator.migrateToLatest());
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  // Without a failed migration the database could not be reached or locked: its own error says it best.
  if (failed === undefined) throw error;
  throw new Error(`Read-model migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Opens the database at `location`, migrates it and closes it: whether the read models can live there. */
export async function prepareReadModelDatabase(location: ReadModelLocation): Promise<void> {
  const database = openReadModelDatabase(location);
  try {
    await migrateReadModels(database);
  } finally {
    await database.close();
  }
}

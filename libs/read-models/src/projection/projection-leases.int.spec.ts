import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import { PostgresLeaseProvider } from '@cases/coordination';
import { terminateLeaseHolder } from '@cases/coordination/testing';
import { SqliteEventStore } from '@cases/event-store';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { caseProjection } from '../case/case.projection';
import { openReadModelDatabase } from '../database/read-model-database';
import type { IntegerColumn, ReadModelTables } from '../database/read-model-tables';
import { appendGeneratedCases } from '../testing/generated-cases';
import type { Projection, ProjectionWriter } from './projection';
import { PROJECTIONS_LEASE, ProjectionRunner, rebuildLeaseName } from './projection-runner';

/**
 * Runners sharing one PostgreSQL read-model database with PostgreSQL leases, as instances do
 * (docs/architecture.md, "Several instances"): one follows the log, the other reads the shared
 * checkpoints; when the follower's lease connection dies the other takes over with no event
 * applied twice or skipped; a rebuild holds a lease that keeps another instance off its tables.
 */

const WAIT_MS = 8_000;
type CountTables = ReadModelTables & { applied_events: { stream_id: string; applied: IntegerColumn } };
const counts = (db: Kysely<ReadModelTables>) => db as unknown as Kysely<CountTables>;

/** A gate a rebuild's bulk writer stops at, so a test can act while the rebuild is half-way. */
interface Gate {
  reached: Promise<void>;
  open(): void;
}

function gate(): Gate & { arrive(): Promise<void> } {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    arrive: () => {
      reach();
      return opened;
    },
  };
}

/**
 * Counts every event it is handed, per stream, with no revision guard: an event applied twice or
 * skipped shows in the counts. Its rebuild (bulk) writer waits at `rebuildGate` when given one.
 */
function appliedCounter(rebuildGate?: ReturnType<typeof gate>): Projection {
  const writer = (): ProjectionWriter => ({
    async apply(db, batch) {
      for (const entry of batch.entries) {
        await counts(db)
          .insertInto('applied_events')
          .values({ stream_id: entry.streamId, applied: 1 })
          .onConflict((conflict) => conflict.column('stream_id').doUpdateSet((eb) => ({ applied: eb('applied_events.applied', '+', 1) })))
          .execute();
      }
    },
  });
  return {
    name: 'applied-counter',
    version: 1,
    tables: ['applied_events'],
    async createTables({ db }) {
      await counts(db)
        .schema.createTable('applied_events')
        .ifNotExists()
        .addColumn('stream_id', 'text', (column) => column.primaryKey())
        .addColumn('applied', 'integer', (column) => column.notNull())
        .execute();
    },
    async createIndexes() {
      // The primary key is all it needs.
    },
    writer,
    bulkWriter: () => {
      const inner = writer();
      return {
        async apply(db, batch) {
          await rebuildGate?.arrive();
          await inner.apply(db, batch);
        },
        flush: () => Promise.resolve(),
      };
    },
  };
}

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe('projection runners sharing PostgreSQL read models under leases', () => {
  let dir: string;
  let store: SqliteEventStore;
  let database: PostgresTestDatabase;
  let admin: Client;
  const runners: ProjectionRunner[] = [];
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

  const openRunner = async (projections: Projection[] = [caseProjection(), appliedCounter()]): Promise<ProjectionRunner> => {
    const runner = await ProjectionRunner.open({
      store,
      database: { postgres: database.url },
      projections,
      logger: quiet,
      leases: new PostgresLeaseProvider({ url: database.url, checkIntervalMs: 300 }),
      leaseRetryIntervalMs: 200,
      liveBatchSize: 13,
    });
    runners.push(runner);
    return runner;
  };

  const inspect = async <T>(look: (db: Kysely<CountTables>) => Promise<T>): Promise<T> => {
    const opened = openReadModelDatabase({ postgres: database.url });
    try {
      return await look(counts(opened.db));
    } finally {
      await opened.close();
    }
  };
  const appliedInAll = () =>
    inspect(async (db) => {
      const row = await db
        .selectFrom('applied_events')
        .select((eb) => eb.fn.sum<string>('applied').as('applied'))
        .executeTakeFirstOrThrow();
      return Number(row.applied ?? 0);
    });
  const rebuildTables = () =>
    inspect(async (db) => (await db.introspection.getTables()).map((table) => table.name).filter((name) => name.endsWith('__rebuild')));

  const killHolderOf = (name: string) => terminateLeaseHolder(admin, name);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-leases-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    database = await createPostgresTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });

  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await admin.end();
    await database.drop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the log in one runner; the other answers waits from the shared checkpoints and takes over when the first dies', async () => {
    const first = await openRunner();
    first.start();
    await eventually(() => first.leading, WAIT_MS, 'the first runner to take the lease');
    const second = await openRunner();
    second.start();

    await appendGeneratedCases(store, 20, 31);
    let head = await store.headPosition();
    // The second applies nothing itself: its wait is answered by the checkpoint the first writes.
    await second.waitForPosition(head, WAIT_MS);
    expect(second.leading).toBe(false);
    expect(second.checkpoint('applied-counter')).toBe(head);

    // Appends go on while the follower's lease connection is killed.
    const appending = appendGeneratedCases(store, 20, 32);
    await killHolderOf(PROJECTIONS_LEASE);
    const takeoverMs = await eventually(() => second.leading, WAIT_MS, 'the second runner to take over');
    await appending;
    await eventually(() => !first.leading, WAIT_MS, 'the first runner to notice it lost the lease');
    expect(takeoverMs).toBeLessThan(5_000);

    await appendGeneratedCases(store, 10, 33);
    head = await store.headPosition();
    await Promise.all([second.waitForPosition(head, WAIT_MS), first.waitForPosition(head, WAIT_MS)]);
    // Each event once, whoever applied it, across the takeover.
    expect(await appliedInAll()).toBe(Number(head));
  });

  it('keeps a rebuild in progress elsewhere: its tables survive another instance starting, and a second rebuild is refused', async () => {
    await appendGeneratedCases(store, 10, 34);
    const paused = gate();
    const rebuilding = await openRunner([appliedCounter(paused)]);
    const rebuilt = rebuilding.rebuild('applied-counter');
    await paused.reached;
    expect(await rebuildTables()).toEqual(['applied_events__rebuild']);

    // An instance starting now proves nothing abandoned: the rebuild's lease is held.
    const starting = await openRunner([appliedCounter()]);
    expect(await rebuildTables()).toEqual(['applied_events__rebuild']);
    await expect(starting.rebuild('applied-counter')).rejects.toThrow("Projection 'applied-counter' is being rebuilt by another instance");
    expect(await rebuildTables()).toEqual(['applied_events__rebuild']);

    paused.open();
    await rebuilt;
    expect(await rebuildTables()).toEqual([]);
    expect(await appliedInAll()).toBe(Number(await store.headPosition()));

    // A rebuild that loses its lease stops and discards its tables: another instance may take them now.
    const again = gate();
    const dying = await openRunner([appliedCounter(again)]);
    const failed = dying.rebuild('applied-counter');
    await again.reached;
    await killHolderOf(rebuildLeaseName('applied-counter'));
    // Longer than the lease's connection check: the rebuild learns it lost the lease before it goes on.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    again.open();
    await expect(failed).rejects.toThrow('lost its rebuild lease');
    expect(await rebuildTables()).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../../../test/support/postgres-test-database';
import { PostgresRelayCheckpoint, SqliteRelayCheckpoint, type RelayCheckpoint } from './relay-checkpoint';

/**
 * The relay's checkpoint where every instance reads it: an instance taking the relay's lease over
 * starts where the last holder stopped (PostgreSQL), and the embedded store's file survives a restart.
 */
describe.each([
  ['PostgreSQL', 'postgres'],
  ['SQLite', 'sqlite'],
] as const)('relay checkpoint on %s', (_name, kind) => {
  let database: PostgresTestDatabase | undefined;
  let dir: string;
  const open: RelayCheckpoint[] = [];

  const checkpoint = (relay = 'case-events'): RelayCheckpoint => {
    const made =
      kind === 'postgres'
        ? new PostgresRelayCheckpoint((database as PostgresTestDatabase).url, relay)
        : new SqliteRelayCheckpoint(join(dir, 'kafka-relay.db'), relay);
    open.push(made);
    return made;
  };

  beforeAll(async () => {
    if (kind === 'postgres') database = await createPostgresTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'relay-checkpoint-'));
  });

  afterAll(async () => {
    await Promise.all(open.map((made) => made.close()));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts at 0 and hands the last written position to another instance', async () => {
    const holder = checkpoint();
    expect(await holder.read()).toBe(0n);
    await holder.write(41n);
    await holder.write(9_007_199_254_740_993n);
    expect(await checkpoint().read()).toBe(9_007_199_254_740_993n);
  });

  it('is opened by many instances at once on a fresh database, each creating the table safely', async () => {
    // A database of its own, so the table does not exist yet when they all start.
    const fresh = kind === 'postgres' ? await createPostgresTestDatabase() : undefined;
    const freshDir = mkdtempSync(join(tmpdir(), 'relay-checkpoint-'));
    const many = Array.from({ length: 8 }, (_unused, index) =>
      fresh
        ? new PostgresRelayCheckpoint(fresh.url, `relay-${index}`)
        : new SqliteRelayCheckpoint(join(freshDir, 'kafka-relay.db'), `relay-${index}`),
    );
    try {
      await Promise.all(many.map((instance, index) => instance.write(BigInt(index + 1))));
      expect(await Promise.all(many.map((instance) => instance.read()))).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    } finally {
      await Promise.all(many.map((instance) => instance.close()));
      await fresh?.drop();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it('keeps relays apart by name', async () => {
    await checkpoint('one').write(5n);
    expect(await checkpoint('two').read()).toBe(0n);
  });
});

import { Client } from 'pg';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../test/support/postgres-test-database';
import type { Lease } from './lease';
import { LeaseKeeper } from './lease-keeper';
import { PostgresLeaseProvider } from './postgres-lease';
import { terminateLeaseHolder } from './testing';

/**
 * Leases on a real PostgreSQL server: two instances (two providers, two connections) compete for
 * one lease; killing the holder's connection hands it to the other.
 */

const CHECK_MS = 300;

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('PostgreSQL leases', () => {
  let database: PostgresTestDatabase;
  let admin: Client;
  const opened: Lease[] = [];

  const leaseOf = (name: string): Lease => {
    const lease = new PostgresLeaseProvider({ url: database.url, checkIntervalMs: CHECK_MS }).lease(name);
    opened.push(lease);
    return lease;
  };

  const killHolderOf = (name: string) => terminateLeaseHolder(admin, name);

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((lease) => lease.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('grants a lease to one holder at a time; a release lets the other take it', async () => {
    const first = leaseOf('relay');
    const second = leaseOf('relay');
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);
    // Asking again while holding is not a second lock to release twice.
    expect(await first.acquire()).toBe(true);
    expect(second.held).toBe(false);

    await first.release();
    expect(first.held).toBe(false);
    expect(await second.acquire()).toBe(true);
    expect(await first.acquire()).toBe(false);
  });

  it('keeps leases of different names apart', async () => {
    const relay = leaseOf('relay');
    const scheduler = leaseOf('deadline-scheduler');
    expect(await relay.acquire()).toBe(true);
    expect(await scheduler.acquire()).toBe(true);
  });

  it("loses the lease when the holder's connection is killed, and the other instance acquires it", async () => {
    const holder = leaseOf('relay');
    const other = leaseOf('relay');
    const lost: string[] = [];
    holder.onLost((reason) => lost.push(reason));
    expect(await holder.acquire()).toBe(true);
    expect(await other.acquire()).toBe(false);

    await killHolderOf('relay');
    await eventually(() => !holder.held, 5000, 'the holder to notice its connection died');
    expect(lost).toHaveLength(1);
    expect(await other.acquire()).toBe(true);
    // The old holder connects again when asked, and finds the lease taken.
    expect(await holder.acquire()).toBe(false);
  });

  it('keepers: exactly one runs the work; when its connection dies the other takes over within seconds', async () => {
    const running: string[] = [];
    const keeperOf = (instance: string) =>
      new LeaseKeeper({
        lease: leaseOf('relay'),
        retryIntervalMs: 200,
        run: () => {
          running.push(instance);
          return async () => {
            running.splice(running.indexOf(instance), 1);
          };
        },
      });
    const a = keeperOf('a');
    const b = keeperOf('b');
    a.start();
    await eventually(() => a.running, 5000, 'instance a to run');
    b.start();
    // b keeps trying and keeps failing while a holds the lease.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(running).toEqual(['a']);
    expect(b.running).toBe(false);

    await killHolderOf('relay');
    await eventually(() => b.running, 5000, 'instance b to take over');
    expect(running).toEqual(['b']);
    expect(a.running).toBe(false);

    // A stopped keeper gives the lease up: the other one takes it.
    await b.stop();
    await eventually(() => a.running, 5000, 'instance a to take over again');
    expect(running).toEqual(['a']);
    await a.stop();
    expect(running).toEqual([]);
  });
});

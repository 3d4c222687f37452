import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { Lease, LeaseProvider } from './lease';

/**
 * Leases as PostgreSQL session advisory locks, each on a connection of its own.
 *
 * A session lock belongs to the connection that took it: when the holder's process dies, its
 * connection closes and the server drops the lock at once, so another instance's next `acquire`
 * (the keeper retries every few seconds) gets it. A pool could not hold one: the lock would stay
 * with whichever pooled connection ran the query. The holder checks its connection every
 * `checkIntervalMs` (a query bounded by the same time); a connection that errs, ends or does not
 * answer loses the lease on this side at once, so the work it guarded stops. The server ends the
 * session, and frees the lock, when it sees the connection gone (a dead peer: after its TCP
 * keep-alive settings), so two holders never overlap, though a takeover after a network partition
 * may take longer than one after a crash.
 *
 * Lock keys: (a fixed namespace, 31 bits of SHA-256 of the lease name), the two-integer form, so
 * they cannot collide with single-key advisory locks another program takes in the same database.
 */
export interface PostgresLeaseOptions {
  /** postgres:// connection string of the database the instances share. */
  url: string;
  /** How often a holder checks its connection, and how long the check may take. Default 2000 ms. */
  checkIntervalMs?: number;
  /** Default 5000 ms. */
  connectTimeoutMs?: number;
}

/** 'case' in ASCII: the first key of every lease lock this service takes. */
export const LEASE_LOCK_NAMESPACE = 0x63617365;

/** The second key of `name`'s advisory lock (non-negative, so it reads the same as an oid in `pg_locks.objid`). */
export function leaseLockKey(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) & 0x7fffffff;
}

export class PostgresLeaseProvider implements LeaseProvider {
  readonly kind = 'postgres' as const;

  constructor(private readonly options: PostgresLeaseOptions) {}

  lease(name: string): Lease {
    return new PostgresLease(name, this.options);
  }
}

class PostgresLease implements Lease {
  private client: Client | undefined;
  private holding = false;
  private closed = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(reason: string) => void>();
  /** acquire, release and the checks run one at a time on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly key: number;
  private readonly checkIntervalMs: number;

  constructor(
    readonly name: string,
    private readonly options: PostgresLeaseOptions,
  ) {
    this.key = leaseLockKey(name);
    this.checkIntervalMs = options.checkIntervalMs ?? 2000;
  }

  get held(): boolean {
    return this.holding;
  }

  acquire(): Promise<boolean> {
    return this.serially(async () => {
      if (this.closed) throw new Error(`Lease ${this.name} is closed`);
      if (this.holding) return true;
      const client = await this.connection();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
        LEASE_LOCK_NAMESPACE,
        this.key,
      ]);
      if (!rows[0].locked) return false;
      this.holding = true;
      this.scheduleCheck();
      return true;
    });
  }

  release(): Promise<void> {
    return this.serially(async () => {
      if (!this.holding) return;
      this.holding = false;
      clearTimeout(this.checkTimer);
      try {
        await this.client?.query('SELECT pg_advisory_unlock($1, $2)', [LEASE_LOCK_NAMESPACE, this.key]);
      } catch {
        // The connection is gone, and the lock with it.
        this.drop();
      }
    });
  }

  onLost(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.release();
    this.closed = true;
    await this.serially(async () => {
      const client = this.client;
      this.client = undefined;
      await client?.end().catch(() => undefined);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
      query_timeout: this.checkIntervalMs + 5000,
      keepAlive: true,
      application_name: `lease:${this.name}`.slice(0, 63),
    });
    // An idle connection that dies reports here; without a listener the error would be thrown.
    client.on('error', (error: Error) => this.connectionDied(client, error.message));
    client.on('end', () => this.connectionDied(client, 'the connection ended'));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => void this.check(), this.checkIntervalMs);
    this.checkTimer.unref();
  }

  private check(): Promise<void> {
    return this.serially(async () => {
      const client = this.client;
      if (!this.holding || client === undefined) return;
      try {
        await Promise.race([
          client.query('SELECT 1'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('the lease check timed out')), this.checkIntervalMs).unref()),
        ]);
        this.scheduleCheck();
      } catch (error) {
        this.connectionDied(client, error instanceof Error ? error.message : String(error));
      }
    });
  }

  private connectionDied(client: Client, reason: string): void {
    if (client !== this.client) return;
    this.drop();
    if (!this.holding) return;
    this.holding = false;
    clearTimeout(this.checkTimer);
    for (const listener of [...this.listeners]) listener(reason);
  }

  /** Forgets the connection (ending it, should it still be open): the next `acquire` connects again. */
  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => undefined);
  }
}

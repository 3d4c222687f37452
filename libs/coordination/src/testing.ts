import type { Client } from 'pg';
import { LEASE_LOCK_NAMESPACE, leaseLockKey } from './postgres-lease';

/**
 * For specs: ends the server session holding lease `name`'s advisory lock, as a killed process or
 * a cut network would, through `admin` (a connection to the same database). Fails unless exactly
 * one session holds it.
 */
export async function terminateLeaseHolder(admin: Client, name: string): Promise<void> {
  const { rows } = await admin.query<{ pid: number }>(
    // Advisory locks are per database, and pg_locks shows every database's: other suites may hold the same lease elsewhere.
    `SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LEASE_LOCK_NAMESPACE, leaseLockKey(name)],
  );
  if (rows.length !== 1) throw new Error(`Expected one holder of lease '${name}', found ${rows.length}`);
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
}

import type { ClientBase } from 'pg';

/** A transaction-level advisory lock in its two-integer form: a space of the caller's and a key in it. */
export type AdvisoryLockKey = readonly [space: number, key: number];

/**
 * Runs `statements` in one transaction that first takes the advisory lock `lock`. CREATE … IF NOT
 * EXISTS is not safe against itself on PostgreSQL: two sessions can both find a table missing, and
 * one then fails on the catalog's unique index. Instances start together, so every part that
 * creates its own tables does it under a lock of its own, through here.
 */
export async function createUnderAdvisoryLock(client: ClientBase, lock: AdvisoryLockKey, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [lock[0], lock[1]]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

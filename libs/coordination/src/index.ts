export type { Lease, LeaseProvider } from './lease';
export { LeaseKeeper, type LeaseKeeperLogger, type LeaseKeeperOptions, type StopWork } from './lease-keeper';
export { LocalLeaseProvider } from './local-lease';
export { LEASE_LOCK_NAMESPACE, PostgresLeaseProvider, leaseLockKey, type PostgresLeaseOptions } from './postgres-lease';
export { createUnderAdvisoryLock, type AdvisoryLockKey } from './schema-lock';

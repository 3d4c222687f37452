import type { Provider } from '@nestjs/common';
import { LocalLeaseProvider, PostgresLeaseProvider, type LeaseProvider } from '@cases/coordination';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The leases that keep single-instance jobs (the Kafka relay, the deadline scheduler) in one instance. */
export const LEASES = Symbol('LEASES');

/** How often an instance without a lease tries to take it: a dead holder is replaced within about this. */
export const LEASE_RETRY_INTERVAL_MS = 2000;

/**
 * PostgreSQL advisory locks when the instances share a PostgreSQL database (EVENT_STORE=postgres,
 * or kurrentdb with DATABASE_URL); otherwise the embedded store, which is one instance by design
 * (docs/decisions/0007), and whose leases are always granted (docs/decisions/0011).
 */
export function leaseProviderFor(config: AppConfig): LeaseProvider {
  if (config.eventStore !== 'sqlite' && config.databaseUrl !== undefined) return new PostgresLeaseProvider({ url: config.databaseUrl });
  return new LocalLeaseProvider();
}

export const leasesProvider: Provider = { provide: LEASES, useFactory: leaseProviderFor, inject: [APP_CONFIG] };

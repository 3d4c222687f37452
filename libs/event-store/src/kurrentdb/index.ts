import type { KurrentDbEventStore, KurrentDbEventStoreOptions } from './kurrentdb-event-store';

export type { KurrentDbEventStore, KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export { KURRENTDB_URL_SETTING, KurrentDbStartupError, redactConnectionString } from './kurrentdb-startup-error';

/**
 * Opens the KurrentDB event store (see `KurrentDbEventStore.open`). The client is loaded here, not
 * when this library is imported: it starts a native gRPC bridge, which a service running on
 * SQLite or PostgreSQL should not pay for.
 */
export async function openKurrentDbEventStore(url: string, options: KurrentDbEventStoreOptions = {}): Promise<KurrentDbEventStore> {
  const { KurrentDbEventStore } = await import('./kurrentdb-event-store');
  return KurrentDbEventStore.open(url, options);
}

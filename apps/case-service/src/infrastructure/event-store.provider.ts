import { isCaseNumberStream } from '@cases/domain';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import {
  EVENT_STORE,
  HashChainedEventStore,
  KurrentDbStartupError,
  PostgresEventStore,
  SqliteEventStore,
  openKurrentDbEventStore,
  type EventStore,
} from '@cases/event-store';
import { APP_CONFIG, ConfigError, redactUrl, type AppConfig } from '../config/app-config';

/** The file the embedded store keeps the log in. */
export function sqliteEventLogFile(dataDir: string): string {
  return join(dataDir, 'events.db');
}

/**
 * The adapter EVENT_STORE names, without the hash chain: what `move-store` copies between, since
 * the chain is part of the events' metadata and is copied as it is. Every failure to open is a
 * `ConfigError` naming the setting to fix, in one line and without the connection string's password.
 */
export async function openEventStoreAdapter(config: AppConfig): Promise<EventStore> {
  // DATA_DIR holds the read models and the service's other local files whichever store keeps the
  // log, so it is made here, by the first provider to start, and not left to the embedded store.
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError('DATA_DIR', `cannot create ${config.dataDir}: ${describeError(error)}`);
  }
  switch (config.eventStore) {
    case 'sqlite': {
      const file = sqliteEventLogFile(config.dataDir);
      try {
        return SqliteEventStore.open(file);
      } catch (error) {
        throw new ConfigError('DATA_DIR', `cannot open the event log ${file}: ${describeError(error)}`);
      }
    }
    case 'postgres': {
      const url = required(config.databaseUrl, 'DATABASE_URL', config.eventStore);
      try {
        return await PostgresEventStore.open(url);
      } catch (error) {
        throw new ConfigError('DATABASE_URL', `PostgreSQL at ${redactUrl(url)} cannot be used: ${describeError(error)}`);
      }
    }
    case 'kurrentdb': {
      const url = required(config.kurrentDbUrl, 'KURRENTDB_URL', config.eventStore);
      try {
        return await openKurrentDbEventStore(url);
      } catch (error) {
        // Its message already names KURRENTDB_URL and hides the password.
        if (error instanceof KurrentDbStartupError) throw new ConfigError('KURRENTDB_URL', oneLine(error.message));
        throw new ConfigError('KURRENTDB_URL', `KurrentDB at ${redactUrl(url)} cannot be used: ${describeError(error)}`);
      }
    }
  }
}

/** The service's event store: the configured adapter, every append linked into its stream's hash chain (docs/decisions/0009-hash-chained-streams.md). */
export async function openEventStore(config: AppConfig): Promise<HashChainedEventStore> {
  // Case-number sequences are left out of the chain: the intake that takes a number records it, chained, in its case.
  return new HashChainedEventStore(await openEventStoreAdapter(config), (streamId) => !isCaseNumberStream(streamId));
}

/**
 * Opens the configured store and closes it again, before Nest's container starts. A provider that
 * throws inside the container is printed by Nest with its stack trace and ends the process before
 * `main.ts` sees the error; checked here first, a wrong or unreachable setting stops the start
 * with one line naming it.
 */
export async function checkEventStoreSettings(config: AppConfig): Promise<void> {
  const store = await openEventStoreAdapter(config);
  await store.close();
}

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG],
  useFactory: openEventStore,
};

function required(value: string | undefined, variable: string, eventStore: string): string {
  // loadConfig already refuses this; a config built by hand in a test may not have gone through it.
  if (value === undefined) throw new ConfigError(variable, `required with EVENT_STORE=${eventStore}`);
  return value;
}

/**
 * A driver error in one line. Node reports a host with several addresses as an AggregateError with
 * an empty message. Errors are recognised by shape: one raised inside Node's own modules is not
 * an `instanceof Error` of another realm (a test sandbox).
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return oneLine(String(error));
  const { message, name, errors } = error as { message?: unknown; name?: unknown; errors?: unknown };
  if (typeof message === 'string' && message.trim() !== '') return oneLine(message);
  if (Array.isArray(errors) && errors.length > 0) return oneLine(errors.map((inner) => describeError(inner)).join('; '));
  return oneLine(typeof name === 'string' ? name : String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

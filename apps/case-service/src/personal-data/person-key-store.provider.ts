import { join } from 'node:path';
import { PostgresPersonKeyStore, SqlitePersonKeyStore, type PersonKeyStore } from '@cases/personal-data';
import { ConfigError, type AppConfig } from '../config/app-config';

/** The embedded default's key file, beside events.db in DATA_DIR (docs/decisions/0008 says why apart). */
export const PERSON_KEYS_FILE = 'person-keys.db';

/**
 * SQLite deployments keep keys in DATA_DIR/person-keys.db; PostgreSQL ones in the same database as
 * the events (schema personal_data); KurrentDB ones in PostgreSQL at DATABASE_URL, since an event
 * written to KurrentDB cannot be erased byte by byte and a key must be.
 */
export async function openPersonKeyStore(config: Pick<AppConfig, 'eventStore' | 'dataDir' | 'databaseUrl'>): Promise<PersonKeyStore> {
  if (config.eventStore === 'sqlite') return SqlitePersonKeyStore.open(join(config.dataDir, PERSON_KEYS_FILE));
  if (config.databaseUrl === undefined) {
    throw new ConfigError('DATABASE_URL', `required with EVENT_STORE=${config.eventStore}: people's data keys are kept in PostgreSQL`);
  }
  return PostgresPersonKeyStore.open(config.databaseUrl);
}

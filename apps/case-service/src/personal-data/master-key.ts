import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '@cases/personal-data';
import { ConfigError, type AppConfig } from '../config/app-config';

/** Where the embedded default keeps its generated master key. */
export const MASTER_KEY_FILE = 'master.key';

/**
 * The master key that wraps every person's data key: CASES_MASTER_KEY, or, for the embedded SQLite
 * default only, DATA_DIR/master.key, generated on first start and readable by the service's user
 * only. Deployments on PostgreSQL or KurrentDB must supply CASES_MASTER_KEY: several instances
 * each generating their own would wrap keys no other instance can open.
 */
export function loadMasterKey(config: Pick<AppConfig, 'masterKey' | 'eventStore' | 'dataDir'>): MasterKey {
  if (config.masterKey !== undefined) return config.masterKey;
  if (config.eventStore !== 'sqlite') {
    throw new ConfigError('CASES_MASTER_KEY', `required with EVENT_STORE=${config.eventStore}: supply it from the secret store`);
  }
  const file = join(config.dataDir, MASTER_KEY_FILE);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError('CASES_MASTER_KEY', `${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  }
  try {
    return MasterKey.fromBase64(readFileSync(file, 'utf8'), file);
  } catch {
    throw new ConfigError('CASES_MASTER_KEY', `${file} does not hold the base64 of 32 bytes`);
  }
}

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterKey } from '@cases/personal-data';
import { ConfigError, loadConfig } from '../config/app-config';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key';

describe('the master key', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'master-key-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is generated once into DATA_DIR/master.key, mode 0600, and read back the same on the next start', () => {
    const first = loadMasterKey({ eventStore: 'sqlite', dataDir });
    const file = join(dataDir, MASTER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadMasterKey({ eventStore: 'sqlite', dataDir }).id).toBe(first.id);
  });

  it('comes from CASES_MASTER_KEY when set, and then no file is written', () => {
    const bytes = randomBytes(32);
    const config = loadConfig({ DATA_DIR: dataDir, CASES_MASTER_KEY: bytes.toString('base64') });
    expect(loadMasterKey(config).id).toBe(new MasterKey(bytes).id);
    expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });

  it('refuses a malformed CASES_MASTER_KEY at start, without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => loadConfig({ DATA_DIR: dataDir, CASES_MASTER_KEY: short })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir, CASES_MASTER_KEY: short })).toThrow(
      /CASES_MASTER_KEY: expected the base64 of 32 random bytes/,
    );
    try {
      loadConfig({ DATA_DIR: dataDir, CASES_MASTER_KEY: short });
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('refuses a key file others can read, and one that holds no key', () => {
    loadMasterKey({ eventStore: 'sqlite', dataDir });
    const file = join(dataDir, MASTER_KEY_FILE);
    chmodSync(file, 0o644);
    expect(() => loadMasterKey({ eventStore: 'sqlite', dataDir })).toThrow(/readable by others \(mode 644\): chmod 600/);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadMasterKey({ eventStore: 'sqlite', dataDir })).toThrow(/does not hold the base64 of 32 bytes/);
  });

  it('must be supplied on PostgreSQL and KurrentDB, where instances share keys', () => {
    for (const eventStore of ['postgres', 'kurrentdb'] as const) {
      expect(() => loadMasterKey({ eventStore, dataDir })).toThrow(
        `Configuration CASES_MASTER_KEY: required with EVENT_STORE=${eventStore}`,
      );
    }
    expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { MasterKey } from '@cases/personal-data';
import { registerPersonalDataCommands, runRotateMasterCommand } from '../apps/case-service/src/cli/personal-data-commands';
import { loadConfig } from '../apps/case-service/src/config/app-config';
import { openPersonKeyStore } from '../apps/case-service/src/personal-data/person-key-store.provider';
import { petitionBody } from './support/bodies';
import { ADMIN, DESK, TestApp, expectStatus } from './support/test-app';
import { createTestStores, testStoreKind, type TestStores } from './support/test-stores';

/*
 * `person-keys rotate-master` (docs/security.md, "Rotating the master key"): every person's data
 * key is rewrapped under a new master key, read from the environment or standard input; the
 * service then starts on the new key and reveals the same people, the destroyed ones stay destroyed.
 */

const PETITIONER = { name: '欧阳明远', phone: '13698765432' };
const REVEAL = `reveal=personal&reason=${encodeURIComponent('回访核实')}`;

describe('rotating the master key', () => {
  const folders: string[] = [];
  const allStores: TestStores[] = [];
  afterAll(async () => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    for (const stores of allStores) await stores.drop();
  });

  /** A service's stores (and folder) holding one readable and one destroyed petitioner, the service stopped. */
  async function stoppedServiceWithPeople() {
    const stores = await createTestStores();
    allStores.push(stores);
    const embedded = await TestApp.start({ stores });
    folders.push(embedded.dataDir);
    const kept = (await embedded.intake('petition', petitionBody({ petitioner: PETITIONER }))).body.id;
    const shredded = (await embedded.intake('petition', petitionBody())).body.id;
    const person = (await embedded.view(shredded)).personal.petitioner.personId;
    expectStatus(await embedded.post(`/api/personal-data/${person}/destroy`, { reason: '当事人申请删除个人信息' }, { as: ADMIN }), 200);
    await embedded.app.close();
    const dataDir = embedded.dataDir;
    /** The service's configuration, as the command line reads it from the environment. */
    const config = (env: Record<string, string> = {}) => loadConfig({ ...stores.env, DATA_DIR: dataDir, ...env });
    return { stores, dataDir, config, kept, shredded };
  }

  type Config = ReturnType<typeof loadConfig>;

  async function masterKeyIds(config: Config): Promise<(string | null)[]> {
    const keys = await openPersonKeyStore(config);
    try {
      return (await keys.list()).map((row) => row.masterKeyId);
    } finally {
      await keys.close();
    }
  }

  async function liveWrappedKey(config: Config): Promise<Buffer> {
    const keys = await openPersonKeyStore(config);
    try {
      const [live] = (await keys.list()).filter((row) => row.destroyedAt === null);
      const key = await keys.get(live.personId);
      if (key?.status !== 'live') throw new Error('expected a live key');
      return key.wrappedKey;
    } finally {
      await keys.close();
    }
  }

  // The key file is the embedded default's (SQLite) alone, and so is the WAL the old wrappings
  // must not stay in; a service on PostgreSQL is given CASES_MASTER_KEY, the next test's case.
  if (testStoreKind() === 'sqlite') {
    it('rewraps every key, replaces DATA_DIR/master.key, and the service reveals the same people on the new key', async () => {
      const { stores, dataDir, config, kept, shredded } = await stoppedServiceWithPeople();
      const newKey = randomBytes(32).toString('base64');
      const newId = new MasterKey(Buffer.from(newKey, 'base64')).id;
      const oldWrapping = await liveWrappedKey(config());
      jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(await runRotateMasterCommand(config(), newKey)).toBe(0);
        // Run again (as after an interruption): the new key is in use, nothing is left to do.
        expect(await runRotateMasterCommand(config(), newKey)).toBe(0);
      } finally {
        jest.restoreAllMocks();
      }
      expect(readFileSync(join(dataDir, 'master.key'), 'utf8').trim()).toBe(newKey);
      expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(await masterKeyIds(config())).toEqual([newId, null]);
      // The old wrapping is gone from the key file and its WAL: a copy of them is useless once the old master key is destroyed.
      for (const file of ['person-keys.db', 'person-keys.db-wal']) {
        const bytes = existsSync(join(dataDir, file)) ? readFileSync(join(dataDir, file)) : Buffer.alloc(0);
        expect({ file, holdsOldWrapping: bytes.includes(oldWrapping.subarray(17)) }).toEqual({ file, holdsOldWrapping: false });
      }
      expect((await liveWrappedKey(config())).equals(oldWrapping)).toBe(false);

      const restarted = await TestApp.start({ stores, env: { DATA_DIR: dataDir } });
      try {
        const revealed = await restarted.get(`/api/cases/${kept}?${REVEAL}`, DESK);
        expectStatus(revealed, 200);
        expect(revealed.body.personal.petitioner).toMatchObject(PETITIONER);
        expect((await restarted.view(shredded)).personal.petitioner).toMatchObject({ destroyed: true });
      } finally {
        await restarted.stop();
      }
    });
  }

  it('reads the new key from CASES_NEW_MASTER_KEY through the CLI; with CASES_MASTER_KEY the operator then moves the secret', async () => {
    const { stores, dataDir, config, kept } = await stoppedServiceWithPeople();
    // The embedded default generated its key into DATA_DIR; a service on PostgreSQL was given one.
    const keyFile = join(dataDir, 'master.key');
    const keyFileBefore = existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : null;
    const oldKey = stores.env.CASES_MASTER_KEY ?? readFileSync(keyFile, 'utf8').trim();
    const oldWrapping = await liveWrappedKey(config());
    const newKey = randomBytes(32).toString('base64');
    const printed: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    const saved = { ...process.env };
    Object.assign(process.env, { ...stores.env, DATA_DIR: dataDir, CASES_MASTER_KEY: oldKey, CASES_NEW_MASTER_KEY: newKey });
    try {
      const program = new Command().exitOverride();
      registerPersonalDataCommands(program);
      await program.parseAsync(['node', 'cli', 'person-keys', 'rotate-master']);
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      process.env = saved;
      process.exitCode = undefined;
      jest.restoreAllMocks();
    }
    expect(printed.join('\n')).toContain('Rewrapped 1; already under the new key 0; destroyed 1; under another master key 0.');
    expect(printed.join('\n')).toContain('Start the service with CASES_MASTER_KEY set to the new key');
    expect(printed.join('\n')).not.toContain(newKey);
    // A key file was not the key in use: it stays as it was; the service starts with the new CASES_MASTER_KEY.
    expect(existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : null).toBe(keyFileBefore);
    const keyIds = await masterKeyIds(config({ CASES_MASTER_KEY: newKey }));
    expect(keyIds.toSorted()).toEqual([new MasterKey(Buffer.from(newKey, 'base64')).id, null].toSorted());
    expect((await liveWrappedKey(config({ CASES_MASTER_KEY: newKey }))).equals(oldWrapping)).toBe(false);
    const restarted = await TestApp.start({ stores, env: { DATA_DIR: dataDir, CASES_MASTER_KEY: newKey } });
    try {
      expect((await restarted.get(`/api/cases/${kept}?${REVEAL}`, DESK)).body.personal.petitioner).toMatchObject(PETITIONER);
    } finally {
      await restarted.stop();
    }
  });

  it('refuses a new key that is not the base64 of 32 bytes, changing nothing', async () => {
    const { config } = await stoppedServiceWithPeople();
    const before = await masterKeyIds(config());
    await expect(runRotateMasterCommand(config(), 'c2hvcnQ=')).rejects.toThrow(/base64 of 32/);
    expect(await masterKeyIds(config())).toEqual(before);
  });
});

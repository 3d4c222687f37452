import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePersonKeyStoreContract } from '../contract/person-key-store.contract';
import { SqlitePersonKeyStore } from './sqlite-person-key-store';

describePersonKeyStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'person-keys-'));
  const store = SqlitePersonKeyStore.open(join(dir, 'person-keys.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqlitePersonKeyStore on disk', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'person-keys-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Every file SQLite keeps for the database: the file itself, its WAL and shared-memory index. */
  function fileBytes(file: string): Buffer {
    return Buffer.concat([file, `${file}-wal`, `${file}-shm`, `${file}-journal`].filter(existsSync).map((path) => readFileSync(path)));
  }

  it('leaves no byte of a destroyed key in the database file or its WAL, and keeps the others', async () => {
    const file = join(dir, 'person-keys.db');
    const store = SqlitePersonKeyStore.open(file);
    const caseId = randomUUID();
    const doomed = { personId: randomUUID(), caseId, masterKeyId: 'a1b2c3d4e5f60718', wrappedKey: randomBytes(61) };
    const kept = { personId: randomUUID(), caseId, masterKeyId: 'a1b2c3d4e5f60718', wrappedKey: randomBytes(61) };
    await store.put([doomed]);
    await store.put([kept]);
    expect(fileBytes(file).includes(doomed.wrappedKey)).toBe(true);

    expect(await store.destroy(doomed.personId, new Date())).toBe('destroyed');
    const after = fileBytes(file);
    // Any 16 consecutive bytes of the 61 would be a remnant: every such window is looked for.
    for (let start = 0; start + 16 <= doomed.wrappedKey.length; start++) {
      expect(after.includes(doomed.wrappedKey.subarray(start, start + 16))).toBe(false);
    }
    expect(after.includes(kept.wrappedKey)).toBe(true);
    await store.close();

    const reopened = SqlitePersonKeyStore.open(file);
    expect(await reopened.get(doomed.personId)).toMatchObject({ status: 'destroyed' });
    expect(await reopened.get(kept.personId)).toMatchObject({ status: 'live', wrappedKey: kept.wrappedKey });
    await reopened.close();
  });
});

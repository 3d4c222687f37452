import { randomBytes, randomUUID } from 'node:crypto';
import { PersonKeyExistsError, type NewPersonKey, type PersonKeyStore } from '../person-key-store.port';

export interface KeyStoreUnderTest {
  store: PersonKeyStore;
  cleanup: () => Promise<void>;
}

function newKey(caseId: string = randomUUID()): NewPersonKey {
  return { personId: randomUUID(), caseId, masterKeyId: randomBytes(8).toString('hex'), wrappedKey: randomBytes(61) };
}

/**
 * What every PersonKeyStore adapter must do, run against each (SQLite, PostgreSQL). Tests use
 * fresh ids and assert only on their own rows, so adapters may share one database.
 */
export function describePersonKeyStoreContract(name: string, open: () => Promise<KeyStoreUnderTest>): void {
  describe(`PersonKeyStore contract: ${name}`, () => {
    let subject: KeyStoreUnderTest;
    let store: PersonKeyStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });

    afterEach(() => subject.cleanup());

    it('gives back the wrapped key it was given, byte for byte, with its case and master key id', async () => {
      const key = newKey();
      await store.put([key]);
      const found = await store.get(key.personId);
      expect(found).toEqual({
        status: 'live',
        personId: key.personId,
        caseId: key.caseId,
        masterKeyId: key.masterKeyId,
        wrappedKey: key.wrappedKey,
        createdAt: expect.any(Date),
      });
      expect(Buffer.isBuffer(found?.status === 'live' && found.wrappedKey)).toBe(true);
    });

    it('knows nothing of a person never stored, nor of a malformed id', async () => {
      expect(await store.get(randomUUID())).toBeNull();
      expect(await store.get('not-a-person-id')).toBeNull();
      expect(await store.destroy(randomUUID(), new Date())).toBe('unknown');
    });

    it('refuses a second key for the same person', async () => {
      const key = newKey();
      await store.put([key]);
      await expect(store.put([{ ...newKey(), personId: key.personId }])).rejects.toThrow(PersonKeyExistsError);
      expect(await store.get(key.personId)).toMatchObject({ wrappedKey: key.wrappedKey });
    });

    it('stores a batch whole or not at all', async () => {
      const caseId = randomUUID();
      const [a, b] = [newKey(caseId), newKey(caseId)];
      await store.put([a, b]);
      expect(await store.get(a.personId)).toMatchObject({ status: 'live', wrappedKey: a.wrappedKey });
      expect(await store.get(b.personId)).toMatchObject({ status: 'live', wrappedKey: b.wrappedKey });
      const fresh = newKey(caseId);
      const error = await store.put([fresh, { ...newKey(caseId), personId: a.personId }]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PersonKeyExistsError);
      expect((error as Error).message).toContain(a.personId);
      expect(await store.get(fresh.personId)).toBeNull();
      await store.put([]);
    });

    it('destroys a key for good, keeping a tombstone, once', async () => {
      const key = newKey();
      const other = newKey(key.caseId);
      await store.put([key]);
      await store.put([other]);
      const at = new Date('2026-03-05T02:00:00.000Z');
      expect(await store.destroy(key.personId, at)).toBe('destroyed');
      expect(await store.get(key.personId)).toEqual({
        status: 'destroyed',
        personId: key.personId,
        caseId: key.caseId,
        createdAt: expect.any(Date),
        destroyedAt: at,
      });
      expect(await store.destroy(key.personId, new Date())).toBe('already_destroyed');
      await expect(store.put([key])).rejects.toThrow(PersonKeyExistsError);
      expect(await store.get(other.personId)).toMatchObject({ status: 'live', wrappedKey: other.wrappedKey });
    });

    it('answers concurrent destructions of one key with exactly one "destroyed"', async () => {
      const key = newKey();
      await store.put([key]);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.destroy(key.personId, new Date())));
      expect(outcomes.filter((outcome) => outcome === 'destroyed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'already_destroyed')).toHaveLength(4);
    });

    it('lists a case’s people for audit, oldest first, without their keys', async () => {
      const caseId = randomUUID();
      const first = newKey(caseId);
      await store.put([first]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = newKey(caseId);
      await store.put([second]);
      await store.put([newKey()]);
      const at = new Date('2026-03-05T02:00:00.000Z');
      await store.destroy(first.personId, at);
      const listed = await store.list({ caseId });
      expect(listed).toEqual([
        { personId: first.personId, caseId, masterKeyId: null, createdAt: expect.any(Date), destroyedAt: at },
        { personId: second.personId, caseId, masterKeyId: second.masterKeyId, createdAt: expect.any(Date), destroyedAt: null },
      ]);
      expect(JSON.stringify(listed)).not.toContain('wrappedKey');
      const all = await store.list();
      expect(all.map((row) => row.personId)).toEqual(expect.arrayContaining([first.personId, second.personId]));
    });

    it('copies rows in as they are, once, and lets a tombstone erase a live copy', async () => {
      const live = newKey();
      const destroyed = newKey(live.caseId);
      const createdAt = new Date('2026-01-05T02:00:00.000Z');
      const destroyedAt = new Date('2026-02-05T02:00:00.000Z');
      const rows = [
        { status: 'live' as const, ...live, createdAt },
        { status: 'destroyed' as const, personId: destroyed.personId, caseId: destroyed.caseId, createdAt, destroyedAt },
      ];
      expect(await store.copyIn(rows)).toBe(2);
      expect(await store.get(live.personId)).toEqual(rows[0]);
      expect(await store.get(destroyed.personId)).toEqual(rows[1]);
      // Again: nothing new. A tombstone never comes back to life.
      expect(await store.copyIn(rows)).toBe(0);
      expect(await store.copyIn([{ status: 'live', ...destroyed, createdAt }])).toBe(0);
      expect(await store.get(destroyed.personId)).toMatchObject({ status: 'destroyed' });
      // Destroyed at the source after an earlier copy: the copy is erased too.
      expect(await store.copyIn([{ status: 'destroyed', personId: live.personId, caseId: live.caseId, createdAt, destroyedAt }])).toBe(1);
      expect(await store.get(live.personId)).toEqual({
        status: 'destroyed',
        personId: live.personId,
        caseId: live.caseId,
        createdAt,
        destroyedAt,
      });
      expect(await store.copyIn([])).toBe(0);
    });

    it('rewraps a live key only while the master key it names still wraps it', async () => {
      const key = newKey();
      await store.put([key]);
      const to = { masterKeyId: randomBytes(8).toString('hex'), wrappedKey: randomBytes(61) };
      expect(await store.rewrap(key.personId, 'not-its-master-key', to)).toBe(false);
      expect(await store.get(key.personId)).toMatchObject({ masterKeyId: key.masterKeyId, wrappedKey: key.wrappedKey });
      expect(await store.rewrap(key.personId, key.masterKeyId, to)).toBe(true);
      expect(await store.get(key.personId)).toMatchObject({ status: 'live', ...to });
      expect(await store.rewrap(key.personId, key.masterKeyId, { ...to, wrappedKey: randomBytes(61) })).toBe(false);
      expect(await store.get(key.personId)).toMatchObject(to);
      await store.destroy(key.personId, new Date());
      expect(await store.rewrap(key.personId, to.masterKeyId, to)).toBe(false);
      expect(await store.get(key.personId)).toMatchObject({ status: 'destroyed' });
      expect(await store.rewrap(randomUUID(), to.masterKeyId, to)).toBe(false);
    });
  });
}

import {
  PersonKeyExistsError,
  type DestroyOutcome,
  type NewPersonKey,
  type PersonKey,
  type PersonKeyListing,
  type PersonKeyStore,
} from '../person-key-store.port';

/** A key store in a Map, for unit tests of what sits on top of the port. */
export class InMemoryPersonKeyStore implements PersonKeyStore {
  readonly rows = new Map<string, PersonKey>();

  async put(keys: readonly NewPersonKey[]): Promise<void> {
    const taken = keys.find(
      (key, index) => this.rows.has(key.personId) || keys.findIndex((other) => other.personId === key.personId) < index,
    );
    if (taken !== undefined) throw new PersonKeyExistsError(taken.personId);
    for (const key of keys) {
      this.rows.set(key.personId, { status: 'live', ...key, wrappedKey: Buffer.from(key.wrappedKey), createdAt: new Date() });
    }
  }

  async get(personId: string): Promise<PersonKey | null> {
    return this.rows.get(personId) ?? null;
  }

  async destroy(personId: string, at: Date): Promise<DestroyOutcome> {
    const row = this.rows.get(personId);
    if (row === undefined) return 'unknown';
    if (row.status === 'destroyed') return 'already_destroyed';
    this.rows.set(personId, { status: 'destroyed', personId, caseId: row.caseId, createdAt: row.createdAt, destroyedAt: at });
    return 'destroyed';
  }

  async list(filter: { caseId?: string } = {}): Promise<PersonKeyListing[]> {
    return [...this.rows.values()]
      .filter((row) => filter.caseId === undefined || row.caseId === filter.caseId)
      .map((row) => ({
        personId: row.personId,
        caseId: row.caseId,
        masterKeyId: row.status === 'live' ? row.masterKeyId : null,
        createdAt: row.createdAt,
        destroyedAt: row.status === 'destroyed' ? row.destroyedAt : null,
      }));
  }

  async copyIn(keys: readonly PersonKey[]): Promise<number> {
    let written = 0;
    for (const key of keys) {
      const here = this.rows.get(key.personId);
      if (here !== undefined && !(here.status === 'live' && key.status === 'destroyed')) continue;
      this.rows.set(key.personId, key.status === 'live' ? { ...key, wrappedKey: Buffer.from(key.wrappedKey) } : { ...key });
      written += 1;
    }
    return written;
  }

  async rewrap(personId: string, fromMasterKeyId: string, to: { masterKeyId: string; wrappedKey: Buffer }): Promise<boolean> {
    const row = this.rows.get(personId);
    if (row?.status !== 'live' || row.masterKeyId !== fromMasterKeyId) return false;
    this.rows.set(personId, { ...row, masterKeyId: to.masterKeyId, wrappedKey: Buffer.from(to.wrappedKey) });
    return true;
  }

  async close(): Promise<void> {}
}

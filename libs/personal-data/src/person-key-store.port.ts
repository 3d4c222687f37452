/**
 * Where the people's data keys live, wrapped by the master key: one row per person, apart from the
 * event log so that destroying a row (crypto-shredding) is the one write that erases a person,
 * while the events holding their sealed fields stay as they were.
 *
 * A destroyed key leaves a tombstone (when, no key), so "destroyed" and "never known here" stay
 * distinguishable: a sealed event whose key the store has never heard of means the wrong key store
 * (or a lost one), which must not pass for an erased person.
 */
export interface NewPersonKey {
  personId: string;
  /** The case the person was registered with: not personal, and where the destruction is recorded. */
  caseId: string;
  /** The id of the master key that wrapped it (`MasterKey.id`). */
  masterKeyId: string;
  wrappedKey: Buffer;
}

export type PersonKey =
  | { status: 'live'; personId: string; caseId: string; masterKeyId: string; wrappedKey: Buffer; createdAt: Date }
  | { status: 'destroyed'; personId: string; caseId: string; createdAt: Date; destroyedAt: Date };

/** A row as the audit listing shows it: never the key itself. */
export interface PersonKeyListing {
  personId: string;
  caseId: string;
  masterKeyId: string | null;
  createdAt: Date;
  destroyedAt: Date | null;
}

export type DestroyOutcome = 'destroyed' | 'already_destroyed' | 'unknown';

export class PersonKeyExistsError extends Error {
  constructor(personId: string) {
    super(`A key for person ${personId} is already stored`);
    this.name = 'PersonKeyExistsError';
  }
}

export interface PersonKeyStore {
  /**
   * Stores new people's wrapped keys, all of them or none, durably before it resolves; refuses a
   * person id already known (live or destroyed).
   */
  put(keys: readonly NewPersonKey[]): Promise<void>;
  /** The person's key or tombstone; null when the store has never known the person. */
  get(personId: string): Promise<PersonKey | null>;
  /** Erases the wrapped key for good, keeping a tombstone. */
  destroy(personId: string, at: Date): Promise<DestroyOutcome>;
  /** Every person known, oldest first, optionally of one case: for audits. */
  list(filter?: { caseId?: string }): Promise<PersonKeyListing[]>;
  /**
   * Takes rows of another key store as they are (wrapped key, master key id, created, tombstone):
   * `move-store` copies the keys with the log. A person already here stays as it is, except that a
   * tombstone replaces a live key, so a destruction made at the source after an earlier copy still
   * erases the copy. All of them or none; answers how many rows it wrote.
   */
  copyIn(keys: readonly PersonKey[]): Promise<number>;
  /**
   * Master-key rotation: replaces a live key's wrapping, only while it is still wrapped by
   * `fromMasterKeyId` (compare-and-set, one row at a time). False when it is not: destroyed
   * meanwhile, or already rewrapped.
   */
  rewrap(personId: string, fromMasterKeyId: string, to: { masterKeyId: string; wrappedKey: Buffer }): Promise<boolean>;
  close(): Promise<void>;
}

export const PERSON_KEY_STORE = Symbol('PERSON_KEY_STORE');

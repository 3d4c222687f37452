import { randomUUID } from 'node:crypto';
import type { NewPersonKey, PersonKeyStore } from './person-key-store.port';
import { isSealedPerson, MasterKey, newDataKey, openPerson, sealPerson, type PersonFields, type SealedPerson } from './sealing';

/**
 * An event's personal part, opened: under each key (`petitioner`, `caller`, `parties`) one person
 * or a list of them, each readable, destroyed, or (written before sealing existed) plain.
 */
export type OpenedPerson =
  | { state: 'readable'; personId: string; fields: PersonFields }
  | { state: 'destroyed'; personId: string; destroyedAt: Date }
  /** Stored in clear by a release before sealing: readable, but it has no key to destroy. */
  | { state: 'unsealed'; personId: null; fields: PersonFields };
export type OpenedPersonal = Record<string, OpenedPerson | OpenedPerson[]>;

export class PersonKeyMissingError extends Error {
  constructor(personId: string) {
    super(
      `The key store has no key, live or destroyed, for person ${personId}: it is not the key store this event log was written with, or it was lost`,
    );
    this.name = 'PersonKeyMissingError';
  }
}

export class MasterKeyMismatchError extends Error {
  constructor(personId: string, expected: string, actual: string) {
    super(`The key of person ${personId} was wrapped by master key ${expected}, but this service runs with master key ${actual}`);
    this.name = 'MasterKeyMismatchError';
  }
}

/**
 * Seals and opens the personal part of case events (SPEC §7). The personal part keeps its shape
 * (role → person, or role → list of people), so whoever reads only its shape, such as the Kafka
 * relay's pseudonyms, reads sealed and plain alike; each person becomes a SealedPerson under a
 * fresh random person id and a fresh data key, stored wrapped before the envelope leaves here.
 */
export class PersonalDataVault {
  constructor(
    private readonly master: MasterKey,
    private readonly keys: PersonKeyStore,
    private readonly newPersonId: () => string = randomUUID,
  ) {}

  /**
   * The personal part with every person sealed, their keys stored. A person already sealed stays
   * as it is. Keys are stored first: an event is never appended with a key that is not on disk (a
   * failed append leaves a key that no event uses, which decrypts nothing).
   */
  async seal(caseId: string, personal: unknown): Promise<Record<string, SealedPerson | SealedPerson[]>> {
    const keys: NewPersonKey[] = [];
    const sealed: Record<string, SealedPerson | SealedPerson[]> = {};
    for (const [role, people] of Object.entries(personRoles(personal))) {
      if (people === undefined || people === null) continue;
      sealed[role] = Array.isArray(people)
        ? people.map((person) => this.sealOne(caseId, role, person, keys))
        : this.sealOne(caseId, role, people, keys);
    }
    if (keys.length > 0) await this.keys.put(keys);
    return sealed;
  }

  /** The personal part opened, person by person; a destroyed key gives a destroyed person, never an error. */
  async open(personal: unknown): Promise<OpenedPersonal> {
    const opened: OpenedPersonal = {};
    for (const [role, people] of Object.entries(personRoles(personal))) {
      if (people === undefined || people === null) continue;
      opened[role] = Array.isArray(people)
        ? await Promise.all(people.map((person) => this.openOne(role, person)))
        : await this.openOne(role, people);
    }
    return opened;
  }

  /** Seals one person under a new id and key, adding the wrapped key to `keys` for storing. */
  private sealOne(caseId: string, role: string, person: unknown, keys: NewPersonKey[]): SealedPerson {
    if (isSealedPerson(person)) return person;
    const fields = personFields(role, person);
    const personId = this.newPersonId();
    const dataKey = newDataKey();
    keys.push({ personId, caseId, masterKeyId: this.master.id, wrappedKey: this.master.wrap(personId, dataKey) });
    return sealPerson(dataKey, personId, fields);
  }

  private async openOne(role: string, person: unknown): Promise<OpenedPerson> {
    if (!isSealedPerson(person)) return { state: 'unsealed', personId: null, fields: personFields(role, person) };
    const key = await this.keys.get(person.personId);
    if (key === null) throw new PersonKeyMissingError(person.personId);
    if (key.status === 'destroyed') return { state: 'destroyed', personId: person.personId, destroyedAt: key.destroyedAt };
    if (key.masterKeyId !== this.master.id) throw new MasterKeyMismatchError(person.personId, key.masterKeyId, this.master.id);
    const fields = openPerson(this.master.unwrap(person.personId, key.wrappedKey), person);
    return { state: 'readable', personId: person.personId, fields };
  }
}

function personRoles(personal: unknown): Record<string, unknown> {
  if (personal === null || personal === undefined) return {};
  if (typeof personal !== 'object' || Array.isArray(personal)) {
    throw new Error('A personal part must be an object of roles (petitioner, caller, parties)');
  }
  return personal as Record<string, unknown>;
}

/** A person's defined string fields; anything else in a personal part is a programming error. */
function personFields(role: string, person: unknown): PersonFields {
  if (person === null || typeof person !== 'object' || Array.isArray(person)) {
    throw new Error(`The ${role} of a personal part must be an object of fields`);
  }
  const fields: PersonFields = {};
  for (const [name, value] of Object.entries(person)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new Error(`The ${role}'s field ${name} must be a string`);
    fields[name] = value;
  }
  return fields;
}

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/*
 * The cryptography of SPEC §7, all of it Node's own (AES-256-GCM, HMAC-SHA-256):
 * - each person's fields are sealed with that person's data key (32 random bytes);
 * - each data key is wrapped (sealed) with the master key before it is stored;
 * - destroying the wrapped data key makes the person's fields unreadable wherever they were copied.
 * GCM authenticates as well as encrypts, so a changed byte in an envelope or a wrapped key is
 * refused rather than decrypted into something else. The person id is authenticated data of both,
 * so neither can be passed off as another person's.
 */

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed plaintext is padded to a multiple of this, so an envelope's size says little about a name's length. */
const PADDING_BLOCK = 64;

export const SEALED_PERSON_VERSION = 1;
export const SEALED_PERSON_ALGORITHM = 'A256GCM';
const WRAPPED_KEY_VERSION = 1;

/**
 * One person's fields as events store them: the only form personal data takes in the event log.
 * Everything but the ciphertext is public by design: the person id is a random UUID given at
 * intake, never derived from the person.
 */
export interface SealedPerson {
  v: typeof SEALED_PERSON_VERSION;
  alg: typeof SEALED_PERSON_ALGORITHM;
  personId: string;
  /** base64 of the 12-byte GCM nonce. */
  iv: string;
  /** base64 of the 16-byte GCM authentication tag. */
  tag: string;
  /** base64 of the encrypted JSON object of the person's fields (padded). */
  ct: string;
}

/** A person's fields in clear: name, phone, idNumber, address, a dispute party's role. */
export type PersonFields = Record<string, string>;

export class SealBrokenError extends Error {
  constructor(what: string, personId: string) {
    super(`${what} of person ${personId} fails authentication: it was altered, or sealed under another key`);
    this.name = 'SealBrokenError';
  }
}

export function isSealedPerson(value: unknown): value is SealedPerson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.v === SEALED_PERSON_VERSION &&
    candidate.alg === SEALED_PERSON_ALGORITHM &&
    typeof candidate.personId === 'string' &&
    typeof candidate.iv === 'string' &&
    typeof candidate.tag === 'string' &&
    typeof candidate.ct === 'string'
  );
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function personAad(personId: string): Buffer {
  return Buffer.from(`cases.person.v${SEALED_PERSON_VERSION}:${personId}`, 'utf8');
}

function wrappedKeyAad(personId: string): Buffer {
  return Buffer.from(`cases.person-key.v${WRAPPED_KEY_VERSION}:${personId}`, 'utf8');
}

function requireKey(key: Buffer, what: string): void {
  if (key.length !== KEY_BYTES) throw new Error(`${what} must be ${KEY_BYTES} bytes, got ${key.length}`);
}

export function sealPerson(dataKey: Buffer, personId: string, fields: PersonFields): SealedPerson {
  requireKey(dataKey, 'A data key');
  const json = Buffer.from(JSON.stringify(fields), 'utf8');
  // JSON.parse ignores trailing spaces, so padding needs no length prefix.
  const padded = Buffer.concat([json, Buffer.alloc((PADDING_BLOCK - (json.length % PADDING_BLOCK)) % PADDING_BLOCK, 0x20)]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(personAad(personId));
  const ct = Buffer.concat([cipher.update(padded), cipher.final()]);
  return {
    v: SEALED_PERSON_VERSION,
    alg: SEALED_PERSON_ALGORITHM,
    personId,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

export function openPerson(dataKey: Buffer, sealed: SealedPerson): PersonFields {
  requireKey(dataKey, 'A data key');
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealBrokenError('The sealed fields', sealed.personId);
  const decipher = createDecipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(personAad(sealed.personId));
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch {
    throw new SealBrokenError('The sealed fields', sealed.personId);
  }
  const fields: unknown = JSON.parse(plain.toString('utf8'));
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new Error(`The sealed fields of person ${sealed.personId} are not an object`);
  }
  return fields as PersonFields;
}

/**
 * The key that wraps every data key: CASES_MASTER_KEY, or the embedded default's generated file.
 * Its id (an HMAC of a fixed label under the key: it identifies the key without revealing it) is
 * stored beside each wrapped key, so starting with another master key is reported as that,
 * never mistaken for destroyed data.
 */
export class MasterKey {
  readonly id: string;
  /** A private field, so that neither JSON.stringify nor util.inspect (a logged config) shows the key. */
  readonly #key: Buffer;

  constructor(key: Buffer) {
    requireKey(key, 'The master key');
    this.#key = Buffer.from(key);
    this.id = createHmac('sha256', key).update('cases.master-key-id').digest().subarray(0, 8).toString('hex');
  }

  /** `version ‖ iv ‖ tag ‖ ciphertext`: 61 bytes for a 32-byte data key. */
  wrap(personId: string, dataKey: Buffer): Buffer {
    requireKey(dataKey, 'A data key');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrappedKeyAad(personId));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([Buffer.from([WRAPPED_KEY_VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  unwrap(personId: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== 1 + IV_BYTES + TAG_BYTES + KEY_BYTES || wrapped[0] !== WRAPPED_KEY_VERSION) {
      throw new SealBrokenError('The wrapped data key', personId);
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(wrappedKeyAad(personId));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealBrokenError('The wrapped data key', personId);
    }
  }

  /** CASES_MASTER_KEY's format: base64 of exactly 32 bytes. */
  static fromBase64(text: string, source: string): MasterKey {
    const trimmed = text.trim();
    const bytes = Buffer.from(trimmed, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || bytes.length !== KEY_BYTES) {
      throw new Error(`${source} must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)`);
    }
    return new MasterKey(bytes);
  }
}

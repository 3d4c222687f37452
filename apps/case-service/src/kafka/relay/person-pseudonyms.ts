import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stands in for one person of a case in a published event: who they are to the case, never who they are. */
export interface PersonReference {
  /** The key of the event's personal part the person sits under (`petitioner`, `caller`, `parties`). */
  role: string;
  /** Position among the people under that key (0 unless there are several, as with dispute parties). */
  index: number;
  /** HMAC-SHA-256 of organisation, case, role and index under the deployment's secret key, base64url, 128 bits. */
  ref: string;
}

const KEY_FILE = 'kafka-pseudonym.key';
const KEY_BYTES = 32;
const REFERENCE_BYTES = 16;

/**
 * Pseudonymous references to the people of a case (SPEC §7, §8). The same person of the same
 * case always gets the same reference, so a consumer can tell "the caller of this case" in
 * every event that mentions them; nothing about the person goes into it, so the reference can
 * neither be reversed nor recomputed without the key, and it links nobody across cases.
 */
export class PersonPseudonyms {
  constructor(private readonly key: Buffer) {}

  /**
   * References for the people in an event's personal part, read from its shape only: each
   * top-level key is a role holding one person (an object) or several (an array). No value is read.
   */
  referencesFor(orgId: string, caseId: string, personal: unknown): PersonReference[] {
    if (personal === null || typeof personal !== 'object' || Array.isArray(personal)) return [];
    const references: PersonReference[] = [];
    for (const [role, people] of Object.entries(personal as Record<string, unknown>)) {
      if (people === undefined || people === null) continue;
      const count = Array.isArray(people) ? people.length : 1;
      for (let index = 0; index < count; index++) {
        references.push({ role, index, ref: this.reference(orgId, caseId, role, index) });
      }
    }
    return references;
  }

  reference(orgId: string, caseId: string, role: string, index: number): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([orgId, caseId, role, index]))
      .digest()
      .subarray(0, REFERENCE_BYTES)
      .toString('base64url');
  }
}

/**
 * The configured key, or the one kept in the data folder, created on first use. Losing or
 * changing it changes every reference published from then on.
 */
export function pseudonymKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = join(dataDir, KEY_FILE);
  try {
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < KEY_BYTES) throw new Error(`${file} holds no usable pseudonym key (expected ${KEY_BYTES} bytes, base64)`);
  return key;
}

import type { PersonKeyStore } from './person-key-store.port';
import type { MasterKey } from './sealing';

export interface MasterKeyRotation {
  /** Keys rewrapped by this run. */
  rewrapped: number;
  /** Keys already under the new master key (a run that stopped earlier did them). */
  alreadyRotated: number;
  /** Tombstones: nothing to rewrap. */
  destroyed: number;
  /** Live keys wrapped by a master key that is neither the old nor the new one: left alone, and the rotation is not complete. */
  foreign: number;
}

export class MasterKeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyRotationError';
  }
}

/**
 * Rewraps every live person key wrapped by `from` under `to` (docs/security.md, "Rotating the
 * master key"). Only the wrapping changes: each person's data key, hence every sealed event,
 * stays as it is. Each key is rewrapped on its own, by compare-and-set on the master key id
 * (`PersonKeyStore.rewrap`), so a run stopped at any point leaves every key under exactly one of
 * the two master keys, and the same command run again finishes the rest. A key destroyed while
 * the run goes on stays destroyed.
 */
export async function rotateMasterKey(
  keys: PersonKeyStore,
  from: MasterKey,
  to: MasterKey,
  onProgress?: (done: number, total: number) => void,
): Promise<MasterKeyRotation> {
  if (from.id === to.id) throw new MasterKeyRotationError('The new master key is the one in use: nothing would change');
  const rows = await keys.list();
  const outcome: MasterKeyRotation = { rewrapped: 0, alreadyRotated: 0, destroyed: 0, foreign: 0 };
  let done = 0;
  for (const row of rows) {
    done += 1;
    if (row.destroyedAt !== null) outcome.destroyed += 1;
    else if (row.masterKeyId === to.id) outcome.alreadyRotated += 1;
    else if (row.masterKeyId !== from.id) outcome.foreign += 1;
    else {
      const key = await keys.get(row.personId);
      if (key?.status !== 'live') outcome.destroyed += 1;
      else if (key.masterKeyId === to.id) outcome.alreadyRotated += 1;
      else {
        const dataKey = from.unwrap(key.personId, key.wrappedKey);
        const rewrapped = await keys.rewrap(key.personId, from.id, { masterKeyId: to.id, wrappedKey: to.wrap(key.personId, dataKey) });
        dataKey.fill(0);
        // Lost the race to a destruction (or another run): read it again to say which.
        if (rewrapped) outcome.rewrapped += 1;
        else if ((await keys.get(key.personId))?.status === 'destroyed') outcome.destroyed += 1;
        else outcome.alreadyRotated += 1;
      }
    }
    onProgress?.(done, rows.length);
  }
  return outcome;
}

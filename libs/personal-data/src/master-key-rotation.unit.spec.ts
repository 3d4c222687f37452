import { randomBytes } from 'node:crypto';
import { MasterKeyRotationError, rotateMasterKey } from './master-key-rotation';
import { PersonalDataVault } from './personal-data-vault';
import { MasterKey } from './sealing';
import { InMemoryPersonKeyStore } from './testing/in-memory-person-key-store';

const CASE_ID = '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11';

describe('rotateMasterKey', () => {
  const OLD = new MasterKey(randomBytes(32));
  const NEW = new MasterKey(randomBytes(32));

  async function sealedPeople(keys: InMemoryPersonKeyStore, count: number) {
    const vault = new PersonalDataVault(OLD, keys);
    return Promise.all(
      Array.from({ length: count }, (_, index) => vault.seal(CASE_ID, { petitioner: { name: `张${index}`, phone: `1381234${index}` } })),
    );
  }

  it('rewraps every live key so the same sealed people open under the new master key only', async () => {
    const keys = new InMemoryPersonKeyStore();
    const sealed = await sealedPeople(keys, 3);
    const destroyedId = (sealed[2].petitioner as { personId: string }).personId;
    await keys.destroy(destroyedId, new Date());

    expect(await rotateMasterKey(keys, OLD, NEW)).toEqual({ rewrapped: 2, alreadyRotated: 0, destroyed: 1, foreign: 0 });

    const opened = await new PersonalDataVault(NEW, keys).open(sealed[0]);
    expect(opened.petitioner).toMatchObject({ state: 'readable', fields: { name: '张0' } });
    expect((await new PersonalDataVault(NEW, keys).open(sealed[2])).petitioner).toMatchObject({ state: 'destroyed' });
    await expect(new PersonalDataVault(OLD, keys).open(sealed[1])).rejects.toThrow(/master key/);
  });

  it('finishes a run that stopped half way, and a second run finds nothing left to do', async () => {
    const keys = new InMemoryPersonKeyStore();
    const sealed = await sealedPeople(keys, 4);
    // A run that died after two keys: they are under the new key, the others under the old one.
    let calls = 0;
    const rewrap = keys.rewrap.bind(keys);
    keys.rewrap = async (...args) => {
      if (++calls > 2) throw new Error('the machine went down');
      return rewrap(...args);
    };
    await expect(rotateMasterKey(keys, OLD, NEW)).rejects.toThrow('the machine went down');
    keys.rewrap = rewrap;

    expect(await rotateMasterKey(keys, OLD, NEW)).toEqual({ rewrapped: 2, alreadyRotated: 2, destroyed: 0, foreign: 0 });
    expect(await rotateMasterKey(keys, OLD, NEW)).toEqual({ rewrapped: 0, alreadyRotated: 4, destroyed: 0, foreign: 0 });
    for (const personal of sealed) {
      expect((await new PersonalDataVault(NEW, keys).open(personal)).petitioner).toMatchObject({ state: 'readable' });
    }
  });

  it('leaves keys of an unknown master key alone and counts them, and refuses the key in use as the new one', async () => {
    const keys = new InMemoryPersonKeyStore();
    await new PersonalDataVault(new MasterKey(randomBytes(32)), keys).seal(CASE_ID, { caller: { name: '李四' } });
    expect(await rotateMasterKey(keys, OLD, NEW)).toEqual({ rewrapped: 0, alreadyRotated: 0, destroyed: 0, foreign: 1 });
    await expect(rotateMasterKey(keys, OLD, OLD)).rejects.toThrow(MasterKeyRotationError);
  });
});

import { randomBytes } from 'node:crypto';
import { MasterKeyMismatchError, PersonalDataVault, PersonKeyMissingError } from './personal-data-vault';
import { isSealedPerson, MasterKey, SealBrokenError, type SealedPerson } from './sealing';
import { InMemoryPersonKeyStore } from './testing/in-memory-person-key-store';

const CASE_ID = '0b6f6a52-8f0e-4c55-9a52-2f1f4f3c7d11';

function vault(master = new MasterKey(randomBytes(32)), keys = new InMemoryPersonKeyStore()) {
  return { vault: new PersonalDataVault(master, keys), keys, master };
}

describe('PersonalDataVault', () => {
  it('seals each person under a fresh person id and key, keeping the shape, and opens it back', async () => {
    const { vault: v, keys } = vault();
    const personal = { parties: [{ name: '王五', phone: '13900001111', role: '申请人' }, { name: '赵六' }] };
    const sealed = await v.seal(CASE_ID, personal);
    const parties = sealed.parties as SealedPerson[];
    expect(parties).toHaveLength(2);
    expect(parties.every(isSealedPerson)).toBe(true);
    expect(parties[0].personId).not.toBe(parties[1].personId);
    expect(JSON.stringify(sealed)).not.toMatch(/王五|赵六|13900001111|申请人/);
    expect((await keys.list({ caseId: CASE_ID })).map((row) => row.personId).sort()).toEqual(parties.map((p) => p.personId).sort());
    expect(await v.open(sealed)).toEqual({
      parties: [
        { state: 'readable', personId: parties[0].personId, fields: { name: '王五', phone: '13900001111', role: '申请人' } },
        { state: 'readable', personId: parties[1].personId, fields: { name: '赵六' } },
      ],
    });
  });

  it('gives no person id derived from the person: the same person twice gets two ids', async () => {
    const { vault: v } = vault();
    const a = (await v.seal(CASE_ID, { petitioner: { name: '张三' } })).petitioner as SealedPerson;
    const b = (await v.seal(CASE_ID, { petitioner: { name: '张三' } })).petitioner as SealedPerson;
    expect(a.personId).not.toBe(b.personId);
    expect(a.personId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves a sealed person and a missing personal part alone', async () => {
    const { vault: v, keys } = vault();
    const sealed = await v.seal(CASE_ID, { caller: { name: '李四' } });
    expect(await v.seal(CASE_ID, sealed)).toEqual(sealed);
    expect(await v.seal(CASE_ID, null)).toEqual({});
    expect(await v.seal(CASE_ID, { caller: undefined })).toEqual({});
    expect(keys.rows.size).toBe(1);
  });

  it('opens a destroyed person as destroyed, and the others of the event still', async () => {
    const { vault: v, keys } = vault();
    const sealed = await v.seal(CASE_ID, { parties: [{ name: '王五' }, { name: '赵六' }] });
    const [first, second] = sealed.parties as SealedPerson[];
    const at = new Date('2026-03-05T02:00:00Z');
    expect(await keys.destroy(first.personId, at)).toBe('destroyed');
    expect(await v.open(sealed)).toEqual({
      parties: [
        { state: 'destroyed', personId: first.personId, destroyedAt: at },
        { state: 'readable', personId: second.personId, fields: { name: '赵六' } },
      ],
    });
  });

  it('opens a person stored in clear before sealing existed as unsealed', async () => {
    const { vault: v } = vault();
    expect(await v.open({ petitioner: { name: '张三', phone: '13800001234' } })).toEqual({
      petitioner: { state: 'unsealed', personId: null, fields: { name: '张三', phone: '13800001234' } },
    });
  });

  it('refuses, rather than calling destroyed, a person whose key the store never held', async () => {
    const sealed = await vault().vault.seal(CASE_ID, { petitioner: { name: '张三' } });
    await expect(vault().vault.open(sealed)).rejects.toThrow(PersonKeyMissingError);
  });

  it('refuses to open under another master key, naming both key ids', async () => {
    const keys = new InMemoryPersonKeyStore();
    const sealed = await vault(new MasterKey(randomBytes(32)), keys).vault.seal(CASE_ID, { petitioner: { name: '张三' } });
    await expect(vault(new MasterKey(randomBytes(32)), keys).vault.open(sealed)).rejects.toThrow(MasterKeyMismatchError);
  });

  it('refuses a tampered envelope', async () => {
    const { vault: v } = vault();
    const sealed = await v.seal(CASE_ID, { petitioner: { name: '张三' } });
    const petitioner = sealed.petitioner as SealedPerson;
    const ct = Buffer.from(petitioner.ct, 'base64');
    ct[0] ^= 1;
    await expect(v.open({ petitioner: { ...petitioner, ct: ct.toString('base64') } })).rejects.toThrow(SealBrokenError);
  });

  it('refuses a personal part that is not people', async () => {
    const { vault: v } = vault();
    await expect(v.seal(CASE_ID, ['张三'])).rejects.toThrow(/object of roles/);
    await expect(v.seal(CASE_ID, { petitioner: '张三' })).rejects.toThrow(/object of fields/);
    await expect(v.seal(CASE_ID, { petitioner: { name: '张三', age: 40 } })).rejects.toThrow(/field age must be a string/);
  });
});

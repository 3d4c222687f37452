import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { isSealedPerson, MasterKey, newDataKey, openPerson, SealBrokenError, sealPerson, type SealedPerson } from './sealing';

const PETITIONER = { name: '张三丰', phone: '13812341234', idNumber: '610113199001011234', address: '雁塔区小寨东路 1 号' };

/** Flips one bit of a base64 field. */
function flipped(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64');
}

describe('sealing one person', () => {
  it('opens what it sealed, and the envelope holds none of the fields in clear', () => {
    const key = newDataKey();
    const personId = randomUUID();
    const sealed = sealPerson(key, personId, PETITIONER);
    expect(isSealedPerson(sealed)).toBe(true);
    expect(sealed.personId).toBe(personId);
    const stored = JSON.stringify(sealed);
    for (const value of Object.values(PETITIONER)) expect(stored).not.toContain(value);
    expect(Buffer.from(sealed.ct, 'base64').toString('utf8')).not.toContain('1234');
    expect(openPerson(key, sealed)).toEqual(PETITIONER);
  });

  it('uses a fresh nonce each time and pads, so equal fields give unequal envelopes of one size class', () => {
    const key = newDataKey();
    const personId = randomUUID();
    const a = sealPerson(key, personId, { name: '李' });
    const b = sealPerson(key, personId, { name: '李' });
    const c = sealPerson(key, personId, { name: '欧阳娜娜' });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(Buffer.from(a.ct, 'base64').length % 64).toBe(0);
    expect(Buffer.from(a.ct, 'base64').length).toBe(Buffer.from(c.ct, 'base64').length);
  });

  it.each<[string, (sealed: SealedPerson) => SealedPerson]>([
    ['a changed ciphertext byte', (sealed) => ({ ...sealed, ct: flipped(sealed.ct, 3) })],
    ['a changed tag', (sealed) => ({ ...sealed, tag: flipped(sealed.tag) })],
    ['a changed nonce', (sealed) => ({ ...sealed, iv: flipped(sealed.iv) })],
    ['another person id (the envelope moved to someone else)', (sealed) => ({ ...sealed, personId: randomUUID() })],
    ['a truncated tag', (sealed) => ({ ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 8).toString('base64') })],
  ])('refuses %s', (_what, tamper) => {
    const key = newDataKey();
    const sealed = sealPerson(key, randomUUID(), PETITIONER);
    expect(() => openPerson(key, tamper(sealed))).toThrow(SealBrokenError);
  });

  it('refuses to open with another key', () => {
    const sealed = sealPerson(newDataKey(), randomUUID(), PETITIONER);
    expect(() => openPerson(newDataKey(), sealed)).toThrow(SealBrokenError);
  });

  it('tells envelopes from plain people', () => {
    expect(isSealedPerson({ name: '张三' })).toBe(false);
    expect(isSealedPerson(null)).toBe(false);
    expect(isSealedPerson([sealPerson(newDataKey(), randomUUID(), PETITIONER)])).toBe(false);
    expect(isSealedPerson({ ...sealPerson(newDataKey(), randomUUID(), PETITIONER), v: 2 })).toBe(false);
  });
});

describe('wrapping data keys with the master key', () => {
  it('unwraps what it wrapped, for the same person only', () => {
    const master = new MasterKey(randomBytes(32));
    const dataKey = newDataKey();
    const personId = randomUUID();
    const wrapped = master.wrap(personId, dataKey);
    expect(wrapped.length).toBe(61);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(master.unwrap(personId, wrapped).equals(dataKey)).toBe(true);
    expect(() => master.unwrap(randomUUID(), wrapped)).toThrow(SealBrokenError);
  });

  it('refuses a tampered wrapped key and another master key', () => {
    const master = new MasterKey(randomBytes(32));
    const personId = randomUUID();
    const wrapped = master.wrap(personId, newDataKey());
    const tampered = Buffer.from(wrapped);
    tampered[40] ^= 0x80;
    expect(() => master.unwrap(personId, tampered)).toThrow(SealBrokenError);
    expect(() => master.unwrap(personId, wrapped.subarray(0, 60))).toThrow(SealBrokenError);
    expect(() => new MasterKey(randomBytes(32)).unwrap(personId, wrapped)).toThrow(SealBrokenError);
  });

  it('never shows the key when printed or serialised, as a logged configuration would be', () => {
    const bytes = randomBytes(32);
    const master = new MasterKey(bytes);
    const printed = `${JSON.stringify({ master })} ${inspect({ master }, { depth: 5, showHidden: true })}`;
    for (const encoding of ['hex', 'base64'] as const) expect(printed).not.toContain(bytes.toString(encoding));
    expect(printed).not.toContain(String(bytes[0]) + ',' + String(bytes[1]) + ',' + String(bytes[2]));
  });

  it('has a stable id that differs between keys and does not reveal the key', () => {
    const bytes = randomBytes(32);
    const a = new MasterKey(bytes);
    expect(new MasterKey(Buffer.from(bytes)).id).toBe(a.id);
    expect(new MasterKey(randomBytes(32)).id).not.toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(bytes.toString('hex')).not.toContain(a.id);
  });

  it('reads CASES_MASTER_KEY as base64 of exactly 32 bytes, and says so without echoing the value', () => {
    const bytes = randomBytes(32);
    expect(MasterKey.fromBase64(` ${bytes.toString('base64')}\n`, 'CASES_MASTER_KEY').id).toBe(new MasterKey(bytes).id);
    const short = randomBytes(16).toString('base64');
    expect(() => MasterKey.fromBase64(short, 'CASES_MASTER_KEY')).toThrow(/CASES_MASTER_KEY must be the base64 of 32 random bytes/);
    try {
      MasterKey.fromBase64(short, 'CASES_MASTER_KEY');
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => MasterKey.fromBase64('not base64 at all!', 'CASES_MASTER_KEY')).toThrow(/base64/);
    expect(() => new MasterKey(randomBytes(31))).toThrow(/32 bytes/);
  });
});

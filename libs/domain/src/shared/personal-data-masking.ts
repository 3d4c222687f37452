/**
 * Default masking of personal data (SPEC §7) for lists, views, reports and exports:
 * 张* for names (a one-character name wholly hidden), 138****1234 for phones, the last four characters of an ID number, and
 * addresses cut to their first characters. Full values are for roles that need them.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  // A one-character name is the whole name: showing it would show everything.
  if (chars.length === 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

export function maskIdNumber(idNumber: string): string {
  const value = idNumber.trim();
  return `${'*'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
}

export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  const kept = Math.min(6, Math.floor(chars.length / 2));
  return chars.slice(0, kept).join('') + '*'.repeat(chars.length - kept);
}

const MASKERS: Record<string, (value: string) => string> = {
  name: maskName,
  phone: maskPhone,
  idNumber: maskIdNumber,
  address: maskAddress,
};

/** Masks every known personal field anywhere in a personal-data object; unknown strings are hidden entirely. */
export function maskPersonalData(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, k)]));
  }
  if (typeof value === 'string') {
    if (key === 'role') return value;
    const mask = MASKERS[key];
    return mask ? mask(value) : '*'.repeat(Array.from(value).length);
  }
  return value;
}

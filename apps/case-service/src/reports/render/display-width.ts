/**
 * East Asian wide and full-width ranges (Unicode UAX #11): CJK ideographs, kana, Hangul, CJK
 * punctuation and full-width forms. A spreadsheet draws each of them about two digits wide.
 */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, CJK symbols and punctuation (、。「」)
  [0x3041, 0x33ff], // kana, bopomofo, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // full-width forms (，：（）)
  [0xffe0, 0xffe6], // full-width signs
  [0x20000, 0x3fffd], // CJK extensions B and beyond
];

/** Below the first wide range every character is narrow: Latin text and digits skip the search. */
const FIRST_WIDE = WIDE_RANGES[0][0];

function isWide(codePoint: number): boolean {
  return codePoint >= FIRST_WIDE && WIDE_RANGES.some(([first, last]) => codePoint >= first && codePoint <= last);
}

/** How many narrow columns a text takes, counting a wide character twice; the widest line wins. */
export function displayWidth(text: string): number {
  return Math.max(
    0,
    ...text.split('\n').map((line) => {
      let width = 0;
      for (const character of line) width += isWide(character.codePointAt(0) ?? 0) ? 2 : 1;
      return width;
    }),
  );
}

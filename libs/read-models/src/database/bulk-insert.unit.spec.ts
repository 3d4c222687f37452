import { chunkSizes } from './bulk-insert';

describe('chunkSizes', () => {
  it('cuts rows into full inserts, then a multiple of 16, then the last few, covering every row once', () => {
    expect(chunkSizes(0, 200)).toEqual([]);
    expect(chunkSizes(7, 200)).toEqual([7]);
    expect(chunkSizes(16, 200)).toEqual([16]);
    expect(chunkSizes(37, 200)).toEqual([32, 5]);
    expect(chunkSizes(200, 200)).toEqual([200]);
    expect(chunkSizes(451, 200)).toEqual([200, 200, 48, 3]);
    for (let count = 0; count < 1_000; count++) {
      const sizes = chunkSizes(count, 200);
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(count);
      expect(sizes.every((size) => size > 0 && size <= 200)).toBe(true);
    }
  });

  it('uses few distinct sizes, so few statements are compiled and kept prepared', () => {
    const distinct = new Set<number>();
    for (let count = 0; count < 1_000; count++) for (const size of chunkSizes(count, 200)) distinct.add(size);
    expect(distinct.size).toBeLessThanOrEqual(1 + 12 + 16);
  });
});

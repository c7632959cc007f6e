import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../buffer/transport-types.js';
import { chunkEnds } from './chunking.js';

const recs = (sizes: number[]): ConsumedRecord[] =>
  sizes.map((n, i) => ({
    offset: BigInt(i),
    timestampMs: 0,
    key: null,
    value: new Uint8Array(n),
    headers: {}
  }));

const lengths = (ends: number[]) => ends.map((e, i) => e - (i === 0 ? 0 : ends[i - 1]));

describe('chunkEnds', () => {
  it('takes an idle batch whole, however small', () => {
    expect(chunkEnds(recs([400]), 2000, 1 << 20)).toEqual([1]);
    expect(chunkEnds(recs(Array(1999).fill(400)), 2000, 8 << 20)).toEqual([1999]);
    expect(chunkEnds([], 2000, 8 << 20)).toEqual([]);
  });

  it('cuts a backlog into equal chunks, not full ones and a small remainder', () => {
    expect(lengths(chunkEnds(recs(Array(2001).fill(400)), 2000, 8 << 20))).toEqual([1001, 1000]);
    expect(lengths(chunkEnds(recs(Array(10_000).fill(400)), 2000, 8 << 20))).toEqual(
      Array(5).fill(2000)
    );
  });

  it('bounds the bytes of a chunk: real-size alerts go in chunks of tens', () => {
    const ends = chunkEnds(recs(Array(2000).fill(240_000)), 2000, 8 << 20);
    const sizes = lengths(ends);
    expect(ends.at(-1)).toBe(2000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.floor((8 << 20) / 240_000));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.max(...sizes) - 1);
  });

  it('puts a record larger than the byte bound in a chunk of its own', () => {
    expect(lengths(chunkEnds(recs([100, 5000, 100]), 10, 1000))).toEqual([1, 1, 1]);
  });

  it('every record lands in exactly one chunk, in order', () => {
    const sizes = Array.from({ length: 777 }, (_, i) => 100 + ((i * 7919) % 5000));
    const ends = chunkEnds(recs(sizes), 50, 60_000);
    expect(ends.at(-1)).toBe(777);
    expect(ends.every((e, i) => e > (i === 0 ? 0 : ends[i - 1]))).toBe(true);
    expect(Math.max(...lengths(ends))).toBeLessThanOrEqual(50);
  });
});

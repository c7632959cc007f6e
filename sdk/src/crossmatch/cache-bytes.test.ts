/**
 * The context cache is bounded by bytes (issue #15 part 3): a stream of large distinct entries
 * keeps the accounted bytes and the process's memory (after a full GC) under the budget, the
 * accounting matches what the heap holds, and recent entries still hit.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ColumnData } from '../catalog/columns.js';
import { ContextCache, entryBytes, type CacheEntry } from './cache.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap plus array buffers after two full collections, bytes. */
function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * An engine answer for `n` rows, like a PairEngine's: one buffer per column for the whole batch,
 * each entry a view into it (the cache must copy its part out, or evicting it frees nothing).
 */
function answer(seed: number, n: number, rows: number): CacheEntry[] {
  const xyz = new Float64Array(3 * n * rows);
  const rowIdx = new Int32Array(n * rows);
  const ids = new BigInt64Array(n * rows);
  const mag = new Float64Array(n * rows);
  const names: string[] = [];
  for (let i = 0; i < n * rows; i++) {
    xyz[3 * i] = Math.cos(i);
    rowIdx[i] = i;
    ids[i] = BigInt(seed) * 1_000_000_007n + BigInt(i);
    mag[i] = 10 + (i % 7);
    names.push(`star-${seed}-${i}`);
  }
  const out: CacheEntry[] = [];
  for (let k = 0; k < n; k++) {
    const s = k * rows;
    const e = s + rows;
    const name: ColumnData = { kind: 'string', values: names.slice(s, e) };
    out.push({
      xyz: xyz.subarray(3 * s, 3 * e),
      rowIdx: rowIdx.subarray(s, e),
      ids: { kind: 'bigint', values: ids.subarray(s, e) },
      columns: { mag: { kind: 'double', values: mag.subarray(s, e) }, name }
    });
  }
  return out;
}

describe('ContextCache bounded by bytes', () => {
  it('keeps accounted bytes and the heap under the budget over a stream of large distinct entries', () => {
    const budget = 16 * 1024 * 1024;
    const cache = new ContextCache({ maxBytes: budget });
    const base = memory();
    let peak = 0;
    let offered = 0;
    // 250 answers × 20 entries × 2,000 rows ≈ 0.85 GB of distinct entries offered.
    for (let round = 0; round < 250; round++) {
      const entries = answer(round, 20, 2000);
      entries.forEach((e, k) => {
        const key = cache.key('cat', 5, ['mag', 'name'], round * 0.01, k * 0.01);
        offered += entryBytes(key, e);
        cache.set(key, e);
        expect(cache.bytes).toBeLessThanOrEqual(budget);
      });
      if (round % 50 === 49) {
        peak = Math.max(peak, memory() - base);
      }
    }
    expect(offered).toBeGreaterThan(40 * budget);
    expect(cache.evictions).toBeGreaterThan(4800);
    // The cache holds < budget; the heap around it (after GC) holds no evicted batch.
    expect(cache.bytes).toBeGreaterThan(0.8 * budget);
    expect(peak).toBeLessThan(1.5 * budget);
    console.log(
      `context cache: offered ${(offered / 2 ** 20).toFixed(0)} MiB, held ${(cache.bytes / 2 ** 20).toFixed(1)} MiB in ${cache.size} entries, heap growth peak ${(peak / 2 ** 20).toFixed(1)} MiB (budget 16 MiB)`
    );
  }, 60_000);

  it('accounts an entry at about what the heap holds for it', () => {
    const cache = new ContextCache({ maxBytes: 512 * 1024 * 1024 });
    const base = memory();
    for (let round = 0; round < 40; round++) {
      answer(round, 10, 2000).forEach((e, k) => cache.set(`k${round}|${k}`, e));
    }
    const held = memory() - base;
    const ratio = held / cache.bytes;
    console.log(
      `context cache: accounted ${(cache.bytes / 2 ** 20).toFixed(1)} MiB, heap ${(held / 2 ** 20).toFixed(1)} MiB (ratio ${ratio.toFixed(2)})`
    );
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  }, 60_000);

  it('keeps recently used entries: hits still hit, least recently used go first', () => {
    const one = answer(0, 1, 1000)[0];
    const per = entryBytes('k0', one);
    const cache = new ContextCache({ maxBytes: Math.floor(per * 10.5) });
    for (let i = 0; i < 10; i++) {
      cache.set(`k${i}`, answer(i, 1, 1000)[0]);
    }
    expect(cache.size).toBe(10);
    expect(cache.get('k0')).toBeDefined(); // k0 is now the most recent
    cache.set('k10', answer(10, 1, 1000)[0]);
    expect(cache.get('k1')).toBeUndefined(); // the least recent went
    const hit = cache.get('k0');
    expect(hit?.rowIdx.length).toBe(1000);
    expect((hit?.ids.values as BigInt64Array)[999]).toBe(999n);
    expect(cache.size).toBe(10);
    // an entry bigger than the whole budget is not kept and evicts nothing
    cache.set('huge', answer(99, 1, 20_000)[0]);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(10);
    expect(() => new ContextCache({ maxBytes: 0 })).toThrow(/maxBytes/);
  });
});

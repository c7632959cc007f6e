import { describe, expect, it } from 'vitest';
import type { MemoryCatalog } from '../catalog/memory.js';
import { bucketOf, buildZoneIndex } from './zoneIndex.js';
import { lowerBound } from './zoneWindows.js';

/** A zone-ordered catalog with `zones` zones of random sizes (some empty, some with repeated RAs). */
function catalog(zones: number, seed: number): MemoryCatalog {
  let s = seed;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const zoneStart = new Int32Array(zones + 1);
  const ra: number[] = [];
  for (let z = 0; z < zones; z++) {
    const n = z % 7 === 3 ? 0 : Math.floor(rnd() * 60);
    const rows = Array.from({ length: n }, () => (rnd() < 0.1 ? 180 : rnd() * 360)).sort(
      (a, b) => a - b
    );
    if (n > 2 && z % 5 === 0) {
      rows[0] = 0;
      rows[n - 1] = 359.99999999999994;
    }
    ra.push(...rows);
    zoneStart[z + 1] = ra.length;
  }
  const raDeg = Float64Array.from(ra);
  return {
    rows: raDeg.length,
    zoneStart,
    raDeg,
    decDeg: new Float64Array(raDeg.length),
    x: raDeg.map(v => v + 0.25),
    y: raDeg.map(v => v + 0.5),
    z: raDeg.map(v => v + 0.75)
  } as unknown as MemoryCatalog;
}

describe('buildZoneIndex', () => {
  it('packs (ra, x, y, z) per row in zone order', () => {
    const cat = catalog(20, 1);
    const ix = buildZoneIndex(cat);
    for (let i = 0; i < cat.rows; i++) {
      expect(Array.from(ix.rows4.subarray(4 * i, 4 * i + 4))).toEqual([
        cat.raDeg[i],
        cat.x[i],
        cat.y[i],
        cat.z[i]
      ]);
    }
  });

  it('interleaves the per-zone lookup fields in zoneTab', () => {
    const cat = catalog(50, 7);
    const ix = buildZoneIndex(cat, 2);
    for (let z = 0; z < 50; z++) {
      expect(Array.from(ix.zoneTab.subarray(4 * z, 4 * z + 4))).toEqual([
        ix.bucketScale[z],
        ix.dirBase[z],
        ix.bucketCount[z] - 1,
        cat.zoneStart[z + 1]
      ]);
    }
  });

  it('keeps float32 RA keys that bound the exact window conservatively', () => {
    const cat = catalog(60, 11);
    const ix = buildZoneIndex(cat);
    const bad: string[] = [];
    for (let i = 0; i < cat.rows; i++) {
      const ra = cat.raDeg[i];
      if (ix.raKey[i] !== Math.fround(ra)) {
        bad.push(`row ${i}: key ${ix.raKey[i]} for ra ${ra}`);
      }
      // Window edges within a float32 ulp of the row's RA, on both sides of it.
      for (const d of [0, 1e-12, 1e-9, 1e-6, 1.5e-5, 3e-5, 6e-5]) {
        for (const edge of [ra - d, ra + d]) {
          if (ra <= edge && !(ix.raKey[i] <= Math.fround(edge))) {
            bad.push(`row ${i}: ra ${ra} ≤ hi ${edge} but key above fround(hi)`);
          }
          if (ra >= edge && !(ix.raKey[i] >= Math.fround(edge))) {
            bad.push(`row ${i}: ra ${ra} ≥ lo ${edge} but key below fround(lo)`);
          }
        }
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('stores each directory entry beside its first row key', () => {
    const cat = catalog(80, 5);
    const ix = buildZoneIndex(cat, 2);
    expect(ix.dirKey.buffer).toBe(ix.dirRow.buffer);
    for (let z = 0; z < 80; z++) {
      const end = cat.zoneStart[z + 1];
      for (let b = ix.dirBase[z]; b <= ix.dirBase[z] + ix.bucketCount[z]; b++) {
        const row = ix.dir[b];
        expect(ix.dirRow[2 * b]).toBe(row);
        expect(ix.dirKey[2 * b + 1]).toBe(row < end ? ix.raKey[row] : Infinity);
      }
    }
  });

  for (const rowsPerBucket of [1, 2, 5]) {
    it(`never starts a window after its first row (${rowsPerBucket} rows per bucket)`, () => {
      const cat = catalog(200, 2 + rowsPerBucket);
      const ix = buildZoneIndex(cat, rowsPerBucket);
      let s = 99;
      const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
      const probes = [0, 180, 359.99999999999994, 360, ...cat.raDeg.subarray(0, 300)];
      for (let k = 0; k < 3000; k++) {
        probes.push(rnd() * 360);
      }
      let skipped = 0;
      const bad: string[] = [];
      for (let z = 0; z < 200; z++) {
        const base = ix.dirBase[z];
        const count = ix.bucketCount[z];
        const begin = cat.zoneStart[z];
        const end = cat.zoneStart[z + 1];
        expect(ix.dir[base + count]).toBe(end);
        for (const lo of probes) {
          const start = ix.dir[base + bucketOf(lo, ix.bucketScale[z], count)];
          const first = lowerBound(cat.raDeg, lo, begin, end);
          if (start < begin || start > first) {
            bad.push(`zone ${z} lo ${lo}: start ${start}, first row ${first}, zone from ${begin}`);
          }
          skipped += first - start;
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
      // The directory keeps the rows scanned before a window short.
      expect(skipped / (200 * probes.length)).toBeLessThan(rowsPerBucket + 1);
    });
  }
});

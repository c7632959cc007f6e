/**
 * The RA 0/360 seam and the poles, at every radius from 0.1″ to 1°: a synthetic catalog crowded
 * against the seam and the poles (log-uniform distances from the seam 0.004″–0.1°, from the poles 0.04″–0.1°) so circles of any size
 * cross them, probed from the other side; every matcher must return the brute-force pairs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogStore, readMemoryCatalog, type MemoryCatalog } from '../sdk/src/catalog/index.js';
import { MATCHER_KINDS, createMatcher, type EngineMatcher } from '../sdk/src/crossmatch/index.js';
import { bruteForce, offset, pairMap, seededRandom } from './crossmatch-helpers.js';

const RADII_ARCSEC = [0.1, 0.5, 2, 10, 60, 600, 3600];
let dir: string;
let store: CatalogStore;
let cat: MemoryCatalog;
const matchers: EngineMatcher[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertlab-xm-'));
  store = await CatalogStore.open(join(dir, 'catalogs.duckdb'));
  const rnd = seededRandom(42);
  const n = 18_000;
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i < 16_000) {
      const distDeg = 10 ** (-6 + rnd() * 5);
      // Seam: RA within distDeg of 0/360, either side.
      dec[i] = ((Math.asin(2 * rnd() - 1) * 180) / Math.PI) * 0.95;
      ra[i] =
        rnd() < 0.5
          ? distDeg / Math.cos((dec[i] * Math.PI) / 180)
          : 360 - distDeg / Math.cos((dec[i] * Math.PI) / 180);
      ra[i] %= 360;
    } else {
      // Poles: Dec within distDeg of ±90.
      const distDeg = 10 ** (-5 + rnd() * 4);
      dec[i] = (rnd() < 0.5 ? 1 : -1) * (90 - distDeg);
      ra[i] = rnd() * 360;
    }
  }
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1));
  await store.load('edges', {
    kind: 'columns',
    data: { ids, raDeg: ra, decDeg: dec, columns: {} }
  });
  cat = await readMemoryCatalog(store, 'edges');
  for (const kind of MATCHER_KINDS) {
    matchers.push(createMatcher(store, kind));
  }
}, 120_000);

afterAll(async () => {
  matchers.forEach(m => m.close());
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('seam and poles', () => {
  it.each(RADII_ARCSEC)('radius %f″: every matcher returns the brute-force pairs', async r => {
    const rnd = seededRandom(Math.round(r * 100) + 3);
    const ra: number[] = [];
    const dec: number[] = [];
    for (let k = 0; k < 300; k++) {
      let i = Math.floor(rnd() * cat.rows);
      while (Math.abs(cat.decDeg[i]) > 80 && k % 6 < 4) {
        i = Math.floor(rnd() * cat.rows);
      }
      if (k % 6 < 4) {
        // From across the seam (or the pole): move towards and past it by up to 1.2 r.
        const pa = cat.raDeg[i] < 180 ? -Math.PI / 2 : Math.PI / 2;
        const [a, d] = offset(
          cat.raDeg[i],
          cat.decDeg[i],
          (rnd() * 1.2 * r) / 3600,
          Math.abs(cat.decDeg[i]) > 80 ? rnd() * 2 * Math.PI : pa
        );
        ra.push(a);
        dec.push(d);
      } else if (k % 6 === 4) {
        ra.push(rnd() < 0.5 ? 359.999 : 0.001);
        dec.push(cat.decDeg[i]);
      } else {
        ra.push(rnd() * 360);
        dec.push([89.99, -89.99, 90, -90][k % 4]);
      }
    }
    const probes = { raDeg: Float64Array.from(ra), decDeg: Float64Array.from(dec) };
    const want = bruteForce(cat, probes.raDeg, probes.decDeg, r);
    // Pairs whose catalog row sits on the other side of RA 0/360 from the probe.
    const rowOfId = new Map<string, number>();
    (cat.ids.values as BigInt64Array).forEach((id, row) => rowOfId.set(String(id), row));
    const across = [...want.keys()].filter(k => {
      const [a, id] = k.split(':');
      const row = rowOfId.get(id) as number;
      return (
        Math.abs(cat.decDeg[row]) < 80 && probes.raDeg[Number(a)] > 180 !== cat.raDeg[row] > 180
      );
    });
    expect(across.length).toBeGreaterThan(5);
    for (const m of matchers) {
      const got = pairMap(
        await m.match(probes, { catalogs: [{ name: 'edges', radiusArcsec: r }] })
      );
      const missing = [...want.keys()].filter(k => !got.has(k));
      const extra = [...got.keys()].filter(k => !want.has(k));
      expect({ kind: m.kind, missing, extra }).toEqual({ kind: m.kind, missing: [], extra: [] });
    }
  });
});

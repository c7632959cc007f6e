/**
 * Moving objects skip the static cross-match (and are counted); the context cache answers repeated
 * positions exactly and reports its hit rate.
 */
import {
  Bool,
  Float64,
  Int64,
  Utf8,
  makeVector,
  vectorFromArray,
  tableFromArrays,
  Table
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadBuiltinCatalog, readMemoryCatalog } from '../sdk/src/catalog/index.js';
import { ContextCache, MATCHER_KINDS, createMatcher } from '../sdk/src/crossmatch/index.js';
import { CrossmatchError } from '../sdk/src/errors.js';
import { bruteForce, offset, pairMap, seededRandom, withTempStore } from './crossmatch-helpers.js';

describe('moving objects', () => {
  it('skips Rubin/ZTF solar-system alerts by default, counts them, and matches them on request', async () => {
    await withTempStore(async store => {
      await loadBuiltinCatalog(store, 'hipparcos');
      const cat = await readMemoryCatalog(store, 'hipparcos');
      const ra = Array.from({ length: 7 }, (_, i) => cat.raDeg[i * 1000]);
      const dec = Array.from({ length: 7 }, (_, i) => cat.decDeg[i * 1000]);
      dec[6] = NaN;
      const batch = new Table({
        ra: makeVector(Float64Array.from(ra)),
        dec: makeVector(Float64Array.from(dec)),
        isMovingObject: vectorFromArray(
          [false, true, false, false, false, false, false],
          new Bool()
        ),
        ssObjectId: vectorFromArray([null, null, 123n, null, null, null, null], new Int64()),
        ssnamenr: vectorFromArray([null, null, null, '12345', '12345', '', null], new Utf8()),
        ssdistnr: vectorFromArray([null, null, null, 1.2, 30, -999, null], new Float64())
      });
      for (const kind of MATCHER_KINDS) {
        const m = createMatcher(store, kind);
        try {
          const opts = { catalogs: [{ name: 'hipparcos', radiusArcsec: 1 }] };
          const r = await m.matchWithStats(batch, opts);
          expect(r.stats).toMatchObject({
            alerts: 7,
            movingSkipped: 3,
            invalidSkipped: 1,
            queried: 3
          });
          expect([...new Set(r.table.getChild('alertRow')?.toArray())]).toEqual([0, 4, 5]);
          const all = await m.matchWithStats(batch, { ...opts, includeMovingObjects: true });
          expect(all.stats.movingSkipped).toBe(0);
          expect([...new Set(all.table.getChild('alertRow')?.toArray())]).toEqual([
            0, 1, 2, 3, 4, 5
          ]);
        } finally {
          m.close();
        }
      }
    });
  });

  it('rejects bad requests with a message that says what is allowed', async () => {
    await withTempStore(async store => {
      const m = createMatcher(store, 'memory-zones');
      try {
        const alerts = { raDeg: Float64Array.of(1), decDeg: Float64Array.of(1) };
        await expect(
          m.match(alerts, { catalogs: [{ name: 'x', radiusArcsec: 0 }] })
        ).rejects.toThrow(/0 < radiusArcsec/);
        await expect(m.match(alerts, { catalogs: [] })).rejects.toBeInstanceOf(CrossmatchError);
        await expect(
          m.match(tableFromArrays({ a: Float64Array.of(1) }), {
            catalogs: [{ name: 'x', radiusArcsec: 1 }]
          })
        ).rejects.toThrow(/no "ra"\/"dec"/);
      } finally {
        m.close();
      }
    });
  });
});

describe('context cache', () => {
  it('answers repeated positions from the cache with exactly the uncached pairs', async () => {
    await withTempStore(async store => {
      await loadBuiltinCatalog(store, 'hipparcos');
      const cat = await readMemoryCatalog(store, 'hipparcos');
      const rnd = seededRandom(5);
      const n = 1500;
      const first = { raDeg: new Float64Array(n), decDeg: new Float64Array(n) };
      const again = { raDeg: new Float64Array(n), decDeg: new Float64Array(n) };
      for (let k = 0; k < n; k++) {
        const i = Math.floor(rnd() * cat.rows);
        [first.raDeg[k], first.decDeg[k]] = offset(
          cat.raDeg[i],
          cat.decDeg[i],
          (rnd() * 60) / 3600,
          rnd() * 6.28
        );
        // The same object seen again 0–0.2″ away (a new detection).
        [again.raDeg[k], again.decDeg[k]] = offset(
          first.raDeg[k],
          first.decDeg[k],
          (rnd() * 0.2) / 3600,
          rnd() * 6.28
        );
      }
      const opts = {
        catalogs: [{ name: 'hipparcos', radiusArcsec: 60, columns: ['mag', 'name'] }]
      };
      const want = bruteForce(cat, again.raDeg, again.decDeg, 60);
      expect(want.size).toBeGreaterThan(n / 2);
      for (const kind of MATCHER_KINDS) {
        const cache = new ContextCache({ quantumArcsec: 1 });
        const plain = createMatcher(store, kind);
        const cached = createMatcher(store, kind, { cache });
        try {
          const warm = await cached.matchWithStats(first, opts);
          expect(warm.stats.cacheHitRate).toBeLessThan(0.05);
          const r = await cached.matchWithStats(again, opts);
          expect(r.stats.cacheHitRate).toBeGreaterThan(0.5);
          expect(r.stats.cacheHits + r.stats.cacheMisses).toBe(n);
          const got = pairMap(r.table);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          const ref = await plain.match(again, opts);
          const rows = (t: Table): string[] =>
            t
              .toArray()
              .map(x =>
                JSON.stringify(x.toJSON(), (_k, v: unknown) =>
                  typeof v === 'bigint' ? String(v) : v
                )
              );
          expect(rows(r.table)).toEqual(rows(ref));
          expect(cache.hitRate).toBeCloseTo(r.stats.cacheHits / (2 * n), 2);
        } finally {
          plain.close();
          cached.close();
        }
      }
    });
  });
});

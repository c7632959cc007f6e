/**
 * Every matcher returns exactly the brute-force (haversine, float64) pair set on real catalogs,
 * at the poles, across the RA 0/360 seam, for radii from 0.1″ to 1°.
 */
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CatalogStore,
  loadBuiltinCatalog,
  readMemoryCatalog,
  type MemoryCatalog
} from '../sdk/src/catalog/index.js';
import { MATCHER_KINDS, createMatcher, type EngineMatcher } from '../sdk/src/crossmatch/index.js';
import { HAVE_TYCHO2, bruteForce, makeProbes, pairMap } from './crossmatch-helpers.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RADII_ARCSEC = [0.1, 1, 2, 10, 60, 600, 3600];

let dir: string;
let store: CatalogStore;
const mem: Record<string, MemoryCatalog> = {};
const matchers: EngineMatcher[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertlab-xm-'));
  store = await CatalogStore.open(join(dir, 'catalogs.duckdb'));
  await loadBuiltinCatalog(store, 'hipparcos');
  mem.hipparcos = await readMemoryCatalog(store, 'hipparcos');
  if (HAVE_TYCHO2) {
    await loadBuiltinCatalog(store, 'tycho2');
    mem.tycho2 = await readMemoryCatalog(store, 'tycho2');
  }
  for (const kind of MATCHER_KINDS) {
    matchers.push(createMatcher(store, kind));
  }
}, 120_000);

afterAll(async () => {
  matchers.forEach(m => m.close());
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

function expectSamePairs(got: Map<string, number>, want: Map<string, number>, label: string): void {
  const missing = [...want.keys()].filter(k => !got.has(k));
  const extra = [...got.keys()].filter(k => !want.has(k));
  expect({ label, missing, extra }).toEqual({ label, missing: [], extra: [] });
  for (const [k, sep] of want) {
    expect(Math.abs((got.get(k) as number) - sep)).toBeLessThan(1e-6);
  }
}

describe.each(['hipparcos', 'tycho2'])('catalog %s against brute force', name => {
  const skip = name === 'tycho2' && !HAVE_TYCHO2;
  it.skipIf(skip).each(RADII_ARCSEC)(
    'radius %f″: all matchers give the brute-force pairs',
    async r => {
      const cat = mem[name];
      const probes = makeProbes(cat, r, r >= 600 ? 90 : 240, Math.round(r * 1000) + name.length);
      const want = bruteForce(cat, probes.raDeg, probes.decDeg, r);
      expect(want.size).toBeGreaterThan(0);
      for (const m of matchers) {
        const table = await m.match(probes, { catalogs: [{ name, radiusArcsec: r }] });
        expectSamePairs(pairMap(table), want, `${m.kind} r=${r}`);
      }
    }
  );
});

describe('edge probes', () => {
  it('poles and the RA seam match brute force at every radius (hipparcos)', async () => {
    const cat = mem.hipparcos;
    const ra: number[] = [];
    const dec: number[] = [];
    for (const d of [89.99, -89.99, 90, -90, 89.999999, 0, 45, -60]) {
      for (const a of [359.999, 0.001, 0, 359.9999999, 180]) {
        ra.push(a);
        dec.push(d);
      }
    }
    const probes = { raDeg: Float64Array.from(ra), decDeg: Float64Array.from(dec) };
    for (const r of RADII_ARCSEC) {
      const want = bruteForce(cat, probes.raDeg, probes.decDeg, r);
      for (const m of matchers) {
        const table = await m.match(probes, { catalogs: [{ name: 'hipparcos', radiusArcsec: r }] });
        expectSamePairs(pairMap(table), want, `${m.kind} r=${r}`);
      }
    }
    // The 1° circles at the poles and the seam really do reach stars.
    expect(bruteForce(cat, probes.raDeg, probes.decDeg, 3600).size).toBeGreaterThan(10);
  });

  it('a pair straddling RA 0/360 is found from both sides', async () => {
    const cat = mem.hipparcos;
    let i = 0;
    while (!(cat.raDeg[i] < 0.01 && Math.abs(cat.decDeg[i]) < 60)) {
      i++;
    }
    const probes = {
      raDeg: Float64Array.of(cat.raDeg[i] + 359.99999 - 360 + 360, (cat.raDeg[i] + 0.0001) % 360),
      decDeg: Float64Array.of(cat.decDeg[i], cat.decDeg[i])
    };
    const want = bruteForce(cat, probes.raDeg, probes.decDeg, 60);
    expect([...want.keys()]).toContain(`0:${String(cat.ids.values[i])}`);
    for (const m of matchers) {
      const table = await m.match(probes, { catalogs: [{ name: 'hipparcos', radiusArcsec: 60 }] });
      expectSamePairs(pairMap(table), want, m.kind);
    }
  });
});

describe('modes and several archives', () => {
  it('nearest mode keeps the brute-force nearest per alert', async () => {
    const cat = mem.hipparcos;
    const probes = makeProbes(cat, 600, 120, 7);
    const all = bruteForce(cat, probes.raDeg, probes.decDeg, 600);
    const best = new Map<number, number>();
    for (const [k, sep] of all) {
      const a = Number(k.split(':')[0]);
      best.set(a, Math.min(best.get(a) ?? Infinity, sep));
    }
    for (const m of matchers) {
      const table = await m.match(probes, {
        catalogs: [{ name: 'hipparcos', radiusArcsec: 600 }],
        mode: 'nearest'
      });
      expect(table.numRows).toBe(best.size);
      for (const [k, sep] of pairMap(table)) {
        expect(sep).toBeCloseTo(best.get(Number(k.split(':')[0])) as number, 9);
      }
    }
  });

  it.skipIf(!HAVE_TYCHO2)(
    'matches several catalogs in one call, a radius each, with chosen columns',
    async () => {
      const probes = makeProbes(mem.tycho2, 5, 200, 11);
      const wantT = bruteForce(mem.tycho2, probes.raDeg, probes.decDeg, 5);
      const wantH = bruteForce(mem.hipparcos, probes.raDeg, probes.decDeg, 30);
      const tables: Table[] = [];
      for (const m of matchers) {
        const table = await m.match(probes, {
          catalogs: [
            { name: 'tycho2', radiusArcsec: 5, columns: ['mag'] },
            { name: 'hipparcos', radiusArcsec: 30, columns: ['mag', 'name'] }
          ]
        });
        expectSamePairs(pairMap(table, 'tycho2'), wantT, `${m.kind} tycho2`);
        expectSamePairs(pairMap(table, 'hipparcos'), wantH, `${m.kind} hipparcos`);
        expect(table.schema.fields.map(f => `${f.name}:${String(f.type)}`)).toEqual([
          'alertRow:Int32',
          'catalog:Utf8',
          'catalogId:Int64',
          'separationArcsec:Float64',
          'mag:Float64',
          'name:Utf8'
        ]);
        tables.push(table);
      }
      // Same rows, same order, same values from every implementation.
      const rowsOf = (t: Table): string[] =>
        t
          .toArray()
          .map(r =>
            JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))
          );
      expect(rowsOf(tables[1])).toEqual(rowsOf(tables[0]));
      expect(rowsOf(tables[2])).toEqual(rowsOf(tables[0]));
      // Catalog columns are the catalog's values for the matched row.
      const t = tables[0];
      for (let i = 0; i < t.numRows; i++) {
        if (t.getChild('catalog')?.get(i) === 'tycho2') {
          const row = Number(t.getChild('catalogId')?.get(i));
          const k = mem.tycho2.ids.values.indexOf(BigInt(row) as never);
          expect(t.getChild('mag')?.get(i)).toBe(
            (mem.tycho2.columns.mag.values as Float64Array)[k]
          );
          break;
        }
      }
    }
  );
});

describe('reused buffers', () => {
  it('overlapping calls and batches of changing size on one matcher each get their own pairs', async () => {
    const cat = mem.hipparcos;
    const batches = [
      makeProbes(cat, 60, 400, 21),
      makeProbes(cat, 60, 30, 22),
      makeProbes(cat, 60, 900, 23),
      makeProbes(cat, 60, 1, 24)
    ];
    const wants = batches.map(p => bruteForce(cat, p.raDeg, p.decDeg, 60));
    const opts = { catalogs: [{ name: 'hipparcos', radiusArcsec: 60 }] };
    for (const m of matchers) {
      // At once: every call but the first prepares its alerts in buffers of its own.
      const together = await Promise.all(batches.map(p => m.match(p, opts)));
      together.forEach((t, k) => expectSamePairs(pairMap(t), wants[k], `${m.kind} together ${k}`));
      // One after the other, big and small: the reused buffers never leak rows between calls.
      for (const k of [2, 1, 0, 3, 2]) {
        expectSamePairs(pairMap(await m.match(batches[k], opts)), wants[k], `${m.kind} ${k}`);
      }
    }
  });
});

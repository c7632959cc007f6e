/**
 * The catalog store: CSV / Parquet / Arrow sources, zone tables, reopen without rebuild, errors
 * that say what to do, and the real catalogs (Tycho-2 from the astrometry.net index, d3-celestial).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  CatalogStore,
  loadBuiltinCatalog,
  readAstrometryIndex,
  readMemoryCatalog,
  zoneTableName
} from '../sdk/src/catalog/index.js';
import { CatalogNotFoundError } from '../sdk/src/errors.js';
import { coneSearch, createMatcher } from '../sdk/src/crossmatch/index.js';
import { HAVE_TYCHO2, TYCHO2_FILE, haversineDeg, withTempStore } from './crossmatch-helpers.js';

const CSV = `id,ra,dec,mag,name
1,10.0,20.0,5.5,alpha
2,-0.5,-30.0,6.25,beta
3,359.9,89.99,,gamma
4,180.0,95.0,7.0,bad-dec
`;

describe('catalog store', () => {
  it('loads CSV into a zone table sorted by (zone, ra) with unit vectors and metadata', async () => {
    await withTempStore(async (store, dir) => {
      const file = join(dir, 'tiny.csv');
      await writeFile(file, CSV);
      const info = await store.load('tiny', file, { zoneHeightDeg: 0.5 });
      expect(info).toMatchObject({ rows: 3, droppedRows: 1, zoneHeightDeg: 0.5, idKind: 'bigint' });
      expect(info.columns).toEqual([
        { name: 'mag', kind: 'double' },
        { name: 'name', kind: 'string' }
      ]);
      const con = await store.connect();
      try {
        const rows = await (
          await con.run(
            `SELECT rowIdx, zone, ra, dec, x, y, z, id, mag, name FROM ${zoneTableName('tiny')} ORDER BY rowIdx`
          )
        ).getRowObjectsJS();
        expect(rows.map(r => r.id)).toEqual([2n, 1n, 3n]);
        for (const r of rows) {
          expect(r.zone).toBe(Math.floor((Number(r.dec) + 90) / 0.5));
          const d = (Number(r.dec) * Math.PI) / 180;
          const a = (Number(r.ra) * Math.PI) / 180;
          expect(Number(r.x)).toBeCloseTo(Math.cos(d) * Math.cos(a), 14);
          expect(Number(r.z)).toBeCloseTo(Math.sin(d), 14);
        }
        expect(rows[0].ra).toBeCloseTo(359.5, 12);
        expect(rows[2].mag).toBeNull();
      } finally {
        con.closeSync();
      }
    });
  });

  it('loads Parquet and Arrow sources with string ids and chosen columns', async () => {
    await withTempStore(async (store, dir) => {
      const pq = join(dir, 'objs.parquet');
      const db = await DuckDBInstance.create(':memory:');
      const con = await db.connect();
      await con.run(
        `COPY (SELECT 'NGC ' || i AS designation, i * 3.6 AS raj2000, i * 0.9 - 45 AS dej2000, i::INTEGER AS n, i % 2 = 0 AS even
               FROM range(100) t(i)) TO '${pq}' (FORMAT parquet)`
      );
      con.closeSync();
      db.closeSync();
      const p = await store.load(
        'objs',
        { kind: 'parquet', path: pq },
        {
          raColumn: 'raj2000',
          decColumn: 'dej2000',
          idColumn: 'designation',
          columns: ['n', 'even']
        }
      );
      expect(p).toMatchObject({ rows: 100, idKind: 'string' });
      expect(p.columns).toEqual([
        { name: 'n', kind: 'int' },
        { name: 'even', kind: 'bool' }
      ]);
      const arrow = tableFromArrays({
        id: BigInt64Array.from([10n, 20n, 30n]),
        ra: Float64Array.from([1, 2, 3]),
        dec: Float64Array.from([-1, 0, 1]),
        flux: Float64Array.from([0.5, 1.5, 2.5])
      });
      const a = await store.load('arrowcat', { kind: 'arrow', table: arrow });
      expect(a).toMatchObject({
        rows: 3,
        idKind: 'bigint',
        columns: [{ name: 'flux', kind: 'double' }]
      });
      const m = createMatcher(store, 'memory-zones');
      try {
        const t = await m.match(
          { raDeg: Float64Array.of(7.2, 2), decDeg: Float64Array.of(-43.2, 0) },
          {
            catalogs: [
              { name: 'objs', radiusArcsec: 1, columns: ['n', 'even'] },
              { name: 'arrowcat', radiusArcsec: 1, columns: ['flux'] }
            ]
          }
        );
        expect(
          t.toArray().map(r => [r.alertRow, r.catalog, String(r.catalogId), r.n, r.even, r.flux])
        ).toEqual([
          [0, 'objs', 'NGC 2', 2, true, null],
          [1, 'arrowcat', '20', null, null, 1.5]
        ]);
      } finally {
        m.close();
      }
    });
  });

  it('reopens with the data and metadata intact (no rebuild)', async () => {
    await withTempStore(async (store, dir) => {
      await writeFile(join(dir, 'a.csv'), CSV);
      const before = await store.load('tiny', join(dir, 'a.csv'));
      store.close();
      const t0 = performance.now();
      const again = await CatalogStore.open(store.path);
      try {
        const infos = await again.list();
        const reopenMs = performance.now() - t0;
        expect(infos).toHaveLength(1);
        expect(infos[0]).toMatchObject({ name: 'tiny', rows: 3, source: before.source });
        expect(infos[0].loadedAt.getTime()).toBe(before.loadedAt.getTime());
        expect(reopenMs).toBeLessThan(2000);
        const cat = await readMemoryCatalog(again, 'tiny');
        expect(Array.from(cat.ids.values as BigInt64Array)).toEqual([2n, 1n, 3n]);
      } finally {
        again.close();
      }
    });
  });

  it('an unknown catalog names the loaded ones and how to load it', async () => {
    await withTempStore(async (store, dir) => {
      await writeFile(join(dir, 'a.csv'), CSV);
      await store.load('tiny', join(dir, 'a.csv'));
      for (const kind of ['duckdb-zones', 'memory-zones', 'healpix'] as const) {
        const m = createMatcher(store, kind);
        try {
          const err = await m
            .match(
              { raDeg: Float64Array.of(1), decDeg: Float64Array.of(1) },
              { catalogs: [{ name: 'tycho2', radiusArcsec: 2 }] }
            )
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(CatalogNotFoundError);
          expect((err as Error).message).toMatch(/"tycho2" is not loaded \(loaded: "tiny"\)/);
          expect((err as Error).message).toContain('alertlab catalog load tycho2');
        } finally {
          m.close();
        }
      }
      await expect(store.load('Bad Name', join(dir, 'a.csv'))).rejects.toThrow(/not allowed/);
      await expect(store.load('x', join(dir, 'missing.csv'))).rejects.toThrow(
        /Cannot read csv catalog/
      );
      await expect(store.load('x', join(dir, 'a.csv'), { columns: ['nope'] })).rejects.toThrow(
        /has no column "nope"/
      );
    });
  });
});

describe('real catalogs', () => {
  it('hipparcos and dso come from d3-celestial with ra folded into [0, 360)', async () => {
    await withTempStore(async store => {
      const hip = await loadBuiltinCatalog(store, 'hipparcos');
      const dso = await loadBuiltinCatalog(store, 'dso');
      expect(hip.rows).toBeGreaterThan(100_000);
      expect(dso.rows).toBeGreaterThan(80_000);
      expect(dso.idKind).toBe('string');
      const cat = await readMemoryCatalog(store, 'hipparcos');
      expect(Math.min(...cat.raDeg)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...cat.raDeg)).toBeLessThan(360);
      // Sirius is HIP 32349 at RA 101.287°, Dec −16.716°.
      const i = (cat.ids.values as BigInt64Array).indexOf(32349n);
      expect(haversineDeg(cat.raDeg[i], cat.decDeg[i], 101.287, -16.716) * 3600).toBeLessThan(5);
      expect((cat.columns.name.values as (string | null)[])[i]).toBe('Sirius');
      const m = createMatcher(store, 'memory-zones');
      try {
        const t = await m.match(
          { raDeg: Float64Array.of(10.6847), decDeg: Float64Array.of(41.2687) },
          { catalogs: [{ name: 'dso', radiusArcsec: 60, columns: ['name', 'type'] }] }
        );
        expect(t.toArray().map(r => String(r.catalogId))).toContain('NGC 224'); // M 31, the Andromeda galaxy
        const cone = await coneSearch(m, {
          ra: '10.6847',
          dec: '41.2687',
          radiusArcsec: '60',
          catalog: 'dso',
          columns: 'name'
        });
        expect(cone.toArray().map(r => String(r.catalogId))).toContain('NGC 224');
        await expect(
          coneSearch(m, { ra: 1, dec: 95, radiusArcsec: 2, catalog: 'dso' })
        ).rejects.toThrow(/between −90 and 90/);
      } finally {
        m.close();
      }
    });
  });

  it.skipIf(!HAVE_TYCHO2)(
    `Tycho-2 (${TYCHO2_FILE}): 362,950 stars, unit vectors, bright stars where they belong`,
    async () => {
      const data = await readAstrometryIndex(TYCHO2_FILE);
      expect(data.raDeg.length).toBe(362_950);
      const bright: [string, number, number, number][] = [
        ['Betelgeuse', 88.7929, 7.4071, 1],
        ['Rigel', 78.6345, -8.2016, 2.5],
        ['Deneb', 310.358, 45.2803, 2],
        ['Antares', 247.3519, -26.432, 1]
      ];
      const mag = data.columns.mag.values as Float64Array;
      for (const [name, ra, dec, tolArcsec] of bright) {
        let best = Infinity;
        let bi = -1;
        for (let i = 0; i < data.raDeg.length; i++) {
          if (Math.abs(data.decDeg[i] - dec) < 0.01) {
            const s = haversineDeg(ra, dec, data.raDeg[i], data.decDeg[i]) * 3600;
            if (s < best) {
              best = s;
              bi = i;
            }
          }
        }
        expect({ name, near: best < tolArcsec }).toEqual({ name, near: true });
        expect(mag[bi]).toBeLessThan(2);
      }
      // Uniformised index: stars cover the whole sky, both hemispheres alike.
      const north = data.decDeg.filter(d => d > 0).length;
      expect(north / data.decDeg.length).toBeGreaterThan(0.45);
      expect(north / data.decDeg.length).toBeLessThan(0.55);
    }
  );
});

import { describe, expect, it } from 'vitest';
import type { ConeResult } from './catalogs.js';
import { coneJson } from './cone-json.js';
import { toJson } from './http.js';

/** What the route sent before: the object form through toJson. */
function viaObjects(r: ConeResult): string {
  return toJson({
    catalog: r.catalog,
    ra: r.raDeg,
    dec: r.decDeg,
    radiusArcsec: r.radiusArcsec,
    count: r.rows.length,
    truncated: r.truncated,
    rows: r.rows.map(row => ({
      id: row.id,
      ra: row.raDeg,
      dec: row.decDeg,
      separationArcsec: row.separationArcsec,
      ...row.columns
    }))
  });
}

function result(columns: ConeResult['columns'], rows: ConeResult['rows']): ConeResult {
  return {
    catalog: 'cat "q"',
    raDeg: 10.5,
    decDeg: -89.99,
    radiusArcsec: 2,
    columns,
    idKind: 'bigint',
    rows,
    truncated: rows.length > 1
  };
}

describe('coneJson', () => {
  it('writes the same text as the object form, cell kinds and odd names included', () => {
    const r = result(
      [
        { name: 'mag', kind: 'double' },
        { name: 'name', kind: 'string' },
        { name: 'flag', kind: 'bool' },
        { name: 'hip', kind: 'bigint' },
        { name: 'n"ote', kind: 'string' }
      ],
      [
        {
          id: 9007199254740993n,
          raDeg: 359.9999999,
          decDeg: -1e-7,
          separationArcsec: 0.123456789,
          columns: { mag: NaN, name: 'Ünïcode "x"\n', flag: true, hip: -5n, 'n"ote': null }
        },
        {
          id: 'NGC 224',
          raDeg: 0,
          decDeg: 90,
          separationArcsec: 1.9999,
          columns: { mag: -0, name: null, flag: false, hip: null, 'n"ote': 'a' }
        }
      ]
    );
    expect(coneJson(r)).toBe(viaObjects(r));
    expect(JSON.parse(coneJson(r)).rows[0].id).toBe('9007199254740993');
  });

  it('lets a catalog column named like a fixed key replace it in place, as spread did', () => {
    const r = result(
      [
        { name: 'ra', kind: 'double' },
        { name: 'v', kind: 'double' }
      ],
      [{ id: 1n, raDeg: 1, decDeg: 2, separationArcsec: 3, columns: { ra: 42, v: 7 } }]
    );
    expect(coneJson(r)).toBe(viaObjects(r));
    expect(coneJson(result([], []))).toBe(viaObjects(result([], [])));
  });
});

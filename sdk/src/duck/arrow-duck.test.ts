import { describe, expect, it } from 'vitest';
import {
  Bool,
  Float64,
  Int64,
  RecordBatch,
  Utf8,
  Int32,
  vectorFromArray,
  Dictionary,
  makeVector
} from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { arrowToDuckTable, queryArrow } from './index.js';

async function withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const big = 2n ** 62n + 12345n;
const ids = [big, null, -big, 9007199254740993n, 0n];
const mags = [18.5, Number.NaN, null, -0.25, 1e300];
const names = ['ZTF21abc', null, '', 'a string longer than twelve bytes ✓', 'x'];
const flags = [true, false, null, true, false];

function sampleBatch(): RecordBatch {
  return new RecordBatch({
    alertId: vectorFromArray(ids, new Int64()).data[0],
    mag: vectorFromArray(mags, new Float64()).data[0],
    objectId: vectorFromArray(names, new Utf8()).data[0],
    isMovingObject: vectorFromArray(flags, new Bool()).data[0]
  });
}

describe('Arrow <-> DuckDB column transfer', () => {
  it('round-trips Int64 beyond 2^53, NaN vs null, strings and bools exactly', async () => {
    await withConnection(async c => {
      const plan = await arrowToDuckTable(c, 'alerts', sampleBatch(), { rowIndexColumn: '__row' });
      expect(plan.skipped).toEqual([]);
      const out = await queryArrow(
        c,
        'SELECT alertId, mag, objectId, isMovingObject, __row FROM alerts ORDER BY __row'
      );
      expect(out.numRows).toBe(5);
      expect([...out.getChild('alertId')!]).toEqual(ids);
      const outMags = [...out.getChild('mag')!];
      expect(Number.isNaN(outMags[1])).toBe(true);
      expect(outMags[2]).toBeNull();
      expect([outMags[0], outMags[3], outMags[4]]).toEqual([mags[0], mags[3], mags[4]]);
      expect([...out.getChild('objectId')!]).toEqual(names);
      expect([...out.getChild('isMovingObject')!]).toEqual(flags);
      expect([...out.getChild('__row')!]).toEqual([0, 1, 2, 3, 4]);
      // DuckDB itself sees the exact 64-bit value and a real NaN (not a null)
      const check = await c.runAndReadAll(
        `SELECT count(*) FILTER (WHERE alertId = ${big}) AS exact, count(*) FILTER (WHERE isnan(mag)) AS nans, count(*) FILTER (WHERE mag IS NULL) AS nulls FROM alerts`
      );
      expect(check.getRowObjectsJS()[0]).toEqual({ exact: 1n, nans: 1n, nulls: 1n });
    });
  });

  it('moves many chunks (> 2048 rows), sliced batches and dictionary strings', async () => {
    await withConnection(async c => {
      const n = 5000;
      const x = new Float64Array(n).map((_, i) => i * 0.5);
      const validX = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : x[i]));
      const dictBand = makeVector({
        type: new Dictionary(new Utf8(), new Int32()),
        data: new Int32Array(n).map((_, i) => i % 3),
        dictionary: vectorFromArray(['g', 'r', 'i'], new Utf8())
      } as never);
      const full = new RecordBatch({
        x: vectorFromArray(validX, new Float64()).data[0],
        band: dictBand.data[0],
        id: vectorFromArray(
          Array.from({ length: n }, (_, i) => BigInt(i) * 1000000007n),
          new Int64()
        ).data[0]
      });
      const sliced = full.slice(3, 4003);
      await arrowToDuckTable(c, 't', sliced, { rowIndexColumn: 'r' });
      const out = await queryArrow(c, 'SELECT x, band, id FROM t ORDER BY r');
      expect(out.numRows).toBe(4000);
      const xs = [...out.getChild('x')!];
      const bands = [...out.getChild('band')!];
      const idsOut = [...out.getChild('id')!];
      for (let j = 0; j < 4000; j++) {
        const i = j + 3;
        expect(xs[j]).toBe(i % 7 === 0 ? null : i * 0.5);
        expect(bands[j]).toBe(['g', 'r', 'i'][i % 3]);
        expect(idsOut[j]).toBe(BigInt(i) * 1000000007n);
      }
    });
  });

  it('leaves list/struct columns out of the table and says so', async () => {
    await withConnection(async c => {
      const batch = new RecordBatch({
        a: vectorFromArray([1, 2], new Float64()).data[0],
        lc: vectorFromArray([[1], [2, 3]]).data[0]
      });
      const plan = await arrowToDuckTable(c, 't', batch);
      expect(plan.skipped).toEqual(['lc']);
      expect(plan.columns.map(col => col.name)).toEqual(['a']);
    });
  });
});

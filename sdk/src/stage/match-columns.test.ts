import { tableFromArrays, vectorFromArray, Float64, Int64, RecordBatch, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Matcher } from '../crossmatch/types.js';
import { addMatchColumns } from './match-columns.js';

/** A matcher answering with fixed pairs (by catalog, alert, increasing separation). */
function fixedMatcher(pairs: Table): Matcher {
  return { match: async () => pairs } as unknown as Matcher;
}

describe('addMatchColumns', () => {
  it('takes each row its nearest match, null where there is none', async () => {
    const alerts = tableFromArrays({ ra: new Float64Array([1, 2, 3, 4]) }).batches[0];
    const pairs = new Table({
      alertRow: vectorFromArray(new Int32Array([0, 0, 2])),
      catalog: vectorFromArray(['hip', 'hip', 'hip']),
      catalogId: vectorFromArray([7n, 8n, null], new Int64()),
      separationArcsec: vectorFromArray(new Float64Array([0.5, 1.5, 0.25])),
      vmag: vectorFromArray([9.5, 10, null], new Float64()),
      name: vectorFromArray(['a', 'b', 'c'])
    });
    const config = { catalogs: [{ name: 'hip', radiusArcsec: 2, columns: ['vmag', 'name'] }] };
    const { batch, matches } = await addMatchColumns(
      alerts as RecordBatch,
      fixedMatcher(pairs),
      config as never
    );
    const col = (name: string) => [...(batch.getChild(name) ?? [])];
    expect(col('xm_hip_count')).toEqual([2, 0, 1, 0]);
    expect(col('xm_hip_id')).toEqual([7n, null, null, null]);
    expect(col('xm_hip_sepArcsec')).toEqual([0.5, null, 0.25, null]);
    expect(col('xm_hip_vmag')).toEqual([9.5, null, null, null]);
    expect(col('xm_hip_name')).toEqual(['a', null, 'c', null]);
    expect(batch.getChild('xm_hip_sepArcsec')?.nullCount).toBe(2);
    expect(batch.getChild('xm_hip_id')?.type).toBeInstanceOf(Int64);
    expect(matches.matchesOf(0).hip.map(m => m.id)).toEqual(['7', '8']);
  });
});

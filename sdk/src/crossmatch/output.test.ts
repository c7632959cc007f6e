import { describe, expect, it } from 'vitest';
import { buildOutputTable, type OutputPart } from './output.js';

function part(name: string, n: number, base: number): OutputPart {
  return {
    shape: { name, idKind: 'bigint', columns: [] },
    alertRow: Int32Array.from({ length: n }, (_, i) => base + i),
    sepArcsec: Float64Array.from({ length: n }, (_, i) => i / 10),
    ids: { kind: 'bigint', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(base + i)) },
    columns: {}
  };
}

describe('buildOutputTable', () => {
  it('repeats each catalog name once per row, whatever the run lengths', () => {
    for (const lens of [[0], [1], [5], [3, 0, 7], [1000, 1, 33]]) {
      const names = ['tycho2', 'é-cat', 'hip'];
      const t = buildOutputTable(
        lens.map((n, k) => part(names[k], n, 100 * k)),
        []
      );
      expect(Array.from(t.getChild('catalog')?.toArray() ?? [])).toEqual(
        lens.flatMap((n, k) => Array<string>(n).fill(names[k]))
      );
    }
  });

  it('uses a single catalog’s own columns and copies when there are several', () => {
    const one = part('a', 4, 0);
    const t = buildOutputTable([one], []);
    expect(Array.from(t.getChild('alertRow')?.toArray() as Int32Array)).toEqual([0, 1, 2, 3]);
    expect(Array.from(t.getChild('catalogId')?.toArray() as BigInt64Array)).toEqual([
      0n,
      1n,
      2n,
      3n
    ]);
    const two = buildOutputTable([part('a', 2, 0), part('b', 2, 10)], []);
    expect(Array.from(two.getChild('alertRow')?.toArray() as Int32Array)).toEqual([0, 1, 10, 11]);
    expect(Array.from(two.getChild('separationArcsec')?.toArray() as Float64Array)).toEqual([
      0, 0.1, 0, 0.1
    ]);
  });
});

describe('the catalog column of a one-catalog result', () => {
  it('reuses the longest one built for a name, each result exactly its own rows', () => {
    const names = (n: number): string[] =>
      Array.from(buildOutputTable([part('reuse-cat', n, 0)], []).getChild('catalog') ?? []);
    for (const n of [2000, 3, 0, 5000, 17]) {
      expect(names(n)).toEqual(Array<string>(n).fill('reuse-cat'));
    }
    const small = buildOutputTable([part('reuse-cat', 3, 0)], []).getChild('catalog');
    expect(small?.data[0].values.length).toBe(3 * 'reuse-cat'.length);
    expect(small?.data[0].valueOffsets.length).toBe(4);
  });
});

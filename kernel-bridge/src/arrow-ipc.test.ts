import { Int32, Table, Utf8, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fromIpcBytes, fromIpcParts, toIpcBytes, toIpcParts } from './arrow-ipc.js';

function table(n: number): Table {
  const names = ['a', 'bc', null, 'déf'];
  return new Table({
    alertRow: makeVector(Int32Array.from({ length: n }, (_, i) => i)),
    sep: makeVector(Float64Array.from({ length: n }, (_, i) => i / 7)),
    name: vectorFromArray(
      Array.from({ length: n }, (_, i) => names[i % 4]),
      new Utf8()
    )
  });
}

describe('toIpcParts', () => {
  it('is the IPC stream toIpcBytes writes, in parts', async () => {
    for (const n of [0, 3, 200_000]) {
      const t = table(n);
      const parts = await toIpcParts(t);
      const joined = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.byteLength;
      }
      expect(Buffer.from(joined).equals(Buffer.from(toIpcBytes(t)))).toBe(true);
      const back = fromIpcParts(parts);
      expect(back.numRows).toBe(n);
      expect(Array.from(back.getChild('name') ?? [])).toEqual(Array.from(t.getChild('name') ?? []));
    }
  });

  it('sends large column buffers as views and joins only the small pieces', async () => {
    const t = table(200_000);
    const parts = await toIpcParts(t);
    const sep = t.getChild('sep')?.data[0].values as Float64Array;
    expect(parts.some(p => p.buffer === sep.buffer)).toBe(true);
    expect(parts.length).toBeLessThan(10);
    // one part is read in place
    const one = toIpcBytes(t);
    expect(fromIpcParts([one]).numRows).toBe(fromIpcBytes(one).numRows);
    const col = makeVector(makeData({ type: new Int32(), length: 2, data: Int32Array.of(4, 5) }));
    expect(
      fromIpcParts(await toIpcParts(new Table({ col })))
        .getChild('col')
        ?.get(1)
    ).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { ByteWriter } from './bytes.js';

/** Reference zig-zag varint of a 64-bit value, straight from the Avro spec, with BigInt. */
function reference(v: bigint): number[] {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  for (;;) {
    const low = Number(z & 0x7fn);
    z >>= 7n;
    if (z === 0n) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

function written(fn: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter(4);
  fn(w);
  return [...w.toBytes()];
}

const EDGES = [
  0n,
  1n,
  -1n,
  63n,
  -64n,
  64n,
  2n ** 30n - 1n,
  2n ** 30n,
  -(2n ** 30n),
  -(2n ** 30n) - 1n,
  2n ** 31n,
  2n ** 52n - 1n,
  2n ** 52n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 3n,
  1152921504673956339n,
  2n ** 63n - 1n,
  -(2n ** 63n)
];

describe('ByteWriter', () => {
  it('writes spec examples of zig-zag varints', () => {
    expect(written(w => w.long(0))).toEqual([0]);
    expect(written(w => w.long(-1))).toEqual([1]);
    expect(written(w => w.long(1))).toEqual([2]);
    expect(written(w => w.long(-64))).toEqual([0x7f]);
    expect(written(w => w.long(64))).toEqual([0x80, 0x01]);
  });

  it('writes longs from bigint and from number like the reference, edges and random', () => {
    const rng = Rng.stream(1, 'bytes-test');
    const values = [...EDGES];
    for (let i = 0; i < 2000; i++) {
      const hi = BigInt(rng.uint32()) << 32n;
      const v = BigInt.asIntN(64, hi | BigInt(rng.uint32())) >> BigInt(rng.int(64));
      values.push(v);
    }
    for (const v of values) {
      expect(
        written(w => w.bigLong(v)),
        `bigint ${v}`
      ).toEqual(reference(v));
      if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
        expect(
          written(w => w.long(Number(v))),
          `number ${v}`
        ).toEqual(reference(v));
      }
    }
  });

  it('writes floats, doubles, strings and bytes, growing its buffer', () => {
    expect(written(w => w.float(1.5))).toEqual([0, 0, 0xc0, 0x3f]);
    expect(written(w => w.double(-2))).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0]);
    expect(written(w => w.string('ab'))).toEqual([4, 0x61, 0x62]);
    expect(written(w => w.string('é'))).toEqual([4, 0xc3, 0xa9]);
    const long = 'x'.repeat(200);
    expect(written(w => w.string(long))).toEqual([...reference(200n), ...Array(200).fill(0x78)]);
    expect(written(w => w.bytes(Uint8Array.of(9, 8)))).toEqual([4, 9, 8]);
    expect(written(w => w.uint32BE(1000))).toEqual([0, 0, 3, 0xe8]);
  });
});

import { makeVector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Utf8Column } from './varlen.js';

/** The 32-bit halves of a signed 64-bit value, as generated readers keep ids. */
const halves = (v: bigint): [number, number] => {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
};

describe('Utf8Column.appendDecimal', () => {
  it('writes the decimal text of 64-bit ids exactly, as bigint.toString() does', () => {
    const values = [
      0n,
      1n,
      -1n,
      9n,
      10n,
      9999n,
      10000n,
      10001n,
      65536n * 10000n,
      4294967296n,
      2n ** 53n + 1n,
      313953945018499078n,
      -313953945018499078n,
      100000000000000000n,
      2n ** 63n - 1n,
      -(2n ** 63n)
    ];
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 2000; i++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      values.push(BigInt.asIntN(64, x) >> BigInt(i % 64));
    }
    const col = new Utf8Column();
    for (const v of values) {
      col.appendDecimal(...halves(v));
    }
    expect([...makeVector(col.finish())]).toEqual(values.map(v => v.toString()));
  });
});

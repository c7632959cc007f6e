import { describe, expect, it } from 'vitest';
import { PairBuffer } from './pairBuffer.js';

/** Pushes (alert, catRow, chord²) triples and sorts them by alert. */
function sorted(buf: PairBuffer, pairs: [number, number, number][], alerts: number): number[][] {
  buf.reset();
  for (const [a, c, d] of pairs) {
    buf.push(a, c, d);
  }
  buf.sortByAlert(alerts);
  return Array.from({ length: buf.length }, (_, i) => [
    buf.alertRow[i],
    buf.catRow[i],
    buf.chord2[i]
  ]);
}

describe('PairBuffer.sortByAlert', () => {
  it('orders pairs by alert, stable within an alert, call after call on reused arrays', () => {
    const buf = new PairBuffer();
    const first: [number, number, number][] = [
      [3, 30, 0.1],
      [1, 10, 0.2],
      [3, 31, 0.3],
      [0, 5, 0.4],
      [1, 11, 0.5]
    ];
    expect(sorted(buf, first, 4)).toEqual([
      [0, 5, 0.4],
      [1, 10, 0.2],
      [1, 11, 0.5],
      [3, 30, 0.1],
      [3, 31, 0.3]
    ]);
    // A second and third call reuse the other half of the double buffer: no stale pairs leak in.
    const second: [number, number, number][] = [
      [2, 7, 0.7],
      [0, 8, 0.8]
    ];
    expect(sorted(buf, second, 3)).toEqual([
      [0, 8, 0.8],
      [2, 7, 0.7]
    ]);
    expect(sorted(buf, first, 4)[0]).toEqual([0, 5, 0.4]);
  });

  it('keeps every pair when the buffer grows past its capacity between sorts', () => {
    const buf = new PairBuffer();
    const many: [number, number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      many.push([4999 - i, i, i / 5000]);
    }
    const out = sorted(buf, many, 5000);
    expect(out).toHaveLength(5000);
    expect(out.every(([a, c], i) => a === i && c === 4999 - i)).toBe(true);
    expect(sorted(buf, many.slice(0, 3), 5000).map(p => p[0])).toEqual([4997, 4998, 4999]);
  });
});

describe('PairBuffer.takeInAlertOrder', () => {
  it('returns fresh arrays in the order sortByAlert gives, sorted or not, leaving the buffer', () => {
    const buf = new PairBuffer();
    const pairs: [number, number, number][] = [
      [3, 30, 0.1],
      [1, 10, 0.2],
      [3, 31, 0.3],
      [0, 5, 0.4],
      [1, 11, 0.5]
    ];
    for (const [a, c, d] of pairs) {
      buf.push(a, c, d);
    }
    const t = buf.takeInAlertOrder(4);
    expect(Array.from(t.alertRow)).toEqual([0, 1, 1, 3, 3]);
    expect(Array.from(t.catRow)).toEqual([5, 10, 11, 30, 31]);
    expect(Array.from(t.chord2)).toEqual([0.4, 0.2, 0.5, 0.1, 0.3]);
    expect(t.alertRow.buffer).not.toBe(buf.alertRow.buffer);
    expect(t.alertRow.length).toBe(5);
    expect(Array.from(buf.alertRow.subarray(0, 5))).toEqual([3, 1, 3, 0, 1]);
    // already in order: a plain copy
    expect(sorted(buf, pairs, 4).map(p => p[0])).toEqual([0, 1, 1, 3, 3]);
    const again = buf.takeInAlertOrder(4);
    expect(Array.from(again.catRow)).toEqual([5, 10, 11, 30, 31]);
    buf.catRow[0] = -1;
    expect(again.catRow[0]).toBe(5);
  });
});

/**
 * An order-free fingerprint of which alerts went to which output: per output, the number of
 * alerts and a sum and an XOR of a 32-bit mix of each `alertId`. Two runs that route the same
 * alerts to the same outputs have equal digests, whatever the batch boundaries or row order — so a
 * backtest in the notebook, the controller's gate and a deployed stage can be compared without
 * shipping every id. Whole columns at a time (the Int64 words are read directly).
 */
import type { RecordBatch } from 'apache-arrow';

function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function bitSet(bits: Uint8Array | null | undefined, i: number): boolean {
  return (
    bits === null ||
    bits === undefined ||
    bits.length === 0 ||
    (bits[i >> 3] & (1 << (i & 7))) !== 0
  );
}

export class RoutingDigest {
  private readonly counts: number[];
  private readonly sums: number[];
  private readonly xors: number[];

  constructor(readonly outputs: number) {
    this.counts = new Array<number>(outputs).fill(0);
    this.sums = new Array<number>(outputs).fill(0);
    this.xors = new Array<number>(outputs).fill(0);
  }

  /** Adds one routed batch: `index[row]` is the output of `row` (negative: none). */
  add(batch: RecordBatch, index: Int32Array): void {
    const column = batch.getChild('alertId');
    let row = 0;
    for (const data of column?.data ?? []) {
      const values = data.values as unknown;
      const words =
        values instanceof BigInt64Array || values instanceof BigUint64Array
          ? new Uint32Array(values.buffer, values.byteOffset, data.length * 2)
          : undefined;
      for (let i = 0; i < data.length; i++, row++) {
        const k = index[row];
        if (k < 0) {
          continue;
        }
        const valid = words !== undefined && bitSet(data.nullBitmap, data.offset + i);
        const h = valid ? mix32(words[2 * i] ^ mix32(words[2 * i + 1] ^ 0x9e3779b9)) : 0;
        this.counts[k]++;
        this.sums[k] = (this.sums[k] + h) >>> 0;
        this.xors[k] = (this.xors[k] ^ h) >>> 0;
      }
    }
    if (column === null) {
      for (let i = 0; i < index.length; i++) {
        if (index[i] >= 0) {
          this.counts[index[i]]++;
        }
      }
    }
  }

  /** Per output: `<count>:<sum hex>:<xor hex>`. */
  digests(): string[] {
    return this.counts.map(
      (n, k) =>
        `${n}:${this.sums[k].toString(16).padStart(8, '0')}:${this.xors[k].toString(16).padStart(8, '0')}`
    );
  }
}

/**
 * Variable-length column builders (Utf8, Binary): offsets + bytes, copied straight from the input
 * buffer. Strings are never decoded to JS strings on the hot path.
 */
import { Binary, Utf8, makeData, type Data } from 'apache-arrow';
import { ColumnBuilder } from './columns.js';

const INITIAL_ROWS = 64;
const INITIAL_BYTES = 1024;
const encoder = new TextEncoder();

abstract class VarLenColumn extends ColumnBuilder {
  protected offsets = new Int32Array(INITIAL_ROWS + 1);
  protected bytes = new Uint8Array(INITIAL_BYTES);

  /** Appends `len` bytes of `src` starting at `start`. */
  appendBytes(src: Uint8Array, start: number, len: number): void {
    const n = this.length;
    if (n + 1 >= this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.ensureValid();
    const at = this.offsets[n];
    const end = at + len;
    if (end > this.bytes.length) {
      let cap = this.bytes.length * 2;
      while (cap < end) {
        cap *= 2;
      }
      const next = new Uint8Array(cap);
      next.set(this.bytes.subarray(0, at));
      this.bytes = next;
    }
    const bytes = this.bytes;
    if (len < 32) {
      for (let i = 0; i < len; i++) {
        bytes[at + i] = src[start + i];
      }
    } else {
      bytes.set(src.subarray(start, start + len), at);
    }
    this.offsets[n + 1] = end;
    this.valid[n] = 1;
    this.length = n + 1;
  }

  appendNull(): void {
    this.appendBytes(this.bytes, 0, 0);
    this.valid[this.length - 1] = 0;
  }

  truncate(rows: number): void {
    this.length = Math.min(this.length, rows);
  }

  protected takeBuffers(): {
    length: number;
    valueOffsets: Int32Array;
    data: Uint8Array;
    nullBitmap?: Uint8Array;
    nullCount: number;
  } {
    const n = this.length;
    const out = {
      length: n,
      valueOffsets: this.offsets.subarray(0, n + 1),
      data: this.bytes.subarray(0, this.offsets[n]),
      ...this.takeValidity()
    };
    this.offsets = new Int32Array(Math.max(INITIAL_ROWS, n) + 1);
    this.bytes = new Uint8Array(Math.max(INITIAL_BYTES, out.data.length));
    this.length = 0;
    return out;
  }
}

const digits = new Uint8Array(20);

/** Utf8 column. */
export class Utf8Column extends VarLenColumn {
  readonly type = new Utf8();
  /**
   * Appends the decimal text of the signed 64-bit integer with 32-bit halves `lo` and `hi`
   * (what bigint.toString() gives, without making a bigint or a string): four 16-bit limbs
   * divided by 10^4 at a time, every step exact in doubles.
   */
  appendDecimal(lo: number, hi: number): void {
    const neg = hi < 0;
    let l = lo >>> 0;
    let h = hi >>> 0;
    if (neg) {
      l = (~l + 1) >>> 0;
      h = (~h + (l === 0 ? 1 : 0)) >>> 0;
    }
    let a = h >>> 16;
    let b = h & 0xffff;
    let c = l >>> 16;
    let d = l & 0xffff;
    let k = digits.length;
    for (;;) {
      let q = Math.floor(a / 10000);
      let r = a - q * 10000;
      a = q;
      let x = r * 65536 + b;
      q = Math.floor(x / 10000);
      r = x - q * 10000;
      b = q;
      x = r * 65536 + c;
      q = Math.floor(x / 10000);
      r = x - q * 10000;
      c = q;
      x = r * 65536 + d;
      q = Math.floor(x / 10000);
      r = x - q * 10000;
      d = q;
      const more = (a | b | c | d) !== 0;
      for (let j = 0; j < 4 && (more || r !== 0 || j === 0); j++) {
        const next = Math.floor(r / 10);
        digits[--k] = 48 + r - next * 10;
        r = next;
      }
      if (!more) {
        break;
      }
    }
    if (neg) {
      digits[--k] = 45; // '-'
    }
    this.appendBytes(digits, k, digits.length - k);
  }
  /** Appends a JS string (encoded to UTF-8); for the cold path only. */
  appendString(s: string): void {
    const b = encoder.encode(s);
    this.appendBytes(b, 0, b.length);
  }
  finish(): Data {
    return makeData({ type: this.type, ...this.takeBuffers() });
  }
}

/** Binary column (cutouts, Avro `bytes` and `fixed`). */
export class BinaryColumn extends VarLenColumn {
  readonly type = new Binary();
  finish(): Data {
    return makeData({ type: this.type, ...this.takeBuffers() });
  }
}

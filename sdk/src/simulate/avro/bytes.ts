/**
 * A growable byte buffer with the Avro binary primitives: zig-zag varints (int, long from number
 * or bigint), little-endian float/double, length-prefixed bytes and UTF-8 strings.
 */

const TWO_32 = 4294967296;
const utf8 = new TextEncoder();

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) {
      return;
    }
    let size = this.buf.length * 2;
    while (size < this.pos + n) {
      size *= 2;
    }
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written, as a view on the internal buffer (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  boolean(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  /** An int or a safe-integer long as a zig-zag varint. */
  long(n: number): void {
    this.ensure(10);
    if (n >= -0x40000000 && n < 0x40000000) {
      let z = (n << 1) ^ (n >> 31);
      while (z >= 0x80) {
        this.buf[this.pos++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      this.buf[this.pos++] = z;
      return;
    }
    if (n >= 2 ** 52 || n <= -(2 ** 52)) {
      this.bigLong(BigInt(n));
      return;
    }
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 0x80) {
      this.buf[this.pos++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.pos++] = z;
  }

  /** A 64-bit long given as a bigint, as a zig-zag varint. */
  bigLong(v: bigint): void {
    if (v >= -0x40000000n && v < 0x40000000n) {
      this.long(Number(v));
      return;
    }
    const z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    let lo = Number(z & 0xffffffffn);
    let hi = Number(z >> 32n);
    this.ensure(10);
    while (hi > 0 || lo >= 0x80) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      lo >>>= 0;
      hi = Math.floor(hi / 0x80);
    }
    this.buf[this.pos++] = lo;
  }

  float(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.long(b.length);
    this.raw(b);
  }

  string(s: string): void {
    const n = s.length;
    if (n < 64) {
      // one length byte; ASCII written directly, anything else falls back to the encoder
      this.ensure(n + 1);
      const start = this.pos;
      this.buf[start] = n << 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          break;
        }
        this.buf[start + 1 + i] = c;
      }
      if (i === n) {
        this.pos = start + 1 + n;
        return;
      }
    }
    this.bytes(utf8.encode(s));
  }

  /** A big-endian uint32 (the Confluent wire header's schema id). */
  uint32BE(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v % TWO_32, false);
    this.pos += 4;
  }
}

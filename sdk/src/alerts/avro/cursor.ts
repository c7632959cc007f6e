/**
 * Shared state and slow-path helpers for generated Avro readers. Generated code keeps the read
 * position in a local variable and calls these helpers, which return values and leave the new
 * position in `p`. Reading past the end of the input yields zeros here; readers detect that by
 * checking the final position against the end (and `len()` checks every length).
 */
import { AlertDecodeError } from '../../errors.js';

export class AvroCursor {
  /** Position after the last helper call. */
  p = 0;
  /** Low and high 32 bits of the last `long64()`. */
  lo = 0;
  hi = 0;

  /** Reads a zigzag varint as a number (exact up to 2^53). */
  long(b: Uint8Array, p: number): number {
    let byte = b[p++];
    if (byte < 128) {
      this.p = p;
      return (byte >>> 1) ^ -(byte & 1);
    }
    let v = byte & 0x7f;
    let mul = 128;
    do {
      byte = b[p++];
      v += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80 && mul < 2 ** 70);
    this.p = p;
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  }

  /** Reads a zigzag varint exactly into `lo`/`hi` (two's complement halves); returns the new position. */
  long64(b: Uint8Array, p: number): number {
    let byte = b[p++];
    let lo = byte & 0x7f;
    let hi = 0;
    if (byte & 0x80) {
      byte = b[p++];
      lo |= (byte & 0x7f) << 7;
      if (byte & 0x80) {
        byte = b[p++];
        lo |= (byte & 0x7f) << 14;
        if (byte & 0x80) {
          byte = b[p++];
          lo |= (byte & 0x7f) << 21;
          if (byte & 0x80) {
            byte = b[p++];
            lo |= (byte & 0x0f) << 28;
            hi = (byte & 0x7f) >>> 4;
            let shift = 3;
            while (byte & 0x80 && shift < 32) {
              byte = b[p++];
              hi |= (byte & 0x7f) << shift;
              shift += 7;
            }
          }
        }
      }
    }
    const mask = -(lo & 1);
    this.lo = ((lo >>> 1) | (hi << 31)) ^ mask;
    this.hi = (hi >>> 1) ^ mask;
    return p;
  }

  /** The last `long64()` as a number (may round above 2^53). */
  num64(): number {
    return this.hi * 4294967296 + (this.lo >>> 0);
  }

  /** Reads a byte/string length and checks it fits before `end`. */
  len(b: Uint8Array, p: number, end: number): number {
    const n = this.long(b, p);
    if (n < 0 || this.p + n > end) {
      throw this.truncated(this.p);
    }
    return n;
  }

  truncated(at: number): AlertDecodeError {
    return new AlertDecodeError(
      `Avro data is truncated or corrupt at byte ${at}: a length runs past the end of the record.`,
      { context: { position: at } }
    );
  }

  badUnion(at: number, index: number): AlertDecodeError {
    const which = index < 0 ? 'a union branch byte' : `union branch ${index}`;
    return new AlertDecodeError(
      `Avro data is corrupt near byte ${at}: ${which} does not exist in the schema (wrong schema or damaged record).`,
      { context: { position: at, index } }
    );
  }

  badEnum(at: number, index: number): AlertDecodeError {
    return new AlertDecodeError(
      `Avro data is corrupt at byte ${at}: enum symbol ${index} does not exist in the schema.`,
      { context: { position: at, index } }
    );
  }
}

/** Builds a bigint from the halves written by `long64()`. */
export function bigintFromHalves(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

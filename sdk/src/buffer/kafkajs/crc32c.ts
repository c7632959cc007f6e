/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches.
 * `crc32c` uses the native SSE4.2/ARM instruction through `@node-rs/crc32` (prebuilt binaries in
 * npm packages, ~5 GB/s), and falls back to `crc32cJs` where no binary loads: slicing-by-8 over
 * eight 256-entry tables, ~1 GB/s in V8 (a byte-at-a-time table does ~0.4 GB/s).
 */
import { createRequire } from 'node:module';

const POLY = 0x82f63b78;

function makeTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    }
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let t = 1; t < 8; t++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[t][n] = c;
    }
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = makeTables();

/** CRC-32C of `bytes[start, end)` as an unsigned 32-bit number, in JavaScript. */
export function crc32cJs(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = -1;
  let i = start;
  const stop8 = end - ((end - start) & 7);
  for (; i < stop8; i += 8) {
    const a = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ crc;
    crc =
      T7[a & 0xff] ^
      T6[(a >>> 8) & 0xff] ^
      T5[(a >>> 16) & 0xff] ^
      T4[a >>> 24] ^
      T3[bytes[i + 4]] ^
      T2[bytes[i + 5]] ^
      T1[bytes[i + 6]] ^
      T0[bytes[i + 7]];
  }
  for (; i < end; i++) {
    crc = T0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

type Crc32c = (bytes: Uint8Array, start?: number, end?: number) => number;

function loadNative(): Crc32c | undefined {
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as {
      crc32c(input: Uint8Array, initialState?: number): number;
    };
    const check = Buffer.from('123456789');
    if (native.crc32c(check) !== 0xe3069283) {
      return undefined;
    }
    return (bytes, start = 0, end = bytes.length) =>
      native.crc32c(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation `crc32c` is: 'native' or 'js'. */
export const crc32cImplementation: 'native' | 'js' = native ? 'native' : 'js';

/** CRC-32C of `bytes[start, end)` as an unsigned 32-bit number (native when it loads). */
export const crc32c: Crc32c = native ?? crc32cJs;

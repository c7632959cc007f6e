/**
 * Avro object container files: `Obj\x01`, a metadata map (avro.schema, avro.codec), a 16-byte sync
 * marker, then blocks of (record count, byte size, data, sync). Codecs: null and deflate.
 */
import { inflateRawSync } from 'node:zlib';
import { AlertDecodeError } from '../../errors.js';
import { AvroCursor } from './cursor.js';

/** The four magic bytes at the start of an object container file. */
export const OCF_MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);

export interface OcfHeader {
  /** The embedded writer schema, as bytes (hash these to cache compiled readers). */
  schemaBytes: Uint8Array;
  codec: 'null' | 'deflate';
  sync: Uint8Array;
  /** Offset of the first block. */
  dataStart: number;
}

export interface OcfBlock {
  count: number;
  /** Decompressed block data; records are read from `start` to `end`. */
  data: Uint8Array;
  start: number;
  end: number;
}

/** True when `b` starts with the object container magic. */
export function isOcf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x4f && b[1] === 0x62 && b[2] === 0x6a && b[3] === 0x01;
}

const dec = new TextDecoder();

function fail(message: string, at: number): AlertDecodeError {
  return new AlertDecodeError(`Avro container file is corrupt: ${message} (byte ${at}).`, {
    context: { position: at }
  });
}

/** Reads the header of an object container file. */
export function readOcfHeader(b: Uint8Array): OcfHeader {
  if (!isOcf(b)) {
    throw fail('missing the Obj\\x01 magic', 0);
  }
  const h = new AvroCursor();
  let p = 4;
  let schemaBytes: Uint8Array | undefined;
  let codec = 'null';
  for (;;) {
    let n = h.long(b, p);
    p = h.p;
    if (n === 0) {
      break;
    }
    if (n < 0) {
      n = -n;
      h.long(b, p);
      p = h.p;
    }
    for (let i = 0; i < n; i++) {
      const kl = h.len(b, p, b.length);
      const key = dec.decode(b.subarray(h.p, h.p + kl));
      p = h.p + kl;
      const vl = h.len(b, p, b.length);
      const value = b.subarray(h.p, h.p + vl);
      p = h.p + vl;
      if (key === 'avro.schema') {
        schemaBytes = value;
      } else if (key === 'avro.codec') {
        codec = dec.decode(value);
      }
    }
  }
  if (!schemaBytes) {
    throw fail('no avro.schema in the header', p);
  }
  if (codec !== 'null' && codec !== 'deflate') {
    throw new AlertDecodeError(
      `Avro container codec "${codec}" is not supported; write the file with the null or deflate codec.`,
      { context: { codec } }
    );
  }
  if (p + 16 > b.length) {
    throw fail('header ends before the sync marker', p);
  }
  return { schemaBytes, codec, sync: b.subarray(p, p + 16), dataStart: p + 16 };
}

/** Iterates the blocks of a container file (decompressing deflate blocks). */
export function* readOcfBlocks(b: Uint8Array, header: OcfHeader): Generator<OcfBlock> {
  const h = new AvroCursor();
  let p = header.dataStart;
  while (p < b.length) {
    const count = h.long(b, p);
    p = h.p;
    const size = h.len(b, p, b.length);
    p = h.p;
    if (count < 0) {
      throw fail('negative record count', p);
    }
    const start = p;
    p += size;
    if (p + 16 > b.length) {
      throw fail('block ends before its sync marker', p);
    }
    for (let i = 0; i < 16; i++) {
      if (b[p + i] !== header.sync[i]) {
        throw fail('sync marker does not match', p);
      }
    }
    p += 16;
    if (header.codec === 'deflate') {
      let data: Uint8Array;
      try {
        data = inflateRawSync(b.subarray(start, start + size));
      } catch (cause) {
        throw new AlertDecodeError('Avro container block could not be inflated (deflate codec).', {
          cause,
          context: { position: p }
        });
      }
      yield { count, data, start: 0, end: data.length };
    } else {
      yield { count, data: b, start, end: start + size };
    }
  }
}

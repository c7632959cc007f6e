/** The `catalog` column of a match: each catalog's name repeated once per pair. */
import { Utf8, makeData, makeVector, type Vector } from 'apache-arrow';

/**
 * The `catalog` column of a one-catalog result, per catalog name: the longest built so far. Its
 * bytes and offsets for n rows are a prefix of those for more rows, so a call reuses them instead
 * of writing (and allocating: ~1 MB per 100k pairs) the same name again. Arrow data is read-only.
 */
const repeatedOne = new Map<string, { bytes: Uint8Array; offsets: Int32Array; rows: number }>();
/** Largest column kept in {@link repeatedOne} (rows), and most names kept: a few tens of MB at most. */
const REPEATED_MAX_ROWS = 1_000_000;
const REPEATED_MAX_NAMES = 4;

/** Utf8 vector of `names[k]` repeated `lengths[k]` times (each name encoded once). */
export function repeatedUtf8(names: string[], lengths: number[]): Vector {
  if (names.length === 1 && lengths[0] <= REPEATED_MAX_ROWS) {
    const name = names[0];
    const n = lengths[0];
    let hit = repeatedOne.get(name);
    if (!hit || hit.rows < n) {
      const rows = Math.max(n, 1024);
      const built = repeatedData([name], [rows]);
      hit = { bytes: built.bytes, offsets: built.offsets, rows };
      if (repeatedOne.size >= REPEATED_MAX_NAMES && !repeatedOne.has(name)) {
        repeatedOne.clear();
      }
      repeatedOne.set(name, hit);
    }
    return makeVector(
      makeData({
        type: new Utf8(),
        length: n,
        nullCount: 0,
        valueOffsets: hit.offsets.subarray(0, n + 1),
        data: hit.bytes.subarray(0, hit.offsets[n])
      })
    );
  }
  const { bytes, offsets } = repeatedData(names, lengths);
  return makeVector(
    makeData({
      type: new Utf8(),
      length: offsets.length - 1,
      nullCount: 0,
      valueOffsets: offsets,
      data: bytes
    })
  );
}

/** Bytes and offsets of `names[k]` repeated `lengths[k]` times. */
function repeatedData(
  names: string[],
  lengths: number[]
): { bytes: Uint8Array; offsets: Int32Array } {
  const enc = new TextEncoder();
  const encoded = names.map(n => enc.encode(n));
  const n = lengths.reduce((a, b) => a + b, 0);
  const total = encoded.reduce((acc, e, k) => acc + e.length * lengths[k], 0);
  const bytes = new Uint8Array(total);
  const offsets = new Int32Array(n + 1);
  let row = 0;
  let at = 0;
  encoded.forEach((e, k) => {
    const count = lengths[k];
    if (count > 0) {
      // Write the name once, then double the written run (log2(count) copies, not count sets).
      const end = at + e.length * count;
      bytes.set(e, at);
      for (let done = e.length; at + done < end; done *= 2) {
        bytes.copyWithin(at + done, at, at + Math.min(done, end - at - done));
      }
      for (let i = 0; i < count; i++) {
        at += e.length;
        offsets[++row] = at;
      }
    }
  });
  return { bytes, offsets };
}

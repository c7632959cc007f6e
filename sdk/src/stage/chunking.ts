/**
 * How a fetched batch of one partition is cut into chunks (one filter call and one transaction
 * each). Idle input comes in small batches, taken whole: a chunk commits as soon as it is done,
 * never waiting for more records. A backlog (a burst) comes in large batches, cut into chunks of
 * equal size — at most `maxRows` records and about `maxBytes` of input each — so no small
 * remainder chunk pays a transaction of its own, and the first chunk of a burst of real-size
 * alerts (100–250 KB each) holds tens of alerts, not thousands.
 */
import type { ConsumedRecord } from '../buffer/transport-types.js';

const recordBytes = (r: ConsumedRecord): number => (r.value?.length ?? 0) + (r.key?.length ?? 0);

/**
 * End indices (exclusive) of the chunks of `records`: ⌈n / maxRows⌉ chunks, or as many as keep
 * every chunk under `maxBytes`, whichever is more, cut where the running byte count crosses each
 * chunk's share. A single record larger than `maxBytes` is a chunk of its own.
 */
export function chunkEnds(
  records: ReadonlyArray<ConsumedRecord>,
  maxRows: number,
  maxBytes: number
): number[] {
  const n = records.length;
  if (n === 0) {
    return [];
  }
  let [total, largest] = [0, 0];
  for (const r of records) {
    const size = recordBytes(r);
    total += size;
    largest = Math.max(largest, size);
  }
  // an average chunk plus one record still fits under maxBytes
  const perChunk = Math.max(maxBytes - largest, maxBytes / 2);
  const count = Math.max(Math.ceil(n / maxRows), Math.ceil(total / perChunk));
  if (count <= 1) {
    return [n];
  }
  const rowsPer = Math.ceil(n / count);
  const ends: number[] = [];
  let [rows, bytes, before, share] = [0, 0, 0, total / count];
  for (let i = 0; i < n; i++) {
    const size = recordBytes(records[i]);
    // a record goes to the chunk that holds its middle byte
    if (rows > 0 && (rows >= rowsPer || bytes + size > maxBytes || before + size / 2 > share)) {
      ends.push(i);
      [rows, bytes] = [0, 0];
      share = (total * (ends.length + 1)) / count;
    }
    rows++;
    bytes += size;
    before += size;
  }
  ends.push(n);
  return ends;
}

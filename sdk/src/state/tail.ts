/**
 * Reads what a topic gained since the offsets a reader keeps (read_committed), stopping as soon as
 * every partition's last record is read instead of waiting out a quiet period: a changelog's last
 * data record is its watermark followed by one transaction marker; other topics end at high − 1.
 */
import type { ConsumedRecord, KafkaTransport } from '../buffer/transport-types.js';
import { readRanges, type OffsetRange } from '../objects/read-offsets.js';
import { WATERMARK_KEY } from './changelog.js';

const WATERMARK = Buffer.from(WATERMARK_KEY);

function isWatermark(r: ConsumedRecord): boolean {
  return r.key !== null && Buffer.from(r.key).equals(WATERMARK);
}

/**
 * Calls `onRecords` with each partition's records past `next` (updated in place to the offset to
 * read from next time). `changelog`: the topic is an object-state changelog (transactional).
 */
export async function readTail(
  transport: KafkaTransport,
  topic: string,
  next: Map<number, bigint>,
  changelog: boolean,
  onRecords: (partition: number, records: ConsumedRecord[]) => void
): Promise<number> {
  const admin = await transport.admin();
  let ends;
  try {
    ends = await admin.endOffsets(topic);
  } catch (error) {
    if ((error as Error).name === 'TopicNotFoundError') {
      return 0; // not created yet (a stage creates its changelog when it starts): nothing to read
    }
    throw error;
  } finally {
    await admin.close();
  }
  const ranges = new Map<number, OffsetRange[]>();
  const high = new Map<number, bigint>();
  for (const e of ends) {
    const from = next.get(e.partition) ?? e.low;
    const start = from < e.low ? e.low : from;
    if (e.high > start) {
      ranges.set(e.partition, [{ from: start, to: e.high }]);
      high.set(e.partition, e.high);
    }
  }
  if (ranges.size === 0) {
    return 0;
  }
  const pending = new Set(ranges.keys());
  const done = new AbortController();
  let count = 0;
  try {
    await readRanges(
      transport,
      topic,
      ranges,
      (p, records) => {
        count += records.length;
        onRecords(p, records);
        const last = records[records.length - 1];
        const end = high.get(p) as bigint;
        next.set(p, last.offset + 1n);
        if (
          last.offset >= end - 1n ||
          (changelog && isWatermark(last) && last.offset >= end - 2n)
        ) {
          next.set(p, end);
          pending.delete(p);
          if (pending.size === 0) {
            done.abort();
          }
        }
      },
      { signal: done.signal, settleMs: 1500, maxBytesPerPartition: 8 << 20 }
    );
  } catch (error) {
    if (!done.signal.aborted) {
      throw error;
    }
  }
  return count;
}

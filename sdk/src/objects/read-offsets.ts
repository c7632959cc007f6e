/**
 * Reads chosen offset ranges of one topic's partitions — not the whole topic: a consumer (a fresh,
 * throwaway group) seeks each partition to its first range, jumps over the gaps between ranges and
 * pauses a partition once its last range is read. Used to catch the object index up (one range per
 * partition: from its high-water mark to the end) and to fetch one object's alerts (one range per
 * run of offsets).
 */
import { randomUUID } from 'node:crypto';
import { AlertlabError } from '../errors.js';
import type { ConsumedRecord, FetchedBatch, KafkaTransport } from '../buffer/transport-types.js';

/** Offsets [from, to) of one partition. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

/** Options of {@link readRanges}. */
export interface ReadRangesOptions {
  /**
   * When the consumer as a whole has received nothing for this long (no batch of any partition
   * arriving or being handled) after every partition was assigned, the partitions not finished
   * are: what is left of their ranges holds no readable record (transaction markers, aborted or
   * deleted records). @default 3000
   */
  settleMs?: number;
  /** Give up (an error) after this long. @default 60_000 */
  timeoutMs?: number;
  /** @default 1048576 (1 MiB: a lookup wants a few records, not 10 MiB behind each) */
  maxBytesPerPartition?: number;
  /** Stops the read: it then rejects (what `onRecords` was given stays given). */
  signal?: AbortSignal;
}

/** Merges sorted offsets into runs: [3, 4, 5, 9] → [3, 6), [9, 10). */
export function rangesOf(offsets: readonly bigint[]): OffsetRange[] {
  const sorted = [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: OffsetRange[] = [];
  for (const o of sorted) {
    const last = out[out.length - 1];
    if (last && o <= last.to) {
      last.to = o + 1n > last.to ? o + 1n : last.to;
    } else {
      out.push({ from: o, to: o + 1n });
    }
  }
  return out;
}

interface PartitionState {
  ranges: OffsetRange[];
  /** Index of the range being read. */
  at: number;
  done: boolean;
  assigned: boolean;
}

/**
 * Reads `ranges` (per partition) of `topic`, calling `onRecords` with each partition's records that
 * fall in its ranges, in offset order. Resolves once every partition is finished.
 */
export async function readRanges(
  transport: KafkaTransport,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange[]>,
  onRecords: (partition: number, records: ConsumedRecord[]) => void | Promise<void>,
  options: ReadRangesOptions = {}
): Promise<void> {
  const states = new Map<number, PartitionState>();
  for (const [p, r] of ranges) {
    if (r.length > 0) {
      states.set(p, { ranges: r, at: 0, done: false, assigned: false });
    }
  }
  if (states.size === 0) {
    return;
  }
  const settleMs = options.settleMs ?? 3000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const consumer = await transport.consumer({
    groupId: `alertlab-objects-${randomUUID()}`,
    maxWaitTimeMs: 100,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1 << 20
  });
  let finish: (err?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = err => (err === undefined ? resolve() : reject(err));
  });
  const maybeDone = (): void => {
    if ([...states.values()].every(s => s.done)) {
      finish();
    }
  };
  const complete = (p: number, s: PartitionState): void => {
    s.done = true;
    consumer.pause(topic, [p]);
    maybeDone();
  };
  const onAbort = (): void =>
    finish(
      new AlertlabError(`Reading offsets of topic "${topic}" was stopped.`, {
        context: { topic }
      })
    );
  if (options.signal?.aborted) {
    onAbort();
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  let lastActivityMs = Date.now();
  let inFlight = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const pending = [...states].filter(([, s]) => !s.done);
    if (inFlight === 0 && now - lastActivityMs > settleMs && pending.every(([, s]) => s.assigned)) {
      for (const [p, s] of pending) {
        complete(p, s);
      }
    }
    if (now - started > timeoutMs) {
      finish(
        new AlertlabError(
          `Reading offsets of topic "${topic}" took longer than ${timeoutMs} ms; is the Kafka buffer reachable?`,
          { retriable: true, context: { topic } }
        )
      );
    }
  }, 50);
  try {
    consumer.onAssignment(assignment => {
      const now = Date.now();
      for (const p of assignment[topic] ?? []) {
        const s = states.get(p);
        if (s === undefined || s.done) {
          consumer.pause(topic, [p]);
        } else {
          consumer.seek(topic, p, s.ranges[s.at].from);
          s.assigned = true;
          lastActivityMs = now;
        }
      }
    });
    consumer.onCrash((error, restarting) => {
      if (!restarting) {
        finish(error);
      }
    });
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run(async batch => {
      inFlight++;
      try {
        await take(batch);
      } catch (err) {
        finish(err);
      } finally {
        inFlight--;
        lastActivityMs = Date.now();
      }
    });
    await finished;
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.close();
  }

  async function take(batch: FetchedBatch): Promise<void> {
    const s = states.get(batch.partition);
    if (s === undefined || s.done || batch.isStale() || batch.records.length === 0) {
      return;
    }
    const kept: ConsumedRecord[] = [];
    for (const r of batch.records) {
      while (s.at < s.ranges.length && r.offset >= s.ranges[s.at].to) {
        s.at++;
      }
      if (s.at === s.ranges.length) {
        break;
      }
      if (r.offset >= s.ranges[s.at].from) {
        kept.push(r);
      }
    }
    const last = batch.records[batch.records.length - 1].offset;
    while (s.at < s.ranges.length && last + 1n >= s.ranges[s.at].to) {
      s.at++;
    }
    if (kept.length > 0) {
      await onRecords(batch.partition, kept);
    }
    if (s.at === s.ranges.length) {
      complete(batch.partition, s);
      return;
    }
    const next = s.ranges[s.at].from;
    if (next > last + 1n) {
      consumer.seek(topic, batch.partition, next); // jump the gap to the next range
    } else {
      batch.resolveOffset(last);
    }
  }
}

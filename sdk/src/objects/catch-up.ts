/**
 * Catching the object index up with the buffer and the archive, reading only what is new:
 * - a topic: per partition, the records from the index's high-water mark to the end offset taken
 *   at the start (read_committed, so the end is the last stable offset). A record's object id is
 *   its Kafka key when the simulator produced it (it keys records by diaObjectId and marks them
 *   with the `alertlab-sim-class` header); any other record is decoded (canonical columns only).
 *   A mark beyond a partition's end means the topic was deleted and created again: the topic is
 *   indexed from scratch. End offsets are asked with a fresh admin client when the shared one answers
 *   from stale metadata (buffer/stale-metadata.ts); a topic deleted meanwhile is reported `gone`
 *   and its index rows are dropped.
 * - an archive root: every `night=*` folder's Parquet files (`<topic>-p<n>-<first>-<last>.parquet`,
 *   see stage/archive-stage.ts), a file indexed again when its size or mtime changed.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder } from '../alerts/types.js';
import { withFreshAdmin, type AdminSource } from '../buffer/stale-metadata.js';
import type { ConsumedRecord, KafkaTransport } from '../buffer/transport-types.js';
import type { ObjectIndex } from './object-index.js';
import { readRanges, type OffsetRange } from './read-offsets.js';

/** The simulator's header on every record it produces (SIM_CLASS_HEADER in simulate/simulator.ts). */
export const SIM_RECORD_HEADER = 'alertlab-sim-class';

const utf8 = new TextDecoder();
/** Unreadable offsets at a partition's end skipped at once (see catchUpTopic). */
const MAX_SKIPPED_TAIL = 1000n;

/** What one catch-up of a topic read. */
export interface TopicCatchUp {
  topic: string;
  /** Records read (new since the last catch-up). */
  records: number;
  /** Alerts added to the index. */
  alerts: number;
  /** Records whose object id came from the key (no decode). */
  byKey: number;
  /** The topic no longer exists: nothing was read and its index rows were dropped. */
  gone?: boolean;
}

/** Object ids (and MJDs, NaN when not decoded) of a partition's records, in record order. */
export function objectIdsOf(
  decoder: AlertDecoder,
  records: readonly ConsumedRecord[]
): { objectIds: string[]; offsets: bigint[]; mjd: number[]; byKey: number } {
  const objectIds: string[] = [];
  const offsets: bigint[] = [];
  const mjd: number[] = [];
  const toDecode: ConsumedRecord[] = [];
  let byKey = 0;
  for (const r of records) {
    if (r.key !== null && r.key.length > 0 && r.headers[SIM_RECORD_HEADER] !== undefined) {
      objectIds.push(utf8.decode(r.key));
      offsets.push(r.offset);
      mjd.push(Number.NaN);
      byKey++;
    } else if (r.value !== null) {
      toDecode.push(r);
    }
  }
  if (toDecode.length > 0) {
    const { batch, rowIndex } = decoder.decodeBatch(toDecode.map(r => r.value));
    const ids = batch.getChild('objectId');
    const mjds = batch.getChild('mjd');
    for (let row = 0; row < batch.numRows; row++) {
      const id = ids?.get(row) as string | null;
      if (id !== null && id !== undefined && id !== '') {
        objectIds.push(id);
        offsets.push(toDecode[rowIndex[row]].offset);
        const t = mjds?.get(row) as number | null;
        mjd.push(t ?? Number.NaN);
      }
    }
  }
  return { objectIds, offsets, mjd, byKey };
}

/** Indexes the records of `topic` not indexed yet (a BufferClient is an AdminSource). */
export async function catchUpTopic(
  transport: KafkaTransport,
  admins: AdminSource,
  index: ObjectIndex,
  topic: string,
  decoder: AlertDecoder = createDecoder('auto', { columns: [] }),
  signal?: AbortSignal
): Promise<TopicCatchUp> {
  const out: TopicCatchUp = { topic, records: 0, alerts: 0, byKey: 0 };
  const got = await withFreshAdmin(admins, topic, admin => admin.endOffsets(topic), { signal });
  if (!got.ok) {
    await index.forgetTopic(topic);
    return { ...out, gone: true };
  }
  const ends = got.value;
  let marks = await index.marks(topic);
  const endOf = new Map(ends.map(e => [e.partition, e]));
  if ([...marks].some(([p, m]) => (endOf.get(p)?.high ?? -1n) < m)) {
    await index.forgetTopic(topic); // offsets went backwards: a new topic of the same name
    marks = new Map();
  }
  const ranges = new Map<number, OffsetRange[]>();
  for (const e of ends) {
    const mark = marks.get(e.partition) ?? 0n;
    const from = mark > e.low ? mark : e.low;
    if (from < e.high) {
      ranges.set(e.partition, [{ from, to: e.high }]);
    }
  }
  if (ranges.size === 0) {
    return out;
  }
  const reached = new Map<number, bigint>();
  await readRanges(
    transport,
    topic,
    ranges,
    async (partition, records) => {
      const found = objectIdsOf(decoder, records);
      out.records += records.length;
      out.alerts += found.objectIds.length;
      out.byKey += found.byKey;
      const next = records[records.length - 1].offset + 1n;
      reached.set(partition, next);
      await index.add({
        topic,
        partition,
        objectIds: found.objectIds,
        offsets: BigInt64Array.from(found.offsets),
        mjd: Float64Array.from(found.mjd),
        nextOffset: next
      });
    },
    { maxBytesPerPartition: 4 << 20, timeoutMs: 600_000, signal }
  );
  // A partition that stopped short of its end: what is left is unreadable (a transaction's commit
  // marker after its last record, aborted records) — skipped when short (a few markers); a long
  // gap is read again next time rather than risk skipping records.
  for (const [partition, r] of ranges) {
    const at = reached.get(partition) ?? r[0].from;
    if (at < r[0].to && r[0].to - at <= MAX_SKIPPED_TAIL) {
      await index.add({
        topic,
        partition,
        objectIds: [],
        offsets: new BigInt64Array(0),
        mjd: new Float64Array(0),
        nextOffset: r[0].to
      });
    }
  }
  return out;
}

/** Parquet files of an archive root, by `night=*` folder. */
async function archiveFilesIn(root: string): Promise<string[]> {
  if (!existsSync(root)) {
    return [];
  }
  const out: string[] = [];
  for (const night of await readdir(root, { withFileTypes: true })) {
    if (night.isDirectory() && night.name.startsWith('night=')) {
      const dir = join(root, night.name);
      for (const f of await readdir(dir)) {
        if (f.endsWith('.parquet')) {
          out.push(join(dir, f));
        }
      }
    }
  }
  return out.sort();
}

/** Indexes new or changed archive files under `roots`, forgets files that are gone. */
export async function catchUpArchive(
  index: ObjectIndex,
  roots: readonly string[]
): Promise<{ files: number; indexed: number; removed: number }> {
  const known = await index.archiveFiles();
  const present = new Set<string>();
  let indexed = 0;
  for (const root of roots) {
    for (const path of await archiveFilesIn(root)) {
      present.add(path);
      const s = await stat(path).catch(() => undefined);
      if (s === undefined) {
        continue;
      }
      const k = known.get(path);
      if (k === undefined || k.sizeBytes !== s.size || k.mtimeMs !== s.mtimeMs) {
        await index.addArchiveFile(path, s.size, s.mtimeMs);
        indexed++;
      }
    }
  }
  const gone = [...known.keys()].filter(p => !present.has(p));
  await index.removeArchiveFiles(gone);
  return { files: present.size, indexed, removed: gone.length };
}

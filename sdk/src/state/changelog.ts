/**
 * The object state's changelog: a compacted topic, partition p holding input partition p's objects.
 * Each chunk's transaction carries one record per object it changed (key = object id, value = the
 * object's whole row, binary) and, last, a watermark record (key {@link WATERMARK_KEY}, value = the
 * input offset the transaction commits). Compaction keeps each object's latest row and the latest
 * watermark, so reading a partition to its end gives the state exactly as of the committed input
 * offset — a check the rebuild makes before a partition runs.
 */
import type { ConsumedRecord, KafkaTransport, ProduceRecord } from '../buffer/transport-types.js';
import { StageError } from '../errors.js';
import { readRanges } from '../objects/read-offsets.js';
import { STATE_FIELDS, type FieldKind } from './schema.js';
import { offsetIn, type ObjectStore } from './store.js';

/**
 * Key of the watermark record (no survey object id starts with '#'). Not a NUL-led key: the
 * librdkafka client hands keys over as C strings, and a leading NUL reads back as an empty key.
 */
export const WATERMARK_KEY = '#alertlab-next-input-offset';
/**
 * Row layout (little-endian, 8-byte aligned): the f64 fields, the i64 fields, the f32 and u32
 * fields (all as float32; counts are exact to 2^24), then a u32 version (and padding).
 */
const VERSION = 2;
const indicesOf = (kinds: readonly FieldKind[]): Int32Array =>
  Int32Array.from(
    STATE_FIELDS.map((f, i) => (kinds.includes(f.kind) ? i : -1)).filter(i => i >= 0)
  );
const F64 = indicesOf(['f64']);
const I64 = indicesOf(['i64']);
const F32 = indicesOf(['f32', 'u32']);
const WORDS64 = F64.length + I64.length;
const WORDS32 = F32.length + 1;
/** Bytes of one encoded row. */
export const ROW_BYTES = 8 * WORDS64 + 4 * (WORDS32 + (WORDS32 % 2));

/** Changelog values of the given slots, views into one buffer (whole chunk at a time). */
export function encodeRows(store: ObjectStore, slots: readonly number[]): Uint8Array[] {
  const buffer = new ArrayBuffer(ROW_BYTES * slots.length);
  const f64 = new Float64Array(buffer);
  const i64 = new BigInt64Array(buffer);
  const f32 = new Float32Array(buffer);
  const u32 = new Uint32Array(buffer);
  const out: Uint8Array[] = new Array<Uint8Array>(slots.length);
  for (let j = 0; j < slots.length; j++) {
    const slot = slots[j];
    const page = store.page(slot);
    const o = offsetIn(slot);
    const w = (j * ROW_BYTES) / 8;
    for (let k = 0; k < F64.length; k++) {
      f64[w + k] = (page[F64[k]] as Float64Array)[o];
    }
    for (let k = 0; k < I64.length; k++) {
      i64[w + F64.length + k] = (page[I64[k]] as BigInt64Array)[o];
    }
    const h = 2 * (w + WORDS64);
    for (let k = 0; k < F32.length; k++) {
      f32[h + k] = (page[F32[k]] as Float32Array)[o];
    }
    u32[h + F32.length] = VERSION;
    out[j] = new Uint8Array(buffer, j * ROW_BYTES, ROW_BYTES);
  }
  return out;
}

/** The changelog value of one object's row. */
export function encodeRow(store: ObjectStore, slot: number): Uint8Array {
  return encodeRows(store, [slot])[0];
}

/** Writes a changelog value into the object's slot (created when new). */
export function decodeRowInto(store: ObjectStore, objectId: string, value: Uint8Array): void {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const version =
    value.length === ROW_BYTES ? view.getUint32(8 * WORDS64 + 4 * F32.length, true) : -1;
  if (version !== VERSION) {
    throw new StageError(
      `Object state changelog: a row of ${value.length} bytes (version ${version}) cannot be read; this stage writes ${ROW_BYTES}-byte rows of version ${VERSION}. Delete the changelog topic to rebuild the state from the input.`,
      { context: { objectId } }
    );
  }
  const slot = store.slotOf(objectId);
  const page = store.page(slot);
  const o = offsetIn(slot);
  for (let k = 0; k < F64.length; k++) {
    (page[F64[k]] as Float64Array)[o] = view.getFloat64(8 * k, true);
  }
  for (let k = 0; k < I64.length; k++) {
    (page[I64[k]] as BigInt64Array)[o] = view.getBigInt64(8 * (F64.length + k), true);
  }
  for (let k = 0; k < F32.length; k++) {
    (page[F32[k]] as Float32Array)[o] = view.getFloat32(8 * WORDS64 + 4 * k, true);
  }
}

/** The records of one chunk's transaction: changed rows, then the watermark. */
export function changelogRecords(
  topic: string,
  partition: number,
  store: ObjectStore,
  touched: readonly number[],
  nextInputOffset: bigint
): ProduceRecord[] {
  const values = encodeRows(store, touched);
  const out: ProduceRecord[] = touched.map((slot, j) => ({
    topic,
    partition,
    key: store.idOf(slot),
    value: values[j]
  }));
  out.push({
    topic,
    partition,
    key: WATERMARK_KEY,
    value: Buffer.from(nextInputOffset.toString())
  });
  return out;
}

const keyText = (r: ConsumedRecord): string =>
  r.key === null ? '' : Buffer.from(r.key.buffer, r.key.byteOffset, r.key.byteLength).toString();

/** Applies changelog records to a store; returns the last watermark among them, if any. */
export function applyChangelog(
  store: ObjectStore,
  records: readonly ConsumedRecord[]
): bigint | undefined {
  let watermark: bigint | undefined;
  for (const r of records) {
    const key = keyText(r);
    if (key === WATERMARK_KEY) {
      watermark = BigInt(Buffer.from(r.value ?? new Uint8Array()).toString());
    } else if (key !== '' && r.value !== null) {
      decodeRowInto(store, key, r.value);
    }
  }
  return watermark;
}

/**
 * Rebuilds a partition's store from its changelog (read_committed) and checks that it stands at
 * `committedOffset` (the input offset the stage resumes from; -1n: nothing committed).
 */
export async function rebuildPartition(
  transport: KafkaTransport,
  topic: string,
  partition: number,
  committedOffset: bigint,
  make: () => ObjectStore
): Promise<{ store: ObjectStore; records: number }> {
  const admin = await transport.admin();
  let range: { from: bigint; to: bigint } | undefined;
  try {
    const ends = await admin.endOffsets(topic);
    const mine = ends.find(e => e.partition === partition);
    range = mine && mine.high > mine.low ? { from: mine.low, to: mine.high } : undefined;
  } finally {
    await admin.close();
  }
  if (range === undefined) {
    // an empty changelog: a new stage, or object state turned on for a stage that ran without it
    return { store: make(), records: 0 };
  }
  let last: bigint | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const store = make();
    let records = 0;
    let watermark: bigint | undefined;
    const done = new AbortController();
    try {
      await readRanges(
        transport,
        topic,
        new Map([[partition, [range]]]),
        (_p, batch) => {
          records += batch.length;
          watermark = applyChangelog(store, batch) ?? watermark;
          if (watermark !== undefined && watermark === committedOffset) {
            done.abort(); // the watermark is the last record of the last committed transaction
          }
        },
        { signal: done.signal, settleMs: 2000 * attempt, maxBytesPerPartition: 8 << 20 }
      );
    } catch (error) {
      if (!done.signal.aborted) {
        throw error;
      }
    }
    if (watermark === committedOffset || (watermark === undefined && committedOffset < 0n)) {
      return { store, records };
    }
    last = watermark;
    if (watermark !== undefined && watermark > committedOffset) {
      break; // the changelog is ahead of the group's offsets: reading again will not help
    }
  }
  throw new StageError(
    `Object state of partition ${partition} could not be rebuilt: its changelog "${topic}" stands at input offset ${String(last)} but the stage's committed offset is ${committedOffset}. If the consumer group's offsets were reset, delete the changelog topic too (the state is then rebuilt from the alerts read again).`,
    { retriable: true, context: { topic, partition, committedOffset: committedOffset.toString() } }
  );
}

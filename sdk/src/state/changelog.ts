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

/** Key of the watermark record (no object id starts with a NUL). */
export const WATERMARK_KEY = '\u0000next-input-offset';
const VERSION = 1;
const SIZE: Record<FieldKind, number> = { f64: 8, f32: 4, u32: 4, i64: 8 };
const LAYOUT = STATE_FIELDS.map(f => f.kind);
/** Bytes of one encoded row. */
export const ROW_BYTES = 1 + LAYOUT.reduce((s, k) => s + SIZE[k], 0);

/** The changelog value of one object's row. */
export function encodeRow(store: ObjectStore, slot: number): Uint8Array {
  const out = new Uint8Array(ROW_BYTES);
  const view = new DataView(out.buffer);
  const page = store.page(slot);
  const o = offsetIn(slot);
  out[0] = VERSION;
  let at = 1;
  for (let f = 0; f < LAYOUT.length; f++) {
    const v = page[f][o];
    switch (LAYOUT[f]) {
      case 'f64':
        view.setFloat64(at, v as number, true);
        break;
      case 'f32':
        view.setFloat32(at, v as number, true);
        break;
      case 'u32':
        view.setUint32(at, v as number, true);
        break;
      case 'i64':
        view.setBigInt64(at, v as bigint, true);
        break;
    }
    at += SIZE[LAYOUT[f]];
  }
  return out;
}

/** Writes a changelog value into the object's slot (created when new). */
export function decodeRowInto(store: ObjectStore, objectId: string, value: Uint8Array): void {
  if (value.length !== ROW_BYTES || value[0] !== VERSION) {
    throw new StageError(
      `Object state changelog: a row of ${value.length} bytes (version ${value[0]}) cannot be read; this stage writes ${ROW_BYTES}-byte rows of version ${VERSION}. Delete the changelog topic to rebuild the state from the input.`,
      { context: { objectId } }
    );
  }
  const slot = store.slotOf(objectId);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const page = store.page(slot);
  const o = offsetIn(slot);
  let at = 1;
  for (let f = 0; f < LAYOUT.length; f++) {
    const kind = LAYOUT[f];
    if (kind === 'i64') {
      (page[f] as BigInt64Array)[o] = view.getBigInt64(at, true);
    } else {
      (page[f] as Float64Array)[o] =
        kind === 'f64'
          ? view.getFloat64(at, true)
          : kind === 'f32'
            ? view.getFloat32(at, true)
            : view.getUint32(at, true);
    }
    at += SIZE[kind];
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
  const out: ProduceRecord[] = touched.map(slot => ({
    topic,
    partition,
    key: store.idOf(slot),
    value: encodeRow(store, slot)
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

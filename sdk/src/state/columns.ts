/** The object row beside each alert: Arrow `obj_*` columns built from a chunk's snapshots. */
import {
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  type Data
} from 'apache-arrow';
import { appendColumns } from '../stage/match-columns.js';
import type { Annotation } from './annotations.js';
import { FIELD, I64_NULL, OBJECT_COLUMN_PREFIX } from './schema.js';
import type { ObjectStore } from './store.js';
import { PUBLIC_FIELDS, type AppliedChunk } from './update.js';

interface Extra {
  name: string;
  data: Data;
  nullable: boolean;
}

export function floatData(values: Float64Array): Data {
  const n = values.length;
  const bits = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (v === v) {
      bits[r >> 3] |= 1 << (r & 7);
    } else {
      nulls++;
    }
  }
  return makeData({
    type: new Float64(),
    length: n,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? bits : null,
    data: values
  });
}

export function int64Data(values: BigInt64Array): Data {
  const n = values.length;
  const bits = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    if (values[r] !== I64_NULL) {
      bits[r >> 3] |= 1 << (r & 7);
    } else {
      nulls++;
    }
  }
  return makeData({
    type: new Int64(),
    length: n,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? bits : null,
    data: values
  });
}

export function utf8Data(values: ReadonlyArray<string | null | undefined>): Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const bits = new Uint8Array((n + 7) >> 3);
  const parts: Buffer[] = [];
  let nulls = 0;
  let at = 0;
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (v === null || v === undefined) {
      nulls++;
    } else {
      bits[r >> 3] |= 1 << (r & 7);
      if (v !== '') {
        const b = Buffer.from(v, 'utf8');
        parts.push(b);
        at += b.length;
      }
    }
    offsets[r + 1] = at;
  }
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? bits : null,
    valueOffsets: offsets,
    data: parts.length > 0 ? new Uint8Array(Buffer.concat(parts)) : new Uint8Array(0)
  });
}

function int32Data(values: Float64Array): Data {
  const ints = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    ints[r] = v === v ? v : 0;
  }
  return makeData({ type: new Int32(), length: values.length, data: ints });
}

/**
 * The batch with the object columns appended: `obj_<field>` for every public state field, then
 * `obj_xmCatalogName` and the annotation columns (`obj_annClass`, ...).
 */
export function withObjectColumns(
  batch: RecordBatch,
  applied: AppliedChunk,
  store: ObjectStore,
  catalogs: readonly string[],
  annotationOf: (objectId: string) => Annotation | undefined
): RecordBatch {
  const n = batch.numRows;
  const extra: Extra[] = PUBLIC_FIELDS.map((f, k) => {
    const values = applied.columns[k];
    const name = `${OBJECT_COLUMN_PREFIX}${f.name}`;
    if (f.kind === 'i64') {
      return { name, data: int64Data(values as BigInt64Array), nullable: true };
    }
    if (f.kind === 'u32') {
      return { name, data: int32Data(values as Float64Array), nullable: false };
    }
    return { name, data: floatData(values as Float64Array), nullable: true };
  });
  const names: (string | null)[] = new Array<string | null>(n).fill(null);
  const ann: (Annotation | undefined)[] = new Array<Annotation | undefined>(n);
  const probability = new Float64Array(n).fill(NaN);
  for (let r = 0; r < n; r++) {
    const slot = applied.slotOfRow[r];
    if (slot >= 0) {
      const k = applied.catalogOfRow[r];
      names[r] = k > 0 ? (catalogs[k - 1] ?? null) : null;
      const a = annotationOf(store.idOf(slot));
      ann[r] = a;
      if (a) {
        probability[r] = a.probability;
      }
    }
  }
  const p = OBJECT_COLUMN_PREFIX;
  extra.push({ name: `${p}xmCatalogName`, data: utf8Data(names), nullable: true });
  extra.push({ name: `${p}annClass`, data: utf8Data(ann.map(a => a?.cls)), nullable: true });
  extra.push({
    name: `${p}annProbability`,
    data: floatData(probability),
    nullable: true
  });
  extra.push({
    name: `${p}annAnnotator`,
    data: utf8Data(ann.map(a => a?.annotator)),
    nullable: true
  });
  extra.push({ name: `${p}annUrl`, data: utf8Data(ann.map(a => a?.url)), nullable: true });
  extra.push({ name: `${p}annVersion`, data: utf8Data(ann.map(a => a?.version)), nullable: true });
  return appendColumns(batch, extra);
}

/**
 * The `objects` table rows of the given slots (all objects of the store by default): objectId,
 * every public state field, `xmCatalogName`; annotation columns are joined by the reader.
 */
export function objectRowsBatch(
  store: ObjectStore,
  catalogs: readonly string[],
  slots?: readonly number[]
): RecordBatch {
  const list = slots ?? Array.from({ length: store.size }, (_, s) => s);
  const n = list.length;
  const fields: Extra[] = [
    { name: 'objectId', data: utf8Data(list.map(s => store.idOf(s))), nullable: false }
  ];
  for (const f of PUBLIC_FIELDS) {
    if (f.kind === 'i64') {
      const values = BigInt64Array.from(list, s => store.getId64(s, f.i));
      fields.push({ name: f.name, data: int64Data(values), nullable: true });
    } else if (f.kind === 'u32') {
      const values = Float64Array.from(list, s => store.get(s, f.i));
      fields.push({ name: f.name, data: int32Data(values), nullable: false });
    } else {
      const values = Float64Array.from(list, s => store.get(s, f.i));
      fields.push({ name: f.name, data: floatData(values), nullable: true });
    }
  }
  const names = list.map(s => {
    const k = store.get(s, FIELD.xmCatalog);
    return k > 0 ? (catalogs[k - 1] ?? null) : null;
  });
  fields.push({ name: 'xmCatalogName', data: utf8Data(names), nullable: true });
  const schema = new Schema(fields.map(e => new Field(e.name, e.data.type, e.nullable)));
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: fields.map(e => e.data)
  });
  return new RecordBatch(schema, data);
}

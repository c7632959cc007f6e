/**
 * A RecordBatch handed from a worker thread to its parent without Arrow IPC: the batch's Data tree
 * (lengths, null counts, offsets, buffers) is posted as plain objects and typed arrays, its large
 * buffers transferred (not copied), and the schema sent once as IPC and then named by a number.
 * For the wide alert batches (~270 columns) this skips the flatbuffer encode, the single-buffer
 * copy of every column and the schema rebuild that an IPC round trip costs per batch.
 */
import {
  Data,
  DataType,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC
} from 'apache-arrow';
import { sharedAcrossBatches } from '../alerts/arrow/lightcurve.js';

/** Buffers at least this large are transferred when the batch owns them alone; smaller ones copied. */
const TRANSFER_MIN_BYTES = 64 * 1024;

type View = Exclude<Data['values'], undefined> | Int32Array | BigInt64Array | Uint8Array;

/** One node of a Data tree: buffers in Arrow's order (offsets, values, validity, type ids). */
export interface DataNode {
  offset: number;
  length: number;
  nullCount: number;
  buffers: Array<View | undefined>;
  children: DataNode[];
}

export interface BatchTransfer {
  schemaId: number;
  /** The sender's key for the schema (see BatchSender.forget). */
  schemaKey: string;
  /** The schema as IPC (an empty table), the first time this schema id is sent. */
  schemaIpc?: Uint8Array;
  /** Schema ids the sender no longer uses: the receiver drops them after this batch. */
  drop?: number[];
  root: DataNode;
}

/** Schemas a sender names by number at once (least recently used dropped by both sides). */
export const MAX_SENT_SCHEMAS = 64;

/**
 * The sending side: remembers which schemas it has sent, at most `maxSchemas` (a stream whose
 * column set changes batch after batch must not grow either side without end).
 */
export class BatchSender {
  private readonly ids = new Map<string, number>();
  /** Ids are never reused, not even after forget(): the receiver may hold any id sent before. */
  private lastId = 0;
  /** Ids evicted here that the receiver has not been told to drop yet. */
  private dropped: number[] = [];

  constructor(private readonly maxSchemas = MAX_SENT_SCHEMAS) {}

  /** Schemas named by number now. */
  get size(): number {
    return this.ids.size;
  }

  /** The batch as a message, and the ArrayBuffers to transfer with it. */
  pack(batch: RecordBatch): { message: BatchTransfer; transfer: ArrayBuffer[] } | undefined {
    const key = schemaKey(batch.schema);
    if (key === undefined) {
      return undefined; // dictionaries: the caller falls back to IPC
    }
    let schemaId = this.ids.get(key);
    let schemaIpc: Uint8Array | undefined;
    if (schemaId === undefined) {
      schemaId = ++this.lastId;
      schemaIpc = tableToIPC(new Table(batch.schema), 'stream');
    } else {
      this.ids.delete(key); // re-inserted below: the most recently used
    }
    this.ids.set(key, schemaId);
    while (this.ids.size > this.maxSchemas) {
      const [oldest, id] = this.ids.entries().next().value as [string, number];
      this.ids.delete(oldest);
      this.dropped.push(id);
    }
    const owned = new Set<ArrayBuffer>();
    const copyOrKeep = (v: View | undefined): View | undefined => {
      if (v === undefined || v === null) {
        return undefined;
      }
      const buf = v.buffer;
      if (
        buf instanceof ArrayBuffer &&
        buf.byteLength >= TRANSFER_MIN_BYTES &&
        !sharedAcrossBatches(buf)
      ) {
        owned.add(buf);
        return v;
      }
      return v.slice() as View; // small (maybe a pooled Buffer) or shared: a copy of the view only
    };
    const node = (d: Data): DataNode => ({
      offset: d.offset,
      length: d.length,
      nullCount: d.nullCount,
      buffers: [d.valueOffsets, d.values, d.nullBitmap, d.typeIds].map(v =>
        copyOrKeep(v as View | undefined)
      ),
      children: d.children.map(node)
    });
    const message: BatchTransfer = { schemaId, schemaKey: key, schemaIpc, root: node(batch.data) };
    if (this.dropped.length > 0) {
      message.drop = this.dropped;
      this.dropped = [];
    }
    return { message, transfer: [...owned] };
  }

  /** The message carrying a new schema was not delivered: send that schema again next time. */
  forget(message: BatchTransfer): void {
    if (message.schemaIpc !== undefined && this.ids.get(message.schemaKey) === message.schemaId) {
      this.ids.delete(message.schemaKey);
    }
    this.dropped.push(...(message.drop ?? [])); // not told: tell with the next
  }
}

/** The receiving side: keeps the schemas it was sent. */
export class BatchReceiver {
  private readonly schemas = new Map<number, Schema>();

  /** Schemas held now. */
  get size(): number {
    return this.schemas.size;
  }

  unpack(message: BatchTransfer): RecordBatch {
    if (message.schemaIpc !== undefined) {
      this.schemas.set(message.schemaId, tableFromIPC(message.schemaIpc).schema);
    }
    const schema = this.schemas.get(message.schemaId);
    for (const id of message.drop ?? []) {
      this.schemas.delete(id);
    }
    if (schema === undefined) {
      throw new Error(`Batch transfer: schema ${message.schemaId} was never sent.`);
    }
    const build = (type: DataType, n: DataNode): Data =>
      new Data(
        type,
        n.offset,
        n.length,
        n.nullCount,
        n.buffers as never,
        n.children.map((c, i) => build((type.children[i] as { type: DataType }).type, c))
      );
    return new RecordBatch(schema, build(new Struct(schema.fields), message.root) as Data<Struct>);
  }
}

/**
 * Field names, types, nullability and metadata, nested fields included; undefined when a
 * dictionary type is present.
 */
function schemaKey(schema: Schema): string | undefined {
  let dictionary = false;
  const fieldKey = (f: Field): string => {
    if (DataType.isDictionary(f.type)) {
      dictionary = true;
    }
    const children = (f.type.children ?? []).map(fieldKey).join(',');
    return `${f.name}:${String(f.type)}:${f.nullable}:${JSON.stringify([...f.metadata])}(${children})`;
  };
  const key = `${schema.fields.map(fieldKey).join('|')}|${JSON.stringify([...schema.metadata])}`;
  return dictionary ? undefined : key;
}

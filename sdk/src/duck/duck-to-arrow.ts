import {
  Bool,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  RecordBatch,
  Schema,
  Struct,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  type Data,
  type DataType
} from 'apache-arrow';
import {
  DuckDBTypeId,
  type DuckDBConnection,
  type DuckDBMaterializedResult
} from '@duckdb/node-api';
import bindings from './bindings.js';
import { DuckTransferError } from '../errors.js';

interface ReadKind {
  arrowType: () => DataType;
  byteWidth: number;
  array: (
    n: number
  ) =>
    | Float64Array
    | Float32Array
    | Int8Array
    | Int16Array
    | Int32Array
    | BigInt64Array
    | Uint8Array
    | Uint16Array
    | Uint32Array
    | BigUint64Array;
}

const FIXED: Partial<Record<DuckDBTypeId, ReadKind>> = {
  [DuckDBTypeId.DOUBLE]: {
    arrowType: () => new Float64(),
    byteWidth: 8,
    array: n => new Float64Array(n)
  },
  [DuckDBTypeId.FLOAT]: {
    arrowType: () => new Float32(),
    byteWidth: 4,
    array: n => new Float32Array(n)
  },
  [DuckDBTypeId.TINYINT]: {
    arrowType: () => new Int8(),
    byteWidth: 1,
    array: n => new Int8Array(n)
  },
  [DuckDBTypeId.SMALLINT]: {
    arrowType: () => new Int16(),
    byteWidth: 2,
    array: n => new Int16Array(n)
  },
  [DuckDBTypeId.INTEGER]: {
    arrowType: () => new Int32(),
    byteWidth: 4,
    array: n => new Int32Array(n)
  },
  [DuckDBTypeId.BIGINT]: {
    arrowType: () => new Int64(),
    byteWidth: 8,
    array: n => new BigInt64Array(n)
  },
  [DuckDBTypeId.UTINYINT]: {
    arrowType: () => new Uint8(),
    byteWidth: 1,
    array: n => new Uint8Array(n)
  },
  [DuckDBTypeId.USMALLINT]: {
    arrowType: () => new Uint16(),
    byteWidth: 2,
    array: n => new Uint16Array(n)
  },
  [DuckDBTypeId.UINTEGER]: {
    arrowType: () => new Uint32(),
    byteWidth: 4,
    array: n => new Uint32Array(n)
  },
  [DuckDBTypeId.UBIGINT]: {
    arrowType: () => new Uint64(),
    byteWidth: 8,
    array: n => new BigUint64Array(n)
  }
};

/** Runs a query and reads the whole result as one Arrow RecordBatch (see {@link readResultAsArrow}). */
export async function queryArrow(connection: DuckDBConnection, sql: string): Promise<RecordBatch> {
  return readResultAsArrow(await connection.run(sql));
}

/**
 * Reads a materialized DuckDB result into Arrow columns chunk by chunk: fixed-width vectors are
 * copied as bytes (BIGINT stays Int64/bigint), validity masks become Arrow null bitmaps, booleans are
 * packed to bits and VARCHAR bytes are gathered into a Utf8 buffer without making JS strings.
 * Supported: DOUBLE, FLOAT, (U)TINYINT..(U)BIGINT, BOOLEAN, VARCHAR.
 */
export function readResultAsArrow(result: DuckDBMaterializedResult): RecordBatch {
  const rowCount = result.rowCount;
  const names = result.columnNames();
  const children: Data[] = [];
  const fields: Field[] = [];
  // each chunk fetched once for all columns (result_get_chunk copies the chunk out each call)
  const chunks = Array.from({ length: result.chunkCount }, (_v, c) => result.getChunk(c).chunk);
  names.forEach((name, column) => {
    const typeId = result.columnTypeId(column);
    const data = readColumn(chunks, column, typeId, rowCount, name);
    children.push(data);
    fields.push(new Field(name, data.type, true));
  });
  const struct = makeData({ type: new Struct(fields), length: rowCount, nullCount: 0, children });
  return new RecordBatch(new Schema(fields), struct);
}

function readColumn(
  chunks: ReadonlyArray<ReturnType<DuckDBMaterializedResult['getChunk']>['chunk']>,
  column: number,
  typeId: DuckDBTypeId,
  rowCount: number,
  name: string
): Data {
  const bitmap = new Uint8Array(Math.ceil(rowCount / 64) * 8);
  let nullCount = 0;
  const fixed = FIXED[typeId];
  const values = fixed?.array(rowCount);
  const valueBytes = values
    ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    : undefined;
  const strings = typeId === DuckDBTypeId.VARCHAR ? new StringGatherer(rowCount) : undefined;
  const bools =
    typeId === DuckDBTypeId.BOOLEAN ? new Uint8Array(Math.ceil(rowCount / 8)) : undefined;
  if (!fixed && !strings && !bools) {
    throw new DuckTransferError(
      `Cannot read column "${name}" (${DuckDBTypeId[typeId]}) as Arrow. Cast it in the query, e.g. "${name}"::VARCHAR or ::DOUBLE.`,
      { context: { column: name, type: DuckDBTypeId[typeId] } }
    );
  }
  let offset = 0;
  for (const chunk of chunks) {
    const n = bindings.data_chunk_get_size(chunk);
    const vector = bindings.data_chunk_get_vector(chunk, column);
    const validity = bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
    const byteCount = Math.ceil(n / 8);
    if (validity) {
      bitmap.set(validity.subarray(0, byteCount), offset >> 3);
      for (let j = 0; j < n; j++) {
        if ((validity[j >> 3] & (1 << (j & 7))) === 0) {
          nullCount++;
        }
      }
    } else {
      bitmap.fill(255, offset >> 3, (offset >> 3) + byteCount);
    }
    if (fixed && valueBytes) {
      const raw = bindings.vector_get_data(vector, n * fixed.byteWidth);
      valueBytes.set(raw.subarray(0, n * fixed.byteWidth), offset * fixed.byteWidth);
    } else if (bools) {
      const raw = bindings.vector_get_data(vector, n);
      for (let j = 0; j < n; j++) {
        if (raw[j] !== 0) {
          bools[(offset + j) >> 3] |= 1 << ((offset + j) & 7);
        }
      }
    } else if (strings) {
      strings.addChunk(bindings.vector_get_data(vector, n * 16), n, validity);
    }
    offset += n;
  }
  const nullBitmap = nullCount > 0 ? bitmap : undefined;
  if (fixed && values) {
    return makeData({
      type: fixed.arrowType(),
      length: rowCount,
      nullCount,
      nullBitmap,
      data: values
    } as never);
  }
  if (bools) {
    return makeData({ type: new Bool(), length: rowCount, nullCount, nullBitmap, data: bools });
  }
  const gathered = (strings as StringGatherer).finish();
  return makeData({
    type: new Utf8(),
    length: rowCount,
    nullCount,
    nullBitmap,
    valueOffsets: gathered.offsets,
    data: gathered.bytes
  });
}

/** Collects VARCHAR values (duckdb_string_t: inlined up to 12 bytes, else a pointer) into Utf8 buffers. */
class StringGatherer {
  private bytes = new Uint8Array(1024);
  private used = 0;
  private row = 0;
  readonly offsets: Int32Array;
  constructor(rowCount: number) {
    this.offsets = new Int32Array(rowCount + 1);
  }
  addChunk(raw: Uint8Array, n: number, validity: Uint8Array | null): void {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let j = 0; j < n; j++) {
      const valid = validity === null || (validity[j >> 3] & (1 << (j & 7))) !== 0;
      if (valid) {
        const at = j * 16;
        const length = view.getUint32(at, true);
        const piece =
          length <= 12
            ? raw.subarray(at + 4, at + 4 + length)
            : bindings.get_data_from_pointer(
                raw.buffer as ArrayBuffer,
                raw.byteOffset + at + 8,
                length
              );
        this.push(piece);
      }
      this.row++;
      this.offsets[this.row] = this.used;
    }
  }
  private push(piece: Uint8Array): void {
    if (this.used + piece.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + piece.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(piece, this.used);
    this.used += piece.length;
  }
  finish(): { offsets: Int32Array; bytes: Uint8Array } {
    return { offsets: this.offsets, bytes: this.bytes.subarray(0, this.used) };
  }
}

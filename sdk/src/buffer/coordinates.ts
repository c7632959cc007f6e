/**
 * Appends the Kafka coordinates of each row to a decoded alert batch: `kafkaTopic` Utf8,
 * `kafkaPartition` Int32, `kafkaOffset` Int64, `kafkaTimestampMs` Float64. Columns are built
 * straight from typed arrays (no per-value builders) so this stays cheap on the hot path.
 */
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

export const KAFKA_COLUMNS = [
  'kafkaTopic',
  'kafkaPartition',
  'kafkaOffset',
  'kafkaTimestampMs'
] as const;

/** Per row: where the record came from. */
export interface RowCoordinates {
  topic: string;
  partition: number;
  offsets: BigInt64Array;
  timestampsMs: Float64Array;
}

function repeatedUtf8(value: string, length: number): Data<Utf8> {
  const bytes = Buffer.from(value, 'utf8');
  const valueOffsets = new Int32Array(length + 1);
  const data = new Uint8Array(bytes.length * length);
  for (let i = 0; i < length; i++) {
    data.set(bytes, i * bytes.length);
    valueOffsets[i + 1] = (i + 1) * bytes.length;
  }
  return makeData({ type: new Utf8(), length, valueOffsets, data });
}

/** Returns a new batch: the columns of `batch` followed by the four Kafka columns. */
export function withKafkaColumns(batch: RecordBatch, rows: RowCoordinates): RecordBatch {
  const length = batch.numRows;
  if (rows.offsets.length !== length || rows.timestampsMs.length !== length) {
    throw new RangeError(
      `Kafka coordinates for ${rows.offsets.length} rows given for a batch of ${length} rows`
    );
  }
  const partitions = new Int32Array(length).fill(rows.partition);
  const fields = [
    new Field('kafkaTopic', new Utf8(), false),
    new Field('kafkaPartition', new Int32(), false),
    new Field('kafkaOffset', new Int64(), false),
    new Field('kafkaTimestampMs', new Float64(), false)
  ];
  const children: Data[] = [
    repeatedUtf8(rows.topic, length),
    makeData({ type: new Int32(), length, data: partitions }),
    makeData({ type: new Int64(), length, data: rows.offsets }),
    makeData({ type: new Float64(), length, data: rows.timestampsMs })
  ];
  const schema = new Schema([...batch.schema.fields, ...fields], batch.schema.metadata);
  const data = makeData({
    type: new Struct(schema.fields),
    length,
    nullCount: 0,
    children: [...batch.data.children, ...children]
  });
  return new RecordBatch(schema, data);
}

/** Gathers per-row coordinates from the records a batch was decoded from (`rowIndex[i]`). */
export function coordinatesOf(
  topic: string,
  partition: number,
  records: ReadonlyArray<{ offset: bigint; timestampMs: number }>,
  rowIndex: Int32Array
): RowCoordinates {
  const offsets = new BigInt64Array(rowIndex.length);
  const timestampsMs = new Float64Array(rowIndex.length);
  for (let i = 0; i < rowIndex.length; i++) {
    const r = records[rowIndex[i]];
    offsets[i] = r.offset;
    timestampsMs[i] = r.timestampMs;
  }
  return { topic, partition, offsets, timestampsMs };
}

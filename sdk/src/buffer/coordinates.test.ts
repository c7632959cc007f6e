import { Field, Float64, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { coordinatesOf, withKafkaColumns } from './coordinates.js';

function batchOf(ra: number[]): RecordBatch {
  const field = new Field('ra', new Float64(), false);
  const child = makeData({ type: new Float64(), length: ra.length, data: Float64Array.from(ra) });
  return new RecordBatch(
    new Schema([field]),
    makeData({ type: new Struct([field]), length: ra.length, children: [child] })
  );
}

describe('withKafkaColumns', () => {
  it('appends topic, partition, offset and timestamp columns that follow rowIndex', () => {
    const records = [10n, 11n, 12n].map((offset, i) => ({ offset, timestampMs: 1000 + i }));
    // input 1 was rejected: rows come from inputs 0 and 2
    const coords = coordinatesOf('alerts-rubin', 3, records, Int32Array.of(0, 2));
    const out = withKafkaColumns(batchOf([1.5, 2.5]), coords);
    expect(out.schema.fields.map(f => f.name)).toEqual([
      'ra',
      'kafkaTopic',
      'kafkaPartition',
      'kafkaOffset',
      'kafkaTimestampMs'
    ]);
    expect(out.toArray().map(r => r.toJSON())).toEqual([
      {
        ra: 1.5,
        kafkaTopic: 'alerts-rubin',
        kafkaPartition: 3,
        kafkaOffset: 10n,
        kafkaTimestampMs: 1000
      },
      {
        ra: 2.5,
        kafkaTopic: 'alerts-rubin',
        kafkaPartition: 3,
        kafkaOffset: 12n,
        kafkaTimestampMs: 1002
      }
    ]);
  });

  it('handles empty batches and refuses mismatched lengths', () => {
    const empty = withKafkaColumns(batchOf([]), coordinatesOf('t', 0, [], new Int32Array(0)));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields).toHaveLength(5);
    expect(() =>
      withKafkaColumns(batchOf([1]), coordinatesOf('t', 0, [], new Int32Array(0)))
    ).toThrow(RangeError);
  });
});

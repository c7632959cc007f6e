/**
 * The batch transfer names at most MAX_SENT_SCHEMAS schemas at once (issue #15 part 3): a stream
 * whose column set changes every batch (schemas with fields of their own) does not grow the
 * sender's or the receiver's schema maps without end, every batch arrives whole, and a schema
 * dropped and seen again is sent again.
 */
import { makeData, RecordBatch, Field, Float64, Schema, Struct, Int32 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchReceiver, BatchSender, MAX_SENT_SCHEMAS } from './arrow-transfer.js';

/** A two-column batch whose second column is named after `k` (a schema of its own). */
function batchOf(k: number, rows = 5): RecordBatch {
  const fields = [new Field('id', new Int32(), false), new Field(`f${k}`, new Float64(), true)];
  const children = [
    makeData({
      type: new Int32(),
      length: rows,
      data: Int32Array.from({ length: rows }, (_, i) => k * 10 + i)
    }),
    makeData({
      type: new Float64(),
      length: rows,
      data: Float64Array.from({ length: rows }, (_, i) => k + i / 10)
    })
  ];
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: rows, nullCount: 0, children })
  );
}

describe('batch transfer: schemas named within a bound', () => {
  it('1,000 batches with 1,000 schemas: both sides hold at most the bound, batches arrive whole', () => {
    const sender = new BatchSender();
    const receiver = new BatchReceiver();
    const order = [...Array.from({ length: 1000 }, (_, k) => k), 0, 999, 5, 0];
    let lost = 0;
    for (const [n, k] of order.entries()) {
      const packed = sender.pack(batchOf(k));
      if (packed === undefined) {
        throw new Error('not packable');
      }
      if (n % 97 === 13) {
        sender.forget(packed.message); // not delivered: its new schema and its drops go again
        lost++;
        continue;
      }
      const got = receiver.unpack(structuredClone(packed.message));
      expect(got.schema.fields[1].name).toBe(`f${k}`);
      expect(got.getChild('id')?.get(4)).toBe(k * 10 + 4);
      expect(got.getChild(`f${k}`)?.get(2)).toBeCloseTo(k + 0.2, 12);
      expect(sender.size).toBeLessThanOrEqual(MAX_SENT_SCHEMAS);
      expect(receiver.size).toBeLessThanOrEqual(MAX_SENT_SCHEMAS + 1);
    }
    expect(lost).toBeGreaterThan(5);
  });
});

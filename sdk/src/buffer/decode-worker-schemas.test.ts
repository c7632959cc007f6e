/**
 * The decode worker's record of the schemas it sent is bounded (issue #15 part 3): with a budget
 * of a few dozen schemas, 3,000 Confluent alerts each with its own schema decode right in the
 * worker thread, ids forgotten by both sides are sent again when they come back, and overlapping
 * batches never lose a schema the worker still needs.
 */
import { describe, expect, it } from 'vitest';
import { mapSchemaSource } from '../alerts/schema-source.js';
import { confluent, schemaFor } from '../alerts/testing/own-schema.js';
import { DecodeWorker } from './decode-worker.js';

const N = 3000;
const schemas = Object.fromEntries(
  Array.from({ length: N }, (_, i) => [100_000 + i, schemaFor(100_000 + i)])
);

function expectRows(
  res: Awaited<ReturnType<DecodeWorker['decode']>>,
  first: number,
  n: number
): void {
  expect(res.rejects).toEqual([]);
  const ids = res.batch.getChild('alertId')?.toArray() as BigInt64Array;
  expect(ids.length).toBe(n);
  expect(ids[0]).toBe(170_000_000_000_000_000n + BigInt(first));
  expect(ids[n - 1]).toBe(170_000_000_000_000_000n + BigInt(first + n - 1));
}

describe('decode worker: schemas sent within a budget', () => {
  it('decodes 3,000 alerts with 3,000 schemas; the record stays within budget; forgotten ids go again', async () => {
    const budget = 64 * 1024; // ~35 schemas of 1.6 KB
    const worker = new DecodeWorker(
      { format: 'confluent', options: {}, schemaSource: mapSchemaSource(schemas) },
      { sentSchemaBytes: budget }
    );
    try {
      for (let start = 0; start < N; start += 100) {
        const values = Array.from({ length: 100 }, (_, k) =>
          confluent(100_000 + start + k, start + k)
        );
        expectRows(await worker.decode(values), start, 100);
        expect(worker.sentSchemaStats().bytes).toBeLessThanOrEqual(budget);
      }
      expect(worker.sentSchemaStats().evictions).toBeGreaterThan(N - 100);
      // ids forgotten long ago, mixed with recent ones, in overlapping batches
      const again = (first: number) =>
        Array.from({ length: 50 }, (_, k) => confluent(100_000 + first + k, first + k));
      const results = await Promise.all([0, 2950, 1000, 2950, 0].map(f => worker.decode(again(f))));
      results.forEach((r, k) => expectRows(r, [0, 2950, 1000, 2950, 0][k], 50));
      expect(worker.sentSchemaStats().bytes).toBeLessThanOrEqual(budget);
    } finally {
      await worker.close();
    }
  }, 60_000);
});

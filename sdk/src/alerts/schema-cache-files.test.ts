/**
 * Schemas of their own, continued (issue #15 part 3; schema-cache.test.ts has the registry
 * stream): container files each with their own header keep the decoder's compiled readers within
 * budget with a flat heap, and schemas with fields of their own do not widen every later batch.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AvroAlertDecoder } from './avro-decoder.js';
import { mapSchemaSource } from './schema-source.js';
import { confluent, container, schemaFor } from './testing/own-schema.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    num += (xs[k] - mx) * (ys[k] - my);
    den += (xs[k] - mx) ** 2;
  }
  return num / den;
}

const MiB = 1024 * 1024;

describe('schema caches bounded by bytes: container files and own fields', () => {
  it('schemas with fields of their own: batches do not widen without end, values land right', async () => {
    const total = 4000;
    const source = mapSchemaSource(
      Object.fromEntries(
        Array.from({ length: total }, (_, i) => [100_000 + i, schemaFor(100_000 + i, true)])
      )
    );
    const decoder = new AvroAlertDecoder('confluent', {
      schemaSource: source,
      schemaCacheBytes: 1 * MiB
    });
    let widest = 0;
    for (let start = 0; start < total; start += 200) {
      const values = Array.from({ length: 200 }, (_, k) =>
        confluent(100_000 + start + k, start + k, true)
      );
      const res = decoder.decodeBatch(values);
      expect(res.rejects).toEqual([]);
      widest = Math.max(widest, res.batch.numCols);
      for (const k of [0, 99, 199]) {
        const own = res.batch.getChild(`f${100_000 + start + k}`);
        expect(own?.get(k)).toBe((start + k) / 2);
        expect(own?.get(k === 0 ? 1 : 0)).toBeNull();
      }
      res.release?.();
    }
    const kept = decoder.schemaCacheStats().entries;
    console.log(
      `own fields: ${total} schemas, widest batch ${widest} columns, ${kept} readers kept`
    );
    // the canonical columns, this batch's 200 own fields and those of the readers still cached;
    // without dropping evicted readers' columns the last batch has > 4,000
    expect(widest).toBeLessThan(200 + kept + 40);
  }, 60_000);

  it('container files each with their own schema: compiled readers stay within budget, heap flat', () => {
    const decoder = new AvroAlertDecoder('rubin', { schemaCacheBytes: 4 * MiB });
    const xs: number[] = [];
    const ys: number[] = [];
    const total = 6000;
    const base = memory();
    let filled = 0;
    for (let start = 0; start < total; start += 200) {
      const values = Array.from({ length: 200 }, (_, k) => container(start + k, start + k));
      const res = decoder.decodeBatch(values);
      expect(res.rejects).toEqual([]);
      expect(res.batch.numRows).toBe(200);
      const ids = res.batch.getChild('alertId')?.toArray() as BigInt64Array;
      expect(ids[0]).toBe(170_000_000_000_000_000n + BigInt(start));
      res.release?.();
      expect(decoder.schemaCacheStats().bytes).toBeLessThanOrEqual(4 * MiB);
      if (start === 1000) {
        filled = memory() - base; // the cache is full by now
      }
      if (start >= total / 4 && (start / 200) % 3 === 2) {
        xs.push(start);
        ys.push(memory());
      }
    }
    const perMessage = slope(xs, ys);
    const accounted = decoder.schemaCacheStats().bytes;
    console.log(
      `container files: ${total} schemas, ${decoder.schemaCacheStats().entries} readers kept (accounted ${(accounted / MiB).toFixed(2)} MiB, heap growth ${(filled / MiB).toFixed(2)} MiB), slope ${perMessage.toFixed(1)} B/message`
    );
    expect(perMessage).toBeLessThan(200);
    // the estimate does not count less than the readers hold (it may count up to ~3× more)
    expect(filled / accounted).toBeLessThan(1.2);
    expect(filled / accounted).toBeGreaterThan(0.2);
  }, 120_000);
});

/**
 * A stream where every message carries its own schema does not grow memory without end (issue #15
 * part 3): 20,000 Confluent-framed alerts, each with its own schema id served by a local HTTP
 * Schema Registry, decode correctly while the schema source's cache and the decoder's compiled
 * readers stay within their budgets and the heap after GC stays flat (container files and fields
 * of their own: schema-cache-files.test.ts).
 */
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AvroAlertDecoder } from './avro-decoder.js';
import { httpSchemaSource } from './schema-source.js';
import { ByteLru } from './schema-cache.js';
import { confluent, schemaFor } from './testing/own-schema.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function withRegistry(fn: (url: string, requests: () => number) => Promise<void>) {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const id = Number(/\/schemas\/ids\/(\d+)$/.exec(req.url ?? '')?.[1]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ schema: schemaFor(id) }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await fn(`http://127.0.0.1:${port}`, () => requests);
  } finally {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
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

describe('schema caches bounded by bytes', () => {
  it('ByteLru evicts the least recently used past its budget and never holds more', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<string, number>(1000, k => evicted.push(k));
    for (let i = 0; i < 5; i++) {
      lru.set(`k${i}`, i, 72); // 72 + 128 overhead = 200 each
    }
    expect(lru.stats()).toMatchObject({ entries: 5, bytes: 1000 });
    expect(lru.get('k0')).toBe(0);
    lru.set('k5', 5, 72);
    expect(evicted).toEqual(['k1']);
    expect(lru.peek('k0')).toBe(0);
    expect(lru.set('big', 9, 2000)).toBe(false);
    expect(lru.bytes).toBeLessThanOrEqual(1000);
    expect(() => new ByteLru(0)).toThrow(/budget/);
  });

  it('20,000 Confluent alerts each with its own registry schema: caches within budget, heap flat, rows right', async () => {
    await withRegistry(async (url, requests) => {
      const source = httpSchemaSource(url, { cacheBytes: 1 * MiB, timeoutMs: 20_000 });
      const decoder = new AvroAlertDecoder('confluent', {
        schemaSource: source,
        schemaCacheBytes: 8 * MiB
      });
      const total = 20_000;
      const batch = 500;
      const xs: number[] = [];
      const ys: number[] = [];
      let rows = 0;
      for (let start = 0; start < total; start += batch) {
        const values = Array.from({ length: batch }, (_, k) =>
          confluent(100_000 + start + k, start + k)
        );
        await decoder.prepare(values);
        const res = decoder.decodeBatch(values);
        expect(res.rejects).toEqual([]);
        expect(res.batch.numRows).toBe(batch);
        const ids = res.batch.getChild('alertId')?.toArray() as BigInt64Array;
        expect(ids[batch - 1]).toBe(170_000_000_000_000_000n + BigInt(start + batch - 1));
        expect(res.batch.getChild('dec')?.get(7)).toBeCloseTo(-30 + ((start + 7) % 600) * 0.1, 9);
        res.release?.();
        rows += res.batch.numRows;
        const src = source.cacheStats?.();
        const dec = decoder.schemaCacheStats();
        expect(src && src.bytes).toBeLessThanOrEqual(1 * MiB);
        expect(dec.bytes).toBeLessThanOrEqual(8 * MiB);
        if (start + batch >= total / 4 && (start / batch) % 4 === 3) {
          xs.push(start + batch);
          ys.push(memory());
        }
      }
      expect(rows).toBe(total);
      expect(requests()).toBe(total);
      const src = source.cacheStats?.();
      const dec = decoder.schemaCacheStats();
      expect(src?.evictions).toBeGreaterThan(total / 2);
      expect(dec.evictions).toBeGreaterThan(total / 2);
      const perMessage = slope(xs, ys);
      console.log(
        `schema caches: ${total} distinct schemas; source ${src?.entries} entries ${(
          (src?.bytes ?? 0) / MiB
        ).toFixed(
          2
        )} MiB, decoder ${dec.entries} readers ${(dec.bytes / MiB).toFixed(2)} MiB; heap ${(
          ys[0] / MiB
        ).toFixed(
          1
        )} → ${(ys[ys.length - 1] / MiB).toFixed(1)} MiB, slope ${perMessage.toFixed(1)} B/message`
      );
      // A compiled reader each, kept forever, is ≥ 40 KB a message; bounded, the slope is noise.
      expect(perMessage).toBeLessThan(200);
      await source.close();
    });
  }, 120_000);
});

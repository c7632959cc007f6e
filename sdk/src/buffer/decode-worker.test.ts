import { readFileSync } from 'node:fs';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  mapSchemaSource,
  splitOcfRecords,
  type DecoderSpec
} from '../alerts/index.js';
import type { SchemaSource } from '../alerts/schema-source.js';
import { SAMPLE_FILES, missingData, skipWithoutData } from '../alerts/testing/samples.js';
import { confluentFrame } from './ocf.js';
import { readAlertFile } from './produce.js';
import {
  DecodeWorker,
  DecoderFailure,
  INLINE_DECODE_MEAN_BYTES,
  decodeWithFallback,
  packValues
} from './decode-worker.js';
import type { AlertDecoder, DecodeResult } from '../alerts/types.js';
import { unpackValues } from './decode-worker-entry.js';

async function withWorker<T>(fn: (w: DecodeWorker) => Promise<T>): Promise<T> {
  const worker = new DecodeWorker('rubin');
  try {
    return await fn(worker);
  } finally {
    await worker.close();
  }
}

describe('decode worker', () => {
  it('packs values end to end and unpacks them, nulls and empties included', () => {
    const values = [Uint8Array.from([1, 2]), null, new Uint8Array(0), Uint8Array.from([3])];
    const { bytes, ends } = packValues(values);
    expect([...ends]).toEqual([2, -1, 2, 3]);
    expect(unpackValues(bytes, ends).map(v => (v === null ? null : [...v]))).toEqual([
      [1, 2],
      null,
      [],
      [3]
    ]);
  });

  it.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin])))(
    `gives the decoder's own batch, rows and rejects for real Rubin alerts (needs ${SAMPLE_FILES.rubin})`,
    async () => {
      const { values: samples } = await readAlertFile(SAMPLE_FILES.rubin);
      const values = [...samples, Uint8Array.from([0, 1, 2, 3]), null, ...samples];
      const inline = createDecoder('rubin').decodeBatch(values);
      await withWorker(async worker => {
        const [a, b] = await Promise.all([worker.decode(values), worker.decode(samples)]);
        expect(a.batch.numRows).toBe(samples.length * 2);
        expect(
          Buffer.from(tableToIPC(new Table([a.batch]))).equals(
            Buffer.from(tableToIPC(new Table([inline.batch])))
          )
        ).toBe(true);
        expect([...a.rowIndex]).toEqual([...inline.rowIndex]);
        expect(a.rejects).toEqual(inline.rejects);
        expect(a.rejects.length).toBeGreaterThan(0);
        expect(b.batch.numRows).toBe(samples.length);
      });
    }
  );

  it.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin])))(
    `resolves Confluent schema ids on the caller's thread and sends each schema once (needs ${SAMPLE_FILES.rubin})`,
    async () => {
      const { records: samples, schema } = splitOcfRecords(readFileSync(SAMPLE_FILES.rubin));
      let loads = 0;
      const map = mapSchemaSource({ 7: schema });
      const source: SchemaSource = {
        peek: () => undefined, // a remote registry: every id needs a load
        load: async id => {
          loads++;
          return map.load(id);
        },
        close: async () => undefined
      };
      const framed = [...samples.map(v => confluentFrame(7, v)), confluentFrame(8, samples[0])];
      const inline = createDecoder('confluent', { schemaSource: map });
      const want = inline.decodeBatch(framed, { includeCutouts: true });
      const spec = createDecoder('confluent', { schemaSource: source }).workerSpec?.();
      expect(spec?.schemaSource).toBe(source);
      const worker = new DecodeWorker(spec as DecoderSpec);
      try {
        const first = await worker.decode(framed, { includeCutouts: true });
        const again = await worker.decode(framed.slice(0, 2));
        expect(first.batch.numRows).toBe(samples.length);
        const ipc = (b: RecordBatch): Buffer => Buffer.from(tableToIPC(new Table([b])));
        expect(ipc(first.batch).equals(ipc(want.batch))).toBe(true);
        expect(first.batch.schema.fields.some(f => f.name.startsWith('cutout'))).toBe(true);
        expect(again.batch.schema.fields.some(f => f.name.startsWith('cutout'))).toBe(false);
        expect(first.rejects.map(r => [r.index, r.code])).toEqual([
          [samples.length, 'unknown-schema']
        ]);
        // id 7 loaded once and sent once; id 8 (unknown) tried for each batch that holds it
        expect(loads).toBe(2);
      } finally {
        await worker.close();
      }
    }
  );

  it.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin])))(
    `a replacement worker is sent the Confluent schemas again (needs ${SAMPLE_FILES.rubin})`,
    async () => {
      const { records: samples, schema } = splitOcfRecords(readFileSync(SAMPLE_FILES.rubin));
      const framed = samples.map(v => confluentFrame(7, v));
      const spec = createDecoder('confluent', {
        schemaSource: mapSchemaSource({ 7: schema })
      }).workerSpec?.() as DecoderSpec;
      const worker = new DecodeWorker(spec);
      try {
        expect((await worker.decode(framed)).rejects).toEqual([]);
        // the thread dies (out of memory, a crash): the next batch goes to a new one
        await (
          worker as unknown as { worker: { terminate(): Promise<number> } }
        ).worker.terminate();
        const again = await worker.decode(framed);
        expect(again.rejects).toEqual([]);
        expect(again.batch.numRows).toBe(samples.length);
      } finally {
        await worker.close();
      }
    }
  );

  it('rejects with a worker error, not a DecoderFailure, when the worker dies, and starts anew', async () => {
    const worker = new DecodeWorker('no-such-format' as 'rubin');
    try {
      const failed = worker.decode([Uint8Array.from([1])]);
      await expect(failed).rejects.toThrow();
      await expect(failed).rejects.not.toBeInstanceOf(DecoderFailure);
      await expect(worker.decode([Uint8Array.from([1])])).rejects.toThrow();
    } finally {
      await worker.close();
    }
  });

  it('decodes real-size alerts (over INLINE_DECODE_MEAN_BYTES mean) on this thread, small ones in the worker', async () => {
    const result = (by: string) => ({ by }) as unknown as DecodeResult;
    const worker = { decode: async () => result('worker') } as unknown as DecodeWorker;
    const decoder = { decodeBatch: () => result('inline') } as unknown as AlertDecoder;
    const sized = (bytes: number) => [new Uint8Array(bytes), new Uint8Array(bytes)];
    const via = async (bytes: number) =>
      (
        (await decodeWithFallback(worker, decoder, sized(bytes), {}, () => true)) as unknown as {
          by: string;
        }
      ).by;
    expect(await via(3_000)).toBe('worker');
    expect(await via(INLINE_DECODE_MEAN_BYTES)).toBe('worker');
    expect(await via(INLINE_DECODE_MEAN_BYTES + 1)).toBe('inline');
  });
});

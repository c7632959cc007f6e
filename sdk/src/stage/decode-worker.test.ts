import { existsSync } from 'node:fs';
import { Table, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../alerts/index.js';
import { SAMPLE_FILES } from '../alerts/testing/samples.js';
import { readAlertFile } from '../buffer/produce.js';
import { DecodeWorker, DecoderFailure, packValues } from './decode-worker.js';
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

  it.skipIf(!existsSync(SAMPLE_FILES.rubin))(
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
});

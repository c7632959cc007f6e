/**
 * Corrupted input never stops a batch: truncations and byte flips of real alerts either decode
 * or become rejects, and the batch always accounts for every input.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { createDecoder, splitOcfRecords } from './index.js';
import {
  SAMPLE_FILES,
  oracleRubinBodies,
  readSample,
  samplesMissing,
  skipWithoutData
} from './testing/samples.js';

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const b = src.slice(0, rand() < 0.5 ? Math.floor(rand() * src.length) : src.length);
  const flips = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < flips && b.length > 0; i++) {
    b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
  }
  return b;
}

describe.skipIf(skipWithoutData(missing))(title('corrupted alerts'), () => {
  it('every mutated Rubin body decodes or is rejected; intact ones still decode', () => {
    const bodies = oracleRubinBodies();
    const rand = seededRandom(12345);
    const decoder = createDecoder('rubin');
    for (let round = 0; round < 8; round++) {
      const values = bodies.flatMap(b => [mutate(b, rand), b]);
      const res = decoder.decodeBatch(values);
      const rowsFrom = new Set(res.rowIndex);
      const rejected = new Set(res.rejects.map(r => r.index));
      for (let i = 0; i < values.length; i++) {
        expect(rowsFrom.has(i) !== rejected.has(i)).toBe(true);
      }
      for (let i = 1; i < values.length; i += 2) {
        expect(rowsFrom.has(i)).toBe(true);
      }
      expect(res.batch.numRows).toBe(res.rowIndex.length);
      expect(
        res.rejects.every(r =>
          ['decode-error', 'bad-position', 'missing-position', 'empty'].includes(r.code)
        )
      ).toBe(true);
    }
  });

  it('every mutated ZTF container (schema inside) decodes or is rejected', () => {
    const singles = SAMPLE_FILES.ztfSingles.map(readSample);
    const rand = seededRandom(777);
    const decoder = createDecoder('auto');
    for (let round = 0; round < 30; round++) {
      const values = singles.map(b => mutate(b, rand));
      const res = decoder.decodeBatch(values);
      const accounted = new Set([...res.rowIndex, ...res.rejects.map(r => r.index)]);
      expect(accounted.size).toBe(values.length);
    }
  });

  it('a ZTF record whose schema is unknown is rejected as unknown-schema', () => {
    const { records } = splitOcfRecords(readSample(SAMPLE_FILES.ztf));
    const res = createDecoder('ztf').decodeBatch(records.slice(0, 2));
    expect(res.rejects.map(r => r.code)).toEqual(['unknown-schema', 'unknown-schema']);
  });
});

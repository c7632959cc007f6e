/**
 * DecodeResult.release(): a batch's lightcurve buffers written over by the next batch must give
 * exactly what fresh buffers give (values, nulls, flags), on the real Rubin and ZTF samples.
 */
import { makeVector, type Data, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createDecoder, splitOcfRecords } from './index.js';
import { LightcurveColumn } from './arrow/lightcurve.js';
import {
  SAMPLE_FILES,
  oracleRubinBodies,
  readSample,
  samplesMissing,
  skipWithoutData
} from './testing/samples.js';

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

/** Every lightcurve field of every point, nulls as null. */
function points(batch: RecordBatch): unknown[] {
  return listPoints(batch.getChild('lightcurve')!.data[0]);
}

function listPoints(data: Data): unknown[] {
  return makeVector(data)
    .toArray()
    .map((list: { toArray(): unknown[] } | null) =>
      JSON.parse(JSON.stringify(list?.toArray() ?? null))
    );
}

describe('lightcurve buffers recycled', () => {
  it('a recycled column writes the next batch exactly as a fresh one', () => {
    const write = (lc: LightcurveColumn, seed: number): void => {
      for (let row = 0; row < 3; row++) {
        for (let k = 0; k < 40 + seed * 7; k++) {
          const detection = (k + seed) % 3 !== 0;
          lc.push(
            60000 + k,
            NaN,
            NaN,
            detection ? 18 + k / 100 : NaN,
            detection ? 0.05 : NaN,
            false,
            detection,
            detection ? NaN : 20.5,
            (k + seed) % 5 === 0,
            (k + seed) % 7 === 0 ? null : new TextEncoder().encode('gri'),
            k % 3,
            1
          );
        }
        lc.closeRow();
      }
    };
    const used = new LightcurveColumn();
    write(used, 1);
    used.finish();
    used.recycle(used.handed!);
    write(used, 2);
    const again = used.finish();
    const fresh = new LightcurveColumn();
    write(fresh, 2);
    const expected = fresh.finish();
    expect(listPoints(again)).toEqual(listPoints(expected));
    expect(again.children[0].children.map(c => c.nullCount)).toEqual(
      expected.children[0].children.map(c => c.nullCount)
    );
  });
});

describe.skipIf(skipWithoutData(missing))(title('DecodeResult.release on the real samples'), () => {
  it('Rubin and ZTF: a batch decoded over released buffers equals a fresh decode', () => {
    const rubin = oracleRubinBodies();
    const ztf = splitOcfRecords(readSample(SAMPLE_FILES.ztf));
    const cases: Array<[() => ReturnType<typeof createDecoder>, Uint8Array[], Uint8Array[]]> = [
      [() => createDecoder('rubin'), rubin, [...rubin].reverse().slice(0, 5)],
      [() => createDecoder('ztf', { ztfSchema: ztf.schema }), ztf.records, ztf.records.slice(3, 20)]
    ];
    for (const [make, first, second] of cases) {
      const decoder = make();
      const a = decoder.decodeBatch(first);
      expect(a.release).toBeTypeOf('function');
      a.release!();
      a.release!(); // twice is harmless
      const b = decoder.decodeBatch(second);
      const fresh = make().decodeBatch(second);
      expect(b.batch.numRows).toBe(second.length);
      expect(points(b.batch)).toEqual(points(fresh.batch));
    }
  });
});

describe('recycled buffers taken when big enough for a batch like the last', () => {
  it('buffers with room for the last batch and a sixteenth more are written over, not replaced', () => {
    const lc = new LightcurveColumn();
    const batch = (points: number): void => {
      for (let k = 0; k < points; k++) {
        lc.push(60000 + k, 1, 1, NaN, NaN, true, true, NaN, false, null, 0, 0);
      }
      lc.closeRow();
      lc.finish();
    };
    batch(1900); // grown 256 → 2048 points
    const first = lc.handed!;
    expect(first.cap).toBe(2048);
    lc.recycle(first); // below a quarter more than 1,900 (fresh buffers' size), above 1,900 + 1/16
    batch(1950);
    expect(lc.handed).toBe(first);
  });
});

describe('release after the buffers left the thread', () => {
  it('buffers transferred away (detached) are not reused: the next batch gets fresh ones', () => {
    const lc = new LightcurveColumn();
    const one = (mjd: number): void => {
      lc.push(mjd, 1, 1, NaN, NaN, true, true, NaN, false, null, 0, 0);
      lc.closeRow();
    };
    one(60000);
    lc.finish();
    const handed = lc.handed!;
    const memory = handed.mjd.buffer as ArrayBuffer;
    structuredClone(memory, { transfer: [memory] });
    expect(handed.mjd.length).toBe(0); // detached
    lc.recycle(handed);
    one(60001);
    const data = lc.finish();
    expect(listPoints(data)).toEqual([[expect.objectContaining({ mjd: 60001 })]]);
  });

  it('one buffer of several transferred (each field is its own allocation): none is reused', () => {
    const lc = new LightcurveColumn();
    const one = (flux: number): void => {
      lc.push(60000, flux, 1, NaN, NaN, true, true, NaN, false, null, 0, 0);
      lc.closeRow();
    };
    one(100);
    lc.finish();
    const handed = lc.handed!;
    const mag = handed.mag.buffer as ArrayBuffer;
    expect(mag).not.toBe(handed.mjd.buffer);
    structuredClone(mag, { transfer: [mag] });
    expect(handed.mag.length).toBe(0);
    expect(handed.mjd.length).toBe(handed.cap); // the others are still there
    lc.recycle(handed);
    one(1000);
    const [[point]] = listPoints(lc.finish()) as Array<Array<{ flux: number; mag: number }>>;
    expect(point.flux).toBe(1000);
    expect(point.mag).toBeCloseTo(31.4 - 2.5 * Math.log10(1000), 9);
  });
});

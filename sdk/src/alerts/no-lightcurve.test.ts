import { Table, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readAlertFile } from '../buffer/produce.js';
import { RealisticAlerts } from '../simulate/index.js';
import { createDecoder } from './index.js';
import { SAMPLE_FILES, missingData, skipWithoutData } from './testing/samples.js';

/** The batch's columns as Arrow IPC bytes, `lightcurve` left out. */
function withoutLightcurve(batch: ReturnType<ReturnType<typeof createDecoder>['decodeBatch']>) {
  const names = batch.batch.schema.fields.map(f => f.name);
  const at = names.flatMap((n, i) => (n === 'lightcurve' ? [] : [i]));
  return Buffer.from(tableToIPC(new Table([batch.batch.selectAt(at)])));
}

describe.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin, SAMPLE_FILES.ztf])))(
  `decoding without the lightcurve (needs ${SAMPLE_FILES.rubin} and ${SAMPLE_FILES.ztf})`,
  () => {
    it.each([
      ['rubin', SAMPLE_FILES.rubin, ['mag', 'SNR']],
      ['ztf', SAMPLE_FILES.ztf, ['RB', 'drb']]
    ] as const)(
      '%s: no lightcurve column, every other column and reject exactly as with it',
      async (format, file, asked) => {
        const { values } = await readAlertFile(file);
        // a record cut short must be rejected the same way: the skipped history is still walked
        const inputs = [...values, values[0].subarray(0, values[0].length >> 1)];
        for (const columns of [undefined, asked]) {
          const withLc = createDecoder(format, { columns }).decodeBatch(inputs);
          const without = createDecoder(format, { columns, lightcurve: false }).decodeBatch(inputs);
          expect(withLc.batch.getChild('lightcurve')).not.toBeNull();
          expect(without.batch.getChild('lightcurve')).toBeNull();
          expect(without.batch.numRows).toBe(values.length);
          expect(without.rejects.map(r => [r.index, r.code])).toEqual(
            withLc.rejects.map(r => [r.index, r.code])
          );
          expect(withoutLightcurve(without).equals(withoutLightcurve(withLc))).toBe(true);
        }
      }
    );

    it('realistic Rubin alerts (distinct, long histories, cutouts): same columns, a second batch too', () => {
      const gen = RealisticAlerts.create({ seed: 7 });
      const withLc = createDecoder('rubin', { columns: ['mag'] });
      const without = createDecoder('rubin', { columns: ['mag'], lightcurve: false });
      for (let k = 0; k < 2; k++) {
        const { values } = gen.nextBatch(40);
        const a = withLc.decodeBatch(values);
        const b = without.decodeBatch(values);
        expect(b.batch.numRows).toBe(40);
        expect(b.batch.getChild('lightcurve')).toBeNull();
        expect(withoutLightcurve(b).equals(withoutLightcurve(a))).toBe(true);
      }
    });
  }
);

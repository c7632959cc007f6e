import { Table, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readAlertFile } from '../buffer/produce.js';
import { CANONICAL_COLUMNS, createDecoder } from './index.js';
import { SAMPLE_FILES, missingData, skipWithoutData } from './testing/samples.js';

describe.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin, SAMPLE_FILES.ztf])))(
  `decoding only some survey columns (needs ${SAMPLE_FILES.rubin} and ${SAMPLE_FILES.ztf})`,
  () => {
    it.each([
      ['rubin', SAMPLE_FILES.rubin, ['diaObject_nDiaSources', 'SNR']],
      ['ztf', SAMPLE_FILES.ztf, ['RB', 'drb']]
    ] as const)(
      '%s: canonical columns and lightcurve unchanged, survey columns as asked',
      async (format, file, asked) => {
        const { values } = await readAlertFile(file);
        const full = createDecoder(format).decodeBatch(values).batch;
        const some = createDecoder(format, { columns: asked }).decodeBatch(values).batch;
        const names = (b: typeof full) => b.schema.fields.map(f => f.name);
        const always = [...CANONICAL_COLUMNS, 'lightcurve'] as readonly string[];
        const canonical = names(full).filter(n => always.includes(n));
        expect(canonical.length).toBeGreaterThan(10);
        const kept = names(some).filter(n => !canonical.includes(n));
        expect(kept.sort()).toEqual(
          names(full)
            .filter(n => asked.some(a => a.toLowerCase() === n.toLowerCase()))
            .sort()
        );
        expect(kept.length).toBe(asked.length); // both exist in the full decode
        expect(names(full).length).toBeGreaterThan(names(some).length + 50);
        const pick = (b: typeof full, cols: string[]) =>
          Buffer.from(tableToIPC(new Table([b.selectAt(cols.map(c => names(b).indexOf(c)))])));
        const same = [...canonical, ...kept];
        expect(pick(some, same).equals(pick(full, same))).toBe(true);
      }
    );
  }
);

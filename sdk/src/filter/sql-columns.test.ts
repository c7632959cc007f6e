import { describe, expect, it } from 'vitest';
import { sqlFilter } from './factories.js';
import { withLightcurveFeatures } from './features.js';
import { sandboxInput } from './sql-columns.js';
import { syntheticAlerts } from './synthetic.js';

const { batch, rows } = syntheticAlerts(500, 5);
const names = (b: { schema: { fields: { name: string }[] } }): string[] =>
  b.schema.fields.map(f => f.name);

describe('sandboxInput', () => {
  it('keeps only the required columns, in order, matched case-insensitively', () => {
    const { batch: cut, missing } = sandboxInput(batch, ['MAG', 'band', 'mag', 'alertId']);
    expect(missing).toEqual([]);
    expect(names(cut)).toEqual(['mag', 'band', 'alertId']);
    expect(cut.numRows).toBe(batch.numRows);
    expect(cut.data.children.length).toBe(3);
    expect(cut.getChild('band')?.get(7)).toBe(rows[7].band);
    expect(cut.getChild('alertId')?.get(9)).toBe(rows[9].alertId);
  });

  it('computes lightcurve features only when one is required', () => {
    expect(names(sandboxInput(batch, ['mag']).batch)).toEqual(['mag']);
    const withNdet = sandboxInput(batch, ['ndet', 'gMinusR']).batch;
    expect(names(withNdet)).toEqual(['ndet', 'gMinusR']);
    const full = withLightcurveFeatures(batch);
    expect([...(withNdet.getChild('ndet')?.toArray() as Int32Array)]).toEqual([
      ...(full.getChild('ndet')?.toArray() as Int32Array)
    ]);
  });

  it('reports what neither the batch nor the features give; undefined means every column', () => {
    expect(sandboxInput(batch, ['mag', 'gaia_G']).missing).toEqual(['gaia_G']);
    const all = sandboxInput(batch, undefined);
    expect(all.missing).toEqual([]);
    expect(names(all.batch)).toEqual(names(withLightcurveFeatures(batch)));
  });

  it('keeps the row count with no column at all', () => {
    const { batch: none } = sandboxInput(batch, []);
    expect(none.numCols).toBe(0);
    expect(none.numRows).toBe(batch.numRows);
  });
});

describe('SQL filters over the narrowed batch', () => {
  const magBelow = (limit: number): number[] =>
    rows.map(r => (r.mag !== null && r.mag < limit ? 0 : -1));

  it('route column-pattern queries (COLUMNS, *) over the whole batch', async () => {
    const f = await sqlFilter("SELECT * FROM alerts WHERE COLUMNS('^ma.$') < 19", {
      id: 'pattern',
      kind: 'yesno'
    });
    try {
      expect([...(await f.evaluate(batch)).index]).toEqual(magBelow(19));
    } finally {
      await f.close();
    }
  });

  it('route a query that reads no column, and one with a constant-only condition', async () => {
    const f = await sqlFilter('1 = 1', { id: 'all', kind: 'yesno' });
    try {
      expect(f.requiredColumns).toEqual([]);
      expect([...(await f.evaluate(batch)).index]).toEqual(rows.map(() => 0));
    } finally {
      await f.close();
    }
  });
});

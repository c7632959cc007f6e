import { describe, expect, it } from 'vitest';
import { LIGHTCURVE_FEATURES, withLightcurveFeatures } from './features.js';
import { syntheticAlerts, type SyntheticAlert } from './synthetic.js';

/** The expected features, computed the plain way: filter, sort, pick. */
function expected(alert: SyntheticAlert): Record<string, number | null> {
  const det = alert.lightcurve.filter(
    p => p.isDetection && p.mag !== null && Number.isFinite(p.mag)
  );
  const out: Record<string, number | null> = { ndet: det.length };
  const byTime = [...det].sort((a, b) => a.mjd - b.mjd);
  for (const band of ['u', 'g', 'r', 'i', 'z', 'y']) {
    const inBand = byTime.filter(p => p.band === band);
    out[`latestMag_${band}`] = inBand.length ? (inBand[inBand.length - 1].mag as number) : null;
    // synthetic points carry no totalMag (total-flux.test.ts checks it on the real samples)
    const total = inBand.length
      ? (inBand[inBand.length - 1] as { totalMag?: number }).totalMag
      : null;
    out[`latestTotalMag_${band}`] = total ?? null;
  }
  const latest = byTime[byTime.length - 1];
  const same = latest ? byTime.filter(p => p.band === latest.band) : [];
  if (same.length >= 2) {
    const [prev, last] = same.slice(-2);
    const rate = ((prev.mag as number) - (last.mag as number)) / (last.mjd - prev.mjd);
    out.riseRate = rate;
    out.declineRate = -rate;
  } else {
    out.riseRate = null;
    out.declineRate = null;
  }
  out.daysSinceFirstDetection = det.length ? latest.mjd - byTime[0].mjd : null;
  const g = byTime.filter(p => p.band === 'g').pop();
  const r = byTime.filter(p => p.band === 'r').pop();
  out.gMinusR =
    g && r && Math.abs(g.mjd - r.mjd) <= 1 ? (g.mag as number) - (r.mag as number) : null;
  return out;
}

describe('lightcurve features', () => {
  it('match a plain per-alert computation on 2,000 synthetic alerts', () => {
    const { batch, rows } = syntheticAlerts(2000, 7);
    const out = withLightcurveFeatures(batch);
    expect(out.schema.fields.slice(-LIGHTCURVE_FEATURES.length).map(f => f.name)).toEqual([
      ...LIGHTCURVE_FEATURES
    ]);
    let withRate = 0;
    let withColour = 0;
    rows.forEach((alert, row) => {
      const want = expected(alert);
      for (const name of LIGHTCURVE_FEATURES) {
        const got = out.getChild(name)?.get(row) as number | null;
        if (want[name] === null) {
          expect(got, `${name} row ${row}`).toBeNull();
        } else {
          expect(got, `${name} row ${row}`).toBeCloseTo(want[name] as number, 9);
        }
      }
      withRate += want.riseRate === null ? 0 : 1;
      withColour += want.gMinusR === null ? 0 : 1;
    });
    // the data exercise both the null and the computed branches
    expect(withRate).toBeGreaterThan(100);
    expect(withColour).toBeGreaterThan(50);
  });

  it('works on a sliced batch and is idempotent', () => {
    const { batch, rows } = syntheticAlerts(300, 3);
    const sliced = batch.slice(101, 250);
    const out = withLightcurveFeatures(sliced);
    expect(withLightcurveFeatures(out)).toBe(out);
    for (let j = 0; j < sliced.numRows; j++) {
      expect(out.getChild('ndet')?.get(j)).toBe(expected(rows[j + 101]).ndet);
    }
  });
});

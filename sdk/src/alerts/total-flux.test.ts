/**
 * Total-flux magnitudes on the real samples, against values computed here by hand from the raw
 * packets as fastavro reads them (an independent reader): the alert columns `totalMag`,
 * `totalMagErr` and every lightcurve point's, for ZTF (DC magnitude) and Rubin (scienceFlux,
 * forced photometry included); the JSON codec gives the same.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withLightcurveFeatures } from '../filter/features.js';
import { createDecoder } from './index.js';
import { PYTHON, SAMPLE_FILES, samplesMissing, skipWithoutData } from './testing/samples.js';

const missing = samplesMissing();

/** Raw fields per alert, by fastavro: ids as strings, NaN/None as null. */
const DUMP = String.raw`
import fastavro, json, math, sys
def clean(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v
out = []
for path in sys.argv[1:]:
    for a in fastavro.reader(open(path, 'rb')):
        if 'candidate' in a:
            keys = ['candid', 'magpsf', 'sigmapsf', 'magnr', 'sigmagnr', 'isdiffpos']
            pts = [{k: clean(p.get(k)) for k in keys} for p in (a.get('prv_candidates') or [])]
            c = {k: clean(a['candidate'].get(k)) for k in keys}
            out.append({'id': str(a['candid']), 'ztf': True, 'cur': c, 'prv': pts})
        else:
            keys = ['scienceFlux', 'scienceFluxErr']
            s = a['diaSource']
            prv = [{k: clean(p.get(k)) for k in keys} for p in (a.get('prvDiaSources') or [])]
            fo = [{k: clean(p.get(k)) for k in keys} for p in (a.get('prvDiaForcedSources') or [])]
            out.append({'id': str(s['diaSourceId']), 'ztf': False,
                        'cur': {k: clean(s.get(k)) for k in keys}, 'prv': prv + fo})
print(json.dumps(out))
`;

type Raw = Record<string, number | string | null>;
interface Dumped {
  id: string;
  ztf: boolean;
  cur: Raw;
  prv: Raw[];
}

/** The documented formulas, written out again here (not the code under test). */
function byHand(p: Raw, ztf: boolean): [number | null, number | null] {
  if (ztf) {
    const { magpsf, sigmapsf, magnr, sigmagnr, isdiffpos } = p as Record<string, number>;
    if (p.candid === null || magpsf === null || magnr === null || !(magnr > 0)) {
      return [null, null];
    }
    const sign = ['t', '1'].includes(String(isdiffpos)) ? 1 : -1;
    const fRef = Math.pow(10, -magnr / 2.5);
    const fDiff = Math.pow(10, -magpsf / 2.5);
    const f = fRef + sign * fDiff;
    if (f <= 0) {
      return [null, null];
    }
    const err = Math.sqrt((fRef * sigmagnr) ** 2 + (fDiff * sigmapsf) ** 2) / f;
    return [-2.5 * Math.log10(f), err];
  }
  const f = p.scienceFlux as number | null;
  const fe = p.scienceFluxErr as number | null;
  if (f === null || !(f > 0)) {
    return [null, null];
  }
  // 1.0857: the rounded 2.5/ln 10 the schema documents for Rubin magnitude errors
  return [-2.5 * Math.log10(f) + 31.4, fe === null ? null : (1.0857 * fe) / f];
}

const close = (got: unknown, want: number | null, what: string): void => {
  if (want === null) {
    expect(got, what).toBeNull();
  } else {
    expect(got, what).toBeTypeOf('number');
    expect(Math.abs((got as number) - want), what).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
  }
};

describe.skipIf(skipWithoutData(missing))(
  `total-flux magnitudes (${missing ?? 'samples present'})`,
  () => {
    const files = [SAMPLE_FILES.ztf, SAMPLE_FILES.rubin];
    const dumped = (): Dumped[] =>
      JSON.parse(
        execFileSync(PYTHON, ['-c', DUMP, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 })
      ) as Dumped[];

    it('alert columns and lightcurve points equal the hand-computed values (ZTF DC mag, Rubin scienceFlux)', () => {
      const raw = dumped();
      const decoder = createDecoder('auto');
      const { batch } = decoder.decodeBatch(files.map(f => new Uint8Array(readFileSync(f))));
      expect(batch.numRows).toBe(raw.length);
      const ids = batch.getChild('alertId');
      const total = batch.getChild('totalMag');
      const totalErr = batch.getChild('totalMagErr');
      const lc = batch.getChild('lightcurve');
      let ztfWithDc = 0;
      let rubinPoints = 0;
      for (let row = 0; row < batch.numRows; row++) {
        const r = raw[row];
        expect(String(ids?.get(row))).toBe(r.id);
        const [m, e] = byHand(r.ztf ? { ...r.cur, candid: 1 } : r.cur, r.ztf);
        close(total?.get(row), m, `${r.id} totalMag`);
        close(totalErr?.get(row), e, `${r.id} totalMagErr`);
        ztfWithDc += r.ztf && m !== null ? 1 : 0;
        // the lightcurve: history in order, then the current point
        const points = (lc?.get(row) as { toArray(): Array<{ toJSON(): Raw }> }).toArray();
        const expected = [...r.prv, r.ztf ? { ...r.cur, candid: 1 } : r.cur];
        expect(points.length).toBe(expected.length);
        points.forEach((p, i) => {
          const [pm, pe] = byHand(expected[i], r.ztf);
          const json = p.toJSON();
          close(json.totalMag, pm, `${r.id} point ${i} totalMag`);
          close(json.totalMagErr, pe, `${r.id} point ${i} totalMagErr`);
          rubinPoints += !r.ztf && pm !== null ? 1 : 0;
        });
      }
      // the samples exercise the formulas: ZTF alerts with a reference source, Rubin points with flux
      expect(ztfWithDc).toBeGreaterThan(10);
      expect(rubinPoints).toBeGreaterThan(100);

      // features: latestTotalMag_<band> is the total magnitude of the latest detection in that
      // band — the alert's own where the alert is that detection (its latestMag_<band> is its mag)
      const featured = withLightcurveFeatures(batch);
      let checked = 0;
      for (let row = 0; row < featured.numRows; row++) {
        const band = String(featured.getChild('band')?.get(row));
        const latestMag = featured.getChild(`latestMag_${band}`)?.get(row) as number | null;
        const mag = featured.getChild('mag')?.get(row) as number | null;
        const t = featured.getChild('totalMag')?.get(row) as number | null;
        if (latestMag !== null && mag !== null && latestMag === mag && t !== null) {
          expect(featured.getChild(`latestTotalMag_${band}`)?.get(row)).toBe(t);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
);

/**
 * The history of one simulated diaObject across visits: its detections (diaSource records as
 * sent), its forced photometry (diaForcedSource records), and running per-band statistics for the
 * diaObject summary record. Alerts carry the history before their own visit, within a window.
 */
import { BANDS, type Band } from './fields.js';
import type { RubinAlert } from './rubin-encoder.js';

interface BandStats {
  n: number;
  sum: number;
  sum2: number;
  sumW: number;
  sumWF: number;
  sumErr: number;
  min: number;
  max: number;
  maxSlope: number;
  lastMjd: number;
  lastFlux: number;
  fpN: number;
  fpSumW: number;
  fpSumWF: number;
  sciN: number;
  sciSumW: number;
  sciSumWF: number;
}

function emptyStats(): BandStats {
  return {
    n: 0,
    sum: 0,
    sum2: 0,
    sumW: 0,
    sumWF: 0,
    sumErr: 0,
    min: Infinity,
    max: -Infinity,
    maxSlope: 0,
    lastMjd: NaN,
    lastFlux: NaN,
    fpN: 0,
    fpSumW: 0,
    fpSumWF: 0,
    sciN: 0,
    sciSumW: 0,
    sciSumWF: 0
  };
}

export class ObjectHistory {
  readonly detections: RubinAlert[] = [];
  readonly forced: RubinAlert[] = [];
  private readonly bands = new Map<Band, BandStats>();
  private sumRa = 0;
  private sumDec = 0;
  /** Detections ever (the window may have dropped old ones from `detections`). */
  count = 0;
  firstMjd = NaN;
  lastMjd = NaN;

  constructor(readonly diaObjectId: bigint) {}

  private stats(band: Band): BandStats {
    let s = this.bands.get(band);
    if (!s) {
      s = emptyStats();
      this.bands.set(band, s);
    }
    return s;
  }

  /** Records a detection (the diaSource record of an alert). */
  addDetection(src: RubinAlert): void {
    const band = src.band as Band;
    const flux = src.psfFlux as number;
    const err = src.psfFluxErr as number;
    const mjd = src.midpointMjdTai as number;
    const s = this.stats(band);
    if (s.n > 0 && mjd > s.lastMjd) {
      s.maxSlope = Math.max(s.maxSlope, Math.abs(flux - s.lastFlux) / (mjd - s.lastMjd));
    }
    s.n++;
    s.sum += flux;
    s.sum2 += flux * flux;
    s.sumW += 1 / (err * err);
    s.sumWF += flux / (err * err);
    s.sumErr += err;
    s.min = Math.min(s.min, flux);
    s.max = Math.max(s.max, flux);
    s.lastMjd = mjd;
    s.lastFlux = flux;
    const sci = src.scienceFlux as number;
    const sciErr = src.scienceFluxErr as number;
    s.sciN++;
    s.sciSumW += 1 / (sciErr * sciErr);
    s.sciSumWF += sci / (sciErr * sciErr);
    this.detections.push(src);
    this.count++;
    this.sumRa += src.ra as number;
    this.sumDec += src.dec as number;
    if (Number.isNaN(this.firstMjd)) {
      this.firstMjd = mjd;
    }
    this.lastMjd = mjd;
  }

  /** Records forced photometry at a visit. */
  addForced(fs: RubinAlert): void {
    const s = this.stats(fs.band as Band);
    const err = fs.psfFluxErr as number;
    s.fpN++;
    s.fpSumW += 1 / (err * err);
    s.fpSumWF += (fs.psfFlux as number) / (err * err);
    this.forced.push(fs);
  }

  /**
   * Detections and forced sources from the `historyDays` before `mjd` (excluding `mjd`'s own
   * visit). Records older than the window are dropped for good (visits only move forward).
   */
  window(mjd: number, historyDays: number): { prv: RubinAlert[]; forced: RubinAlert[] } {
    const since = mjd - historyDays;
    const pick = (list: RubinAlert[]): RubinAlert[] => {
      let old = 0;
      while (old < list.length && (list[old].midpointMjdTai as number) < since) {
        old++;
      }
      list.splice(0, old);
      return list.filter(r => (r.midpointMjdTai as number) < mjd);
    };
    return { prv: pick(this.detections), forced: pick(this.forced) };
  }

  /**
   * The diaObject record after the detections so far (call after addDetection of the current
   * alert's diaSource).
   */
  diaObject(raErrDeg: number): RubinAlert {
    const n = this.count;
    const out: RubinAlert = {
      diaObjectId: this.diaObjectId,
      validityStartMjdTai: this.firstMjd,
      ra: this.sumRa / n,
      raErr: raErrDeg / Math.sqrt(n),
      dec: this.sumDec / n,
      decErr: raErrDeg / Math.sqrt(n),
      ra_dec_Cov: 0,
      firstDiaSourceMjdTai: this.firstMjd,
      lastDiaSourceMjdTai: this.lastMjd,
      nDiaSources: n
    };
    for (const b of BANDS) {
      const s = this.bands.get(b);
      if (!s || s.n === 0) {
        continue;
      }
      const mean = s.sum / s.n;
      const variance = s.n > 1 ? Math.max(0, (s.sum2 - s.n * mean * mean) / (s.n - 1)) : 0;
      out[`${b}_psfFluxMean`] = mean;
      out[`${b}_psfFluxMeanErr`] = 1 / Math.sqrt(s.sumW);
      out[`${b}_psfFluxSigma`] = Math.sqrt(variance);
      out[`${b}_psfFluxNdata`] = s.n;
      out[`${b}_psfFluxMin`] = s.min;
      out[`${b}_psfFluxMax`] = s.max;
      out[`${b}_psfFluxMaxSlope`] = s.maxSlope;
      out[`${b}_psfFluxErrMean`] = s.sumErr / s.n;
      out[`${b}_scienceFluxMean`] = s.sciSumWF / s.sciSumW;
      out[`${b}_scienceFluxMeanErr`] = 1 / Math.sqrt(s.sciSumW);
      if (s.fpN > 0) {
        out[`${b}_fpFluxMean`] = s.fpSumWF / s.fpSumW;
        out[`${b}_fpFluxMeanErr`] = 1 / Math.sqrt(s.fpSumW);
      }
    }
    return out;
  }
}

/**
 * The derived values of Rubin history points, computed when an array of them is committed (see
 * LightcurveColumn.commitPoints): AB magnitudes and errors from the PSF flux in nJy, total-flux
 * magnitudes from the science flux, validity bits, and the null counts of every field.
 */
import { LN_TO_MAG, MAG_ERR_FACTOR, NJY_AB_ZERO_POINT } from '../schema.js';
import type { PointArrays } from './point-arrays.js';

/** Null counts per field of a range of points. */
export class PointNulls {
  mag = 0;
  magErr = 0;
  total = 0;
  totalErr = 0;
  flux = 0;
  mjd = 0;
  fluxErr = 0;
}

/**
 * Rubin history points [i0, end) of `a` as a reader wrote them: magnitudes from the PSF flux,
 * the science flux (in `total`/`totalErr`) turned into total magnitudes in place, validity bits
 * of mag/magErr; returns the null counts in `n`. abMagFromNjy / magErrFromFlux written out (V8
 * does not inline them in this loop), constants in locals (module bindings are re-read with a
 * hole check on every iteration); one loop over points still in cache (it was two).
 */
export function derivePoints(a: PointArrays, i0: number, end: number, n: PointNulls): PointNulls {
  const mjd = a.mjd;
  const flux = a.flux;
  const fluxErr = a.fluxErr;
  const mag = a.mag;
  const magErr = a.magErr;
  const total = a.total;
  const totalErr = a.totalErr;
  const magValid = a.magValid;
  const magErrValid = a.magErrValid;
  const zp = NJY_AB_ZERO_POINT;
  const lnToMag = LN_TO_MAG;
  const errFactor = MAG_ERR_FACTOR;
  let nulls = 0;
  let errNulls = 0;
  let fluxNulls = 0;
  let mjdNulls = 0;
  let fluxErrNulls = 0;
  let totalNulls = 0;
  let totalErrNulls = 0;
  // validity bits gathered a byte at a time (one store per 8 points, not a read-modify-write each)
  let magBits = 0;
  let errBits = 0;
  for (let i = i0; i < end; i++) {
    const f = flux[i];
    const fe = fluxErr[i];
    const sf = total[i];
    const bit = 1 << (i & 7);
    if (sf > 0) {
      const e = (errFactor * totalErr[i]) / sf;
      totalErr[i] = e;
      total[i] = zp - lnToMag * Math.log(sf);
      totalErrNulls += e !== e ? 1 : 0;
    } else {
      total[i] = NaN;
      totalErr[i] = NaN;
      totalNulls++;
    }
    if (f > 0) {
      mag[i] = zp - lnToMag * Math.log(f);
      const e = (errFactor * fe) / f;
      magErr[i] = e;
      magBits |= bit;
      if (e === e) {
        errBits |= bit;
      } else {
        errNulls++;
      }
    } else {
      mag[i] = NaN;
      magErr[i] = NaN;
      nulls++;
      fluxNulls += f !== f ? 1 : 0;
    }
    mjdNulls += mjd[i] !== mjd[i] ? 1 : 0;
    fluxErrNulls += fe !== fe ? 1 : 0;
    if (bit === 128 || i === end - 1) {
      magValid[i >> 3] |= magBits;
      magErrValid[i >> 3] |= errBits;
      magBits = 0;
      errBits = 0;
    }
  }
  n.mag = nulls;
  n.magErr = nulls + errNulls;
  n.total = totalNulls;
  n.totalErr = totalNulls + totalErrNulls;
  n.flux = fluxNulls;
  n.mjd = mjdNulls;
  n.fluxErr = fluxErrNulls;
  return n;
}

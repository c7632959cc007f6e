/**
 * Total-flux ("DC") magnitudes: the brightness of the whole source, not of its change since the
 * reference image.
 *
 * ZTF — the standard DC magnitude as ZTF documents it (ZwickyTransientFacility/ztf-avro-alert,
 * notebooks/Variable_star_lightcurves.ipynb, "Variable star lightcurves": dc_flux = ref_flux ±
 * difference_flux, dc_sigflux = √(difference_sigflux² + ref_sigflux²), dc_mag = −2.5 log10
 * dc_flux, dc_sigmag = 1.0857 dc_sigflux / dc_flux), with reference and difference magnitudes on
 * the same zero point (which then cancels):
 *   f_ref = 10^(−0.4 magnr), f_diff = 10^(−0.4 magpsf)
 *   f = f_ref + s·f_diff, s = +1 when isdiffpos is 't' or '1' (science minus reference), else −1
 *   m = −2.5 log10 f
 *   σ_m = √((f_ref·sigmagnr)² + (f_diff·sigmapsf)²) / f
 * (σ_f of each term is 0.4 ln10·f·σ_m = f·σ_m/1.0857; the factors cancel in σ_m = 1.0857 σ_f/f.)
 * Null when magnr is missing or not positive (no reference source: ZTF writes −999), when the
 * difference magnitude is missing, or when f ≤ 0.
 *
 * Rubin — from the science-image flux of the DIA source (lsst.v10 `scienceFlux`,
 * `scienceFluxErr`, nJy): m = 31.4 − 2.5 log10 f (AB), σ_m = 1.0857 σ_f / f; null when f ≤ 0.
 * Forced photometry (prvDiaForcedSources) carries `scienceFlux` too: its points get the same.
 */
import { LN_TO_MAG, abMagFromNjy, magErrFromFlux } from './schema.js';

/** `isdiffpos` says the candidate came from the positive (science − reference) subtraction. */
export function isPositiveSubtraction(isdiffpos: string | null | undefined): boolean {
  return isdiffpos === 't' || isdiffpos === '1' || isdiffpos === 'T' || isdiffpos === 'true';
}

/** The ZTF DC magnitude (see the module comment); NaN where undefined. */
export function ztfDcMag(magpsf: number, magnr: number, positive: boolean): number {
  if (!(magnr > 0) || !Number.isFinite(magpsf)) {
    return NaN;
  }
  const f = 10 ** (-0.4 * magnr) + (positive ? 1 : -1) * 10 ** (-0.4 * magpsf);
  return f > 0 ? -LN_TO_MAG * Math.log(f) : NaN;
}

/** The error of {@link ztfDcMag} (mag); NaN where undefined. */
export function ztfDcMagErr(
  magpsf: number,
  sigmapsf: number,
  magnr: number,
  sigmagnr: number,
  positive: boolean
): number {
  if (!(magnr > 0) || !Number.isFinite(magpsf)) {
    return NaN;
  }
  const fRef = 10 ** (-0.4 * magnr);
  const fDiff = 10 ** (-0.4 * magpsf);
  const f = fRef + (positive ? 1 : -1) * fDiff;
  if (!(f > 0)) {
    return NaN;
  }
  return Math.hypot(fRef * sigmagnr, fDiff * sigmapsf) / f;
}

/** Rubin total magnitude (AB) from scienceFlux in nJy; NaN when not positive. */
export const rubinTotalMag = (scienceFluxNjy: number): number => abMagFromNjy(scienceFluxNjy);

/** Its error from scienceFluxErr; NaN when the flux is not positive. */
export const rubinTotalMagErr = (scienceFluxNjy: number, scienceFluxErrNjy: number): number =>
  magErrFromFlux(scienceFluxNjy, scienceFluxErrNjy);

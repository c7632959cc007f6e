/**
 * The Arrow schema every alert codec produces, one row per accepted alert.
 *
 * Canonical columns, in this order (all nullable unless said otherwise):
 *
 * | column | type | Rubin (lsst.v10) | ZTF |
 * |---|---|---|---|
 * | `survey` | Utf8, not null | `'rubin'` | `'ztf'` |
 * | `alertId` | Int64 | `diaSource.diaSourceId` | `candid` |
 * | `objectId` | Utf8 | `diaObjectId` as a decimal string (or `ssObjectId` for solar-system sources without a diaObject) | `objectId` |
 * | `diaObjectId` | Int64 | `diaObject.diaObjectId` ?? `diaSource.diaObjectId` (0 → null) | null |
 * | `ra`, `dec` | Float64 (deg) | `diaSource.ra/dec` | `candidate.ra/dec` |
 * | `mjd` | Float64 | `diaSource.midpointMjdTai` | `candidate.jd − 2400000.5` |
 * | `band` | Utf8 | `diaSource.band` | `fid` 1→g, 2→r, 3→i |
 * | `mag`, `magErr` | Float64 (AB) | `31.4 − 2.5 log10(psfFlux)`, `1.0857 psfFluxErr/psfFlux` (null when flux ≤ 0) | `magpsf`, `sigmapsf` |
 * | `totalMag`, `totalMagErr` | Float64 | total-flux magnitude: `31.4 − 2.5 log10(scienceFlux)`, `1.0857 scienceFluxErr/scienceFlux` (null when ≤ 0) | DC magnitude from magpsf, sigmapsf, magnr, sigmagnr, isdiffpos (see total-flux.ts; null without a reference source) |
 * | `psfFlux`, `psfFluxErr` | Float64 (nJy) | `diaSource.psfFlux/psfFluxErr` | null |
 * | `ssObjectId` | Int64 | `diaSource.ssObjectId` (0 → null) | null |
 * | `ssnamenr` | Utf8 | null | `candidate.ssnamenr` |
 * | `ssdistnr` | Float64 (arcsec) | null | `candidate.ssdistnr` |
 * | `isMovingObject` | Bool, not null | `ssObjectId` is set (not null or 0) | `0 ≤ ssdistnr ≤ 5″` |
 *
 * Then the survey-specific scalar fields, flattened with their own names as the writer schema
 * types them (boolean→Bool, int→Int32, long→Int64, float→Float32, double→Float64,
 * string/enum→Utf8, bytes/fixed→Binary); names already taken are not repeated:
 * - Rubin: top-level scalars (`observation_reason`, ...), every `diaSource` scalar by its own
 *   name, `diaObject` scalars as `diaObject_<name>`, other top-level records' scalars as
 *   `<record>_<name>` (e.g. `ssSource_designation`, a broker's `xm_simbad_otype`).
 * - ZTF: top-level scalars (`schemavsn`, `publisher`, broker fields), every `candidate` scalar by
 *   its own name, other top-level records' scalars as `<record>_<name>`.
 * Columns seen once by a decoder stay in its later batches (null where absent) so a topic's
 * batches share one schema.
 *
 * Then `lightcurve`: List<Struct<mjd Float64, band Utf8, flux Float64, fluxErr Float64,
 * mag Float64, magErr Float64, isDetection Bool, upperLimitMag Float64, forced Bool,
 * totalMag Float64, totalMagErr Float64>> (total-flux magnitudes as in the alert columns, per point:
 * Rubin from each source's and forced source's scienceFlux, ZTF from each prv_candidate's magnr):
 * - Rubin: `prvDiaSources` (isDetection), then `prvDiaForcedSources` (forced, not detections),
 *   then the current `diaSource`; mjd = midpointMjdTai, flux/fluxErr = psfFlux/psfFluxErr (nJy),
 *   mag/magErr derived from flux as above; upperLimitMag null.
 * - ZTF: `prv_candidates`, then the current `candidate`; mjd = jd − 2400000.5, band from fid,
 *   mag/magErr = magpsf/sigmapsf, flux null; rows without candid or magpsf are non-detections
 *   (isDetection false) with upperLimitMag = diffmaglim.
 *
 * In the lightcurve, a NaN in the source (e.g. a NaN psfFlux) reads as null.
 *
 * Last, only with `includeCutouts: true`, Binary columns `cutoutDifference`, `cutoutScience`,
 * `cutoutTemplate` (ZTF: the `stampData` of each cutout, gzipped FITS; Rubin: the bytes as sent).
 *
 * Kafka coordinates (`kafkaTopic`, ...) are added by the buffer layer, not by the codecs.
 */
export const CANONICAL_COLUMNS = [
  'survey',
  'alertId',
  'objectId',
  'diaObjectId',
  'ra',
  'dec',
  'mjd',
  'band',
  'mag',
  'magErr',
  'totalMag',
  'totalMagErr',
  'psfFlux',
  'psfFluxErr',
  'ssObjectId',
  'ssnamenr',
  'ssdistnr',
  'isMovingObject'
] as const;

export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/** Names of the cutout columns, in output order. */
export const CUTOUT_COLUMNS = ['cutoutDifference', 'cutoutScience', 'cutoutTemplate'] as const;

/** AB magnitude zero point for fluxes in nJy: mag = 31.4 − 2.5 log10(flux). */
export const NJY_AB_ZERO_POINT = 31.4;

/** 2.5 / ln(10): converts a relative flux error to a magnitude error. */
export const MAG_ERR_FACTOR = 1.0857;

export const LN_TO_MAG = 2.5 / Math.LN10;

/** AB magnitude from a flux in nJy; NaN when the flux is missing or not positive. */
export function abMagFromNjy(fluxNjy: number): number {
  return fluxNjy > 0 ? NJY_AB_ZERO_POINT - LN_TO_MAG * Math.log(fluxNjy) : NaN;
}

/** Magnitude error from flux and flux error; NaN when the flux is missing or not positive. */
export function magErrFromFlux(fluxNjy: number, fluxErrNjy: number): number {
  return fluxNjy > 0 ? (MAG_ERR_FACTOR * fluxErrNjy) / fluxNjy : NaN;
}

/** ZTF filter id → band name. */
export const ZTF_BANDS: Readonly<Record<number, string>> = { 1: 'g', 2: 'r', 3: 'i' };

/** JD → MJD. */
export const JD_MJD_OFFSET = 2400000.5;

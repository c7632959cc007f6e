/**
 * Builders of the lsst.v10_0 records a simulated alert is made of: diaSource, diaForcedSource and
 * ssSource. Fields the simulation has a value for are set; everything else is left out and
 * encodes as null (all such fields are nullable in the schema). 64-bit ids are bigints.
 */
import { focalPlane, type VisitInfo } from './fields.js';
import { fluxErrNjy } from './lightcurves.js';
import type { Rng } from './rng.js';
import type { RubinAlert } from './rubin-encoder.js';
import { eclipticDeg, galacticDeg, offsetDeg } from './sky.js';

/** Seconds from mid-exposure to the alert's processing time. */
const PROCESSING_DELAY_S = 55;

/** A measured detection on the difference image. */
export interface Measurement {
  raDeg: number;
  decDeg: number;
  posErrArcsec: number;
  psfFlux: number;
  psfFluxErr: number;
  scienceFlux: number;
  scienceFluxErr: number;
  templateFlux: number;
  snr: number;
}

/**
 * Measures a source of true position (ra, dec), difference flux `diffNjy` and template flux
 * `templateNjy`: adds flux noise and astrometric noise drawn from `rng`.
 */
export function measure(
  rng: Rng,
  visit: VisitInfo,
  raDeg: number,
  decDeg: number,
  diffNjy: number,
  templateNjy: number
): Measurement {
  const scienceTrue = templateNjy + diffNjy;
  const psfFluxErr = fluxErrNjy(visit.band, scienceTrue);
  const psfFlux = diffNjy + psfFluxErr * rng.normal();
  const scienceFluxErr = psfFluxErr;
  const scienceFlux = scienceTrue + scienceFluxErr * rng.normal();
  const snr = Math.abs(psfFlux) / psfFluxErr;
  const posErrArcsec = Math.min(0.3, Math.max(0.005, 0.7 / Math.max(snr, 1)));
  // a normal offset truncated at 3σ (≤ 0.9″), so a source never strays from where it belongs
  const shift = Math.min(3, Math.abs(rng.normal())) * posErrArcsec;
  const at = offsetDeg(raDeg, decDeg, rng.uniform(0, 360), shift / 3600);
  return {
    raDeg: at.raDeg,
    decDeg: at.decDeg,
    posErrArcsec,
    psfFlux,
    psfFluxErr,
    scienceFlux,
    scienceFluxErr,
    templateFlux: templateNjy,
    snr
  };
}

export interface SourceIds {
  diaSourceId: bigint;
  diaObjectId: bigint | null;
  ssObjectId: bigint | null;
}

/** A diaSource record. `real` sources get high reliability, bogus ones low. */
export function diaSourceRecord(
  rng: Rng,
  visit: VisitInfo,
  ids: SourceIds,
  m: Measurement,
  real: boolean,
  trail?: { lengthArcsec: number; angleDeg: number }
): RubinAlert {
  const fp = focalPlane(visit.field, m.raDeg, m.decDeg);
  const posErrDeg = m.posErrArcsec / 3600;
  const pixErr = m.posErrArcsec / 0.2;
  const bbox = 15 + 2 * Math.min(20, Math.floor(Math.log10(1 + Math.abs(m.snr)) * 6));
  const rec: RubinAlert = {
    diaSourceId: ids.diaSourceId,
    visit: visit.visitId,
    detector: fp.detector,
    diaObjectId: ids.diaObjectId,
    ssObjectId: ids.ssObjectId,
    midpointMjdTai: visit.mjd,
    ra: m.raDeg,
    raErr: posErrDeg,
    dec: m.decDeg,
    decErr: posErrDeg,
    ra_dec_Cov: 0,
    x: fp.x,
    xErr: pixErr,
    y: fp.y,
    yErr: pixErr,
    centroid_flag: false,
    apFlux: m.psfFlux * (1 + 0.02 * rng.normal()),
    apFluxErr: m.psfFluxErr * 1.2,
    apFlux_flag: false,
    apFlux_flag_apertureTruncated: false,
    isNegative: m.psfFlux < 0,
    snr: m.snr,
    psfFlux: m.psfFlux,
    psfFluxErr: m.psfFluxErr,
    psfChi2: bbox * bbox * (real ? 1 + 0.1 * Math.abs(rng.normal()) : 1.5 + rng.next()),
    psfNdata: bbox * bbox,
    psfFlux_flag: false,
    psfFlux_flag_edge: false,
    psfFlux_flag_noGoodPixels: false,
    scienceFlux: m.scienceFlux,
    scienceFluxErr: m.scienceFluxErr,
    forced_PsfFlux_flag: false,
    templateFlux: m.templateFlux,
    templateFluxErr: m.psfFluxErr,
    shape_flag: false,
    extendedness: real ? 0.05 * rng.next() : rng.next(),
    reliability: real ? 0.7 + 0.3 * rng.next() : 0.3 * rng.next(),
    band: visit.band,
    isDipole: false,
    dipoleFitAttempted: false,
    timeProcessedMjdTai: visit.mjd + PROCESSING_DELAY_S / 86400,
    bboxSize: bbox,
    pixelFlags: false,
    pixelFlags_bad: false,
    pixelFlags_cr: !real && rng.next() < 0.3,
    pixelFlags_edge: false,
    pixelFlags_saturated: false,
    pixelFlags_suspect: false,
    pixelFlags_streak: false,
    glint_trail: false
  };
  if (trail) {
    rec.trailFlux = m.psfFlux;
    rec.trailFluxErr = m.psfFluxErr;
    rec.trailRa = m.raDeg;
    rec.trailDec = m.decDeg;
    rec.trailLength = trail.lengthArcsec;
    rec.trailAngle = trail.angleDeg;
    rec.trail_flag_edge = false;
  }
  return rec;
}

/** A diaForcedSource record: photometry at the diaObject's position at a visit. */
export function forcedSourceRecord(
  rng: Rng,
  visit: VisitInfo,
  diaForcedSourceId: bigint,
  diaObjectId: bigint,
  raDeg: number,
  decDeg: number,
  diffNjy: number,
  templateNjy: number
): RubinAlert {
  const err = fluxErrNjy(visit.band, templateNjy + diffNjy);
  return {
    diaForcedSourceId,
    diaObjectId,
    ra: raDeg,
    dec: decDeg,
    visit: visit.visitId,
    detector: focalPlane(visit.field, raDeg, decDeg).detector,
    psfFlux: diffNjy + err * rng.normal(),
    psfFluxErr: err,
    midpointMjdTai: visit.mjd,
    scienceFlux: templateNjy + diffNjy + err * rng.normal(),
    scienceFluxErr: err,
    band: visit.band,
    timeProcessedMjdTai: visit.mjd + PROCESSING_DELAY_S / 86400
  };
}

/** Orbit-ish facts of a simulated asteroid, for its ssSource record. */
export interface AsteroidFacts {
  ssObjectId: bigint;
  designation: string;
  /** True (ephemeris) position now. */
  raDeg: number;
  decDeg: number;
  rateDegPerDay: number;
  paDeg: number;
  helioRangeAu: number;
  magV: number;
}

/** An ssSource record for an asteroid detection. */
export function ssSourceRecord(diaSourceId: bigint, a: AsteroidFacts, m: Measurement): RubinAlert {
  const [eclLambda, eclBeta] = eclipticDeg(m.raDeg, m.decDeg);
  const [galLon, galLat] = galacticDeg(m.raDeg, m.decDeg);
  const pa = (a.paDeg * Math.PI) / 180;
  const cosDec = Math.cos((a.decDeg * Math.PI) / 180);
  const dRaArcsec = (((m.raDeg - a.raDeg + 540) % 360) - 180) * cosDec * 3600;
  const dDecArcsec = (m.decDeg - a.decDeg) * 3600;
  return {
    diaSourceId,
    ssObjectId: a.ssObjectId,
    designation: a.designation,
    eclLambda,
    eclBeta,
    galLon,
    galLat,
    topoRange: a.helioRangeAu - 0.95,
    helioRange: a.helioRangeAu,
    ephRa: a.raDeg,
    ephDec: a.decDeg,
    ephVmag: a.magV,
    ephRate: a.rateDegPerDay,
    ephRateRa: a.rateDegPerDay * Math.sin(pa),
    ephRateDec: a.rateDegPerDay * Math.cos(pa),
    ephOffset: Math.hypot(dRaArcsec, dDecArcsec),
    ephOffsetRa: dRaArcsec,
    ephOffsetDec: dDecArcsec,
    diaDistanceRank: 1
  };
}

/**
 * Photometric models of simulated sources, fluxes in nJy (AB: mag = 31.4 − 2.5 log10 flux):
 * single-visit depths and noise per band, periodic variable stars (sinusoidal, pulsating with a fast
 * rise, eclipsing), supernova-like rise-and-decline lightcurves (Bazin shape, bluer bands fade
 * faster), and asteroid brightness with a small rotational wobble.
 */
import type { Band } from './fields.js';
import type { Rng } from './rng.js';

/** 5σ point-source depth of one visit per band (Rubin design values, rounded). */
export const M5: Readonly<Record<Band, number>> = {
  u: 23.7,
  g: 24.97,
  r: 24.52,
  i: 24.13,
  z: 23.56,
  y: 22.55
};

export function njyFromMag(mag: number): number {
  return 10 ** ((31.4 - mag) / 2.5);
}

/** Flux error of a measurement: sky noise at the band's depth, source noise, a 0.2% floor. */
export function fluxErrNjy(band: Band, scienceFluxNjy: number): number {
  const sky = njyFromMag(M5[band]) / 5;
  const f = Math.abs(scienceFluxNjy);
  return Math.sqrt(sky * sky * (1 + f / njyFromMag(20)) + (0.002 * f) ** 2);
}

// ---- variable stars ----

export type VariableKind = 'sinusoidal' | 'pulsating' | 'eclipsing';

export interface VariableStar {
  kind: VariableKind;
  periodDays: number;
  /** Peak-to-peak amplitude (eclipse depth for eclipsing stars), mag. */
  amplitudeMag: number;
  phase0: number;
  /** Eclipse half-width as a fraction of the period. */
  widthPhase: number;
  /** Mean magnitude per band. */
  magByBand: Record<Band, number>;
}

const COLOUR_TERM: Readonly<Record<Band, number>> = {
  u: 1.4,
  g: 0.45,
  r: -0.25,
  i: -0.55,
  z: -0.75,
  y: -0.85
};
const AMPLITUDE_SCALE: Readonly<Record<Band, number>> = {
  u: 1.4,
  g: 1.2,
  r: 1,
  i: 0.9,
  z: 0.8,
  y: 0.75
};

/** Variability of a star of catalog magnitude `mag` and colour `bv` (NaN: unknown). */
export function makeVariable(rng: Rng, mag: number, bv: number): VariableStar {
  const kind = (['sinusoidal', 'pulsating', 'eclipsing'] as const)[rng.weighted([0.3, 0.45, 0.25])];
  const v = Number.isFinite(mag) ? mag : 11;
  const colour = Number.isFinite(bv) ? bv : 0.65;
  const magByBand = {} as Record<Band, number>;
  for (const b of Object.keys(COLOUR_TERM) as Band[]) {
    magByBand[b] = v + COLOUR_TERM[b] * colour;
  }
  return {
    kind,
    periodDays: rng.logUniform(0.2, 30),
    amplitudeMag: kind === 'eclipsing' ? rng.uniform(0.2, 0.9) : rng.uniform(0.1, 0.9),
    phase0: rng.next(),
    widthPhase: rng.uniform(0.04, 0.1),
    magByBand
  };
}

function deltaMag(s: VariableStar, band: Band, mjd: number): number {
  const p = (((mjd / s.periodDays + s.phase0) % 1) + 1) % 1;
  if (s.kind === 'eclipsing') {
    const d1 = Math.min(p, 1 - p);
    const d2 = Math.abs(p - 0.5);
    const dip = (d: number, depth: number): number =>
      d < s.widthPhase ? depth * (1 - d / s.widthPhase) : 0;
    return dip(d1, s.amplitudeMag) + dip(d2, 0.4 * s.amplitudeMag);
  }
  const a = s.amplitudeMag * AMPLITUDE_SCALE[band];
  if (s.kind === 'sinusoidal') {
    return (a / 2) * Math.sin(2 * Math.PI * p);
  }
  return p < 0.15 ? a / 2 - (a * p) / 0.15 : -a / 2 + (a * (p - 0.15)) / 0.85;
}

/** Template (mean) flux of a variable in `band`. */
export function variableTemplateNjy(s: VariableStar, band: Band): number {
  return njyFromMag(s.magByBand[band]);
}

/** Total flux of a variable at `mjd` in `band`. */
export function variableFluxNjy(s: VariableStar, band: Band, mjd: number): number {
  return njyFromMag(s.magByBand[band] + deltaMag(s, band, mjd));
}

// ---- supernova-like transients ----

export interface Transient {
  /** Time of half-rise, MJD. */
  t0: number;
  riseDays: number;
  fallDays: number;
  /** Peak magnitude in r. */
  peakMag: number;
}

const SN_PEAK_OFFSET: Readonly<Record<Band, number>> = {
  u: 0.6,
  g: 0.1,
  r: 0,
  i: 0.15,
  z: 0.35,
  y: 0.5
};
const SN_FALL_SCALE: Readonly<Record<Band, number>> = {
  u: 0.5,
  g: 0.75,
  r: 1,
  i: 1.2,
  z: 1.35,
  y: 1.5
};

/** A transient first seen at `mjd`, caught on its rise, bright enough to be detected in `band`. */
export function makeTransient(rng: Rng, mjd: number, band: Band): Transient {
  const faintest = M5[band] - 1.5 - SN_PEAK_OFFSET[band];
  return {
    t0: mjd - rng.uniform(0, 8),
    riseDays: rng.uniform(2, 5),
    fallDays: rng.uniform(18, 40),
    peakMag: rng.uniform(Math.max(14, faintest - 5), faintest)
  };
}

function bazin(t: number, rise: number, fall: number): number {
  return Math.exp(-t / fall) / (1 + Math.exp(-t / rise));
}

/** Flux of a transient at `mjd` in `band` (0 well before its rise). */
export function transientFluxNjy(s: Transient, band: Band, mjd: number): number {
  const dt = mjd - s.t0;
  if (dt < -6 * s.riseDays) {
    return 0;
  }
  const fall = s.fallDays * SN_FALL_SCALE[band];
  const tPeak = s.riseDays * Math.log(Math.max(1.0001, fall / s.riseDays - 1));
  const norm = bazin(tPeak, s.riseDays, fall);
  return (njyFromMag(s.peakMag + SN_PEAK_OFFSET[band]) * bazin(dt, s.riseDays, fall)) / norm;
}

// ---- asteroids ----

const ASTEROID_COLOUR: Readonly<Record<Band, number>> = {
  u: 1.6,
  g: 0.4,
  r: 0,
  i: -0.1,
  z: -0.1,
  y: -0.05
};

/** Flux of an asteroid of r magnitude `magR` with a rotation period, at `mjd`. */
export function asteroidFluxNjy(
  magR: number,
  rotationDays: number,
  band: Band,
  mjd: number
): number {
  const wobble = 0.1 * Math.sin((2 * Math.PI * mjd) / rotationDays);
  return njyFromMag(magR + ASTEROID_COLOUR[band] + wobble);
}

/**
 * Simulator options, their defaults and validation. The class mix is a set of fractions of
 * `alertsPerVisit`; each visit draws its alerts' classes from it (so counts vary from visit to
 * visit, reproducibly), and `bogus` takes whatever the other three leave.
 */
import { SimulationError } from '../errors.js';
import { seedOf } from './rng.js';

/** Ground-truth classes of simulated alerts. */
export const SIM_CLASSES = ['variable', 'transient', 'moving', 'bogus'] as const;
export type SimClass = (typeof SIM_CLASSES)[number];
export type ClassCounts = Record<SimClass, number>;

/** Fractions of each visit's alerts per class; `bogus` is the remainder. */
export interface ClassMix {
  /** Periodic variables on Hipparcos/Tycho-2 stars. @default 0.005 */
  variable?: number;
  /** Supernova-like transients offset from real galaxies. @default 0.002 */
  transient?: number;
  /** Asteroids (ssObjectId set), moving between visits. @default 0.03 */
  moving?: number;
}

export interface SimulationOptions {
  /** Seed: same seed and options → byte-identical alerts. @default 1 */
  seed?: number | string;
  /** Alerts in each visit. @default 10000 */
  alertsPerVisit?: number;
  /**
   * Class fractions. A 3.5° field holds only ~80–140 stars of Hipparcos + Tycho-2 (index 10) and
   * ~5–100 dso galaxies, so the variable fraction is bounded by the catalogs: fields are chosen
   * with enough stars for the mix, and a mix no field can serve is an error. @default { variable: 0.005, transient: 0.002, moving: 0.03 }
   */
  mix?: ClassMix;
  /** Distinct fields the visits cycle through (a source is revisited when its field is). @default 4 */
  fields?: number;
  /** Field radius (Rubin's focal plane is ~3.5° across). @default 1.75 */
  fieldRadiusDeg?: number;
  /** MJD (TAI) of visit 0. @default 61000 */
  mjdStart?: number;
  /** Simulated days between consecutive visits (time is compressed: lightcurves evolve). @default 1 */
  daysPerVisit?: number;
  /** History kept in prvDiaSources / prvDiaForcedSources (Rubin: 12 months). @default 365 */
  historyDays?: number;
  /** Built-in star catalogs variables sit on. @default ['hipparcos', 'tycho2'] */
  starCatalogs?: string[];
  /** Built-in catalog whose galaxies host transients. @default 'dso' */
  galaxyCatalog?: string;
}

export interface ResolvedOptions {
  seed: number;
  alertsPerVisit: number;
  mix: Record<SimClass, number>;
  fields: number;
  fieldRadiusDeg: number;
  mjdStart: number;
  daysPerVisit: number;
  historyDays: number;
  starCatalogs: string[];
  galaxyCatalog: string;
}

export const DEFAULT_MIX: Readonly<Required<ClassMix>> = {
  variable: 0.005,
  transient: 0.002,
  moving: 0.03
};

/**
 * Where simulated sources sit relative to the catalogs, so a filter can sort them exactly:
 * variables within 0.9″ of a star (astrometric noise, truncated at 3σ); transients 0.5″–60″ from their host
 * galaxy's centre and ≥ 10″ from any star; bogus detections ≥ 180″ from every deep-sky object
 * of the galaxy catalog (any type) and ≥ 10″ from any star. Asteroids go anywhere. So a switch
 * filter that asks, in this order, "ssObjectId set?" → moving, "a star within 1″?" → variable,
 * "a galaxy (or any dso entry) within 61″–179″?" → transient, else → bogus, reproduces the
 * ground truth exactly.
 */
export const SIM_GEOMETRY = {
  transientMinOffsetArcsec: 0.5,
  transientMaxOffsetArcsec: 60,
  bogusMinDeepSkyDistanceArcsec: 180,
  minStarDistanceArcsec: 10
} as const;

function check(ok: boolean, message: string, context: Record<string, unknown>): void {
  if (!ok) {
    throw new SimulationError(message, { context });
  }
}

/** Fills defaults and checks ranges. */
export function resolveOptions(options: SimulationOptions = {}): ResolvedOptions {
  const mixIn = { ...DEFAULT_MIX, ...options.mix };
  const alertsPerVisit = options.alertsPerVisit ?? 10_000;
  check(
    Number.isInteger(alertsPerVisit) && alertsPerVisit > 0,
    `alertsPerVisit must be a positive integer, got ${alertsPerVisit}.`,
    { alertsPerVisit }
  );
  for (const [name, f] of Object.entries(mixIn)) {
    check(Number.isFinite(f) && f >= 0 && f <= 1, `mix.${name} must be in 0..1, got ${f}.`, {
      [name]: f
    });
  }
  const taken = mixIn.variable + mixIn.transient + mixIn.moving;
  check(taken <= 1 + 1e-12, `The class mix adds up to ${taken} (> 1). Lower a fraction.`, {
    mix: mixIn
  });
  const r: ResolvedOptions = {
    seed: seedOf(options.seed ?? 1),
    alertsPerVisit,
    mix: { ...mixIn, bogus: Math.max(0, 1 - taken) },
    fields: options.fields ?? 4,
    fieldRadiusDeg: options.fieldRadiusDeg ?? 1.75,
    mjdStart: options.mjdStart ?? 61000,
    daysPerVisit: options.daysPerVisit ?? 1,
    historyDays: options.historyDays ?? 365,
    starCatalogs: options.starCatalogs ?? ['hipparcos', 'tycho2'],
    galaxyCatalog: options.galaxyCatalog ?? 'dso'
  };
  check(Number.isInteger(r.fields) && r.fields > 0, `fields must be a positive integer.`, {
    fields: r.fields
  });
  check(r.fieldRadiusDeg > 0 && r.fieldRadiusDeg <= 10, `fieldRadiusDeg must be in (0, 10].`, {
    fieldRadiusDeg: r.fieldRadiusDeg
  });
  check(r.daysPerVisit > 0, `daysPerVisit must be > 0.`, { daysPerVisit: r.daysPerVisit });
  check(r.historyDays > 0, `historyDays must be > 0.`, { historyDays: r.historyDays });
  return r;
}

/** The most alerts of a class a visit can plausibly need (mean + 6σ of the binomial). */
export function quotaUpperBound(alertsPerVisit: number, fraction: number): number {
  const mean = alertsPerVisit * fraction;
  return Math.ceil(mean + 6 * Math.sqrt(mean * (1 - fraction)));
}

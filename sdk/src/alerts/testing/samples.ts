/**
 * Test and benchmark helpers: where the real alert samples are, and an independent decode of
 * them with Python's fastavro (`.venv/bin/python`), ids as strings.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRubinSchemaDir } from '../rubin-schema.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The project root (three levels above this folder). */
export const PROJECT_ROOT = resolve(here, '../../../..');
/** The shared real data: `$ALERTLAB_SHARED_DATA`, default `../shared/data` from the project root. */
export const SHARED_DATA_DIR =
  process.env.ALERTLAB_SHARED_DATA ?? resolve(PROJECT_ROOT, '../shared/data');
/** The shared real-alert samples, `alerts/` in the shared data. */
export const SAMPLES_DIR = join(SHARED_DATA_DIR, 'alerts');
export const PYTHON = join(PROJECT_ROOT, '.venv/bin/python');
const ORACLE = join(here, 'fastavro_oracle.py');

export const SAMPLE_FILES = {
  rubin: join(SAMPLES_DIR, 'rubin/rubin-v10-7alerts.avro'),
  ztf: join(SAMPLES_DIR, 'ztf/ztf-31alerts.avro'),
  ztfSingles: ['ZTF19acihgng', 'ZTF19acxxwrs', 'ZTF19acyfkzd', 'ZTF19acyjzeo'].map(n =>
    join(SAMPLES_DIR, `ztf/${n}.avro`)
  )
};

/** True under `CI=true` (or 1/yes): there a test that cannot run for want of data fails. */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/**
 * Which of `paths` is missing, as a sentence naming the outermost missing folder (or file), or
 * undefined when all exist.
 */
export function missingData(paths: readonly string[]): string | undefined {
  const first = paths.find(p => !existsSync(p));
  if (first === undefined) {
    return undefined;
  }
  let top = first;
  while (dirname(top) !== top && !existsSync(dirname(top))) {
    top = dirname(top);
  }
  return `${top} is missing (the shared real data, see ${join(SHARED_DATA_DIR, 'README.md')})`;
}

/**
 * The skip-or-fail rule for tests that need the shared data, for `describe.skipIf(...)` /
 * `it.skipIf(...)`: false when nothing is `missing`; when something is, true (skip) — except under
 * CI, where it throws, so the test file fails with the missing piece named instead of passing by
 * skipping.
 */
export function skipWithoutData(missing: string | undefined, inCi = IN_CI): boolean {
  if (missing === undefined) {
    return false;
  }
  if (inCi) {
    throw new Error(
      `CI=true and ${missing}: tests that need it fail in CI rather than skip. Provide the data (or unset CI to skip locally).`
    );
  }
  return true;
}

/** Why sample-based tests cannot run here, or undefined when they can. */
export function samplesMissing(): string | undefined {
  if (!existsSync(SAMPLES_DIR)) {
    return `real alert samples folder ${SAMPLES_DIR} is absent`;
  }
  if (!existsSync(PYTHON)) {
    return `Python venv ${PYTHON} is absent (run bash scripts/setup.sh)`;
  }
  try {
    findRubinSchemaDir();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** What fastavro reports for one alert. */
export interface OracleAlert {
  survey: 'rubin' | 'ztf';
  alertId: string;
  objectId: string | null;
  diaObjectId?: string | null;
  ssObjectId?: string | null;
  ra: number;
  dec: number;
  mjd: number;
  band: string | null;
  mag: number | null;
  psfFlux?: number | null;
  lightcurveLength: number;
  forcedCount?: number;
  nonDetections?: number;
  lightcurveBands: Array<string | null>;
}

function oracle(args: string[]): string {
  return execFileSync(PYTHON, [ORACLE, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
}

/** fastavro's summary of every alert in the given container files. */
export function oracleDump(files: string[]): OracleAlert[] {
  return JSON.parse(oracle(['dump', ...files])) as OracleAlert[];
}

/**
 * Each Rubin sample alert re-encoded by fastavro as an lsst.v10_0 schemaless body; with
 * `maxHistory`, its prvDiaSources and prvDiaForcedSources cut to their last `maxHistory` rows.
 */
export function oracleRubinBodies(file = SAMPLE_FILES.rubin, maxHistory?: number): Uint8Array[] {
  const args = ['rubin-bodies', file, findRubinSchemaDir()];
  if (maxHistory !== undefined) {
    args.push(String(maxHistory));
  }
  const b64 = JSON.parse(oracle(args)) as string[];
  return b64.map(s => new Uint8Array(Buffer.from(s, 'base64')));
}

/**
 * fastavro's decode rate (CPU time) over the length-prefixed bodies in `bodiesFile`, read with the
 * schema JSON in `schemaFile`, `repeat` times over.
 */
export function oracleBench(
  bodiesFile: string,
  schemaFile: string,
  repeat: number
): { alerts: number; seconds: number; alertsPerSec: number } {
  return JSON.parse(oracle(['bench', bodiesFile, schemaFile, String(repeat)])) as {
    alerts: number;
    seconds: number;
    alertsPerSec: number;
  };
}

/** A container file rewritten by fastavro with the deflate codec (several blocks). */
export function oracleDeflate(file: string): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.parse(oracle(['deflate', file])) as string, 'base64'));
}

/** Reads a sample file. */
export function readSample(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

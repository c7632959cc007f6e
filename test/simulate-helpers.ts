/**
 * Helpers for the simulator tests: what they need on this machine (catalog packages, the Python
 * venv with fastavro), a simulator closed after use, planned + encoded visits, decoded rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { IN_CI } from '../sdk/src/alerts/testing/samples.js';
import { astrometryDataDir, celestialDataDir } from '../sdk/src/catalog/index.js';
import {
  withSimulator,
  type AlertSimulator,
  type SimulatorCreateOptions,
  type VisitPlan
} from '../sdk/src/simulate/index.js';

export const PYTHON = resolve('.venv/bin/python');

/** Under CI a missing tool or catalog fails the test file instead of skipping it. */
function failInCi(missing: string | undefined): string | undefined {
  if (missing !== undefined && IN_CI) {
    throw new Error(`CI=true and ${missing}: tests that need it fail in CI rather than skip.`);
  }
  return missing;
}

/** Why the real catalogs are unavailable, or undefined when they are there (throws under CI). */
export function missingCatalogs(): string | undefined {
  return failInCi(catalogsMissing());
}

/** Why fastavro is unavailable, or undefined when it is there (throws under CI). */
export function missingFastavro(): string | undefined {
  return failInCi(fastavroMissing());
}

function catalogsMissing(): string | undefined {
  const tycho = join(astrometryDataDir(), 'index-tycho2-10.littleendian.fits');
  if (!existsSync(tycho)) {
    return `Tycho-2 index missing in ${astrometryDataDir()} (apt-get install astrometry-data-tycho2-10-19-littleendian)`;
  }
  try {
    celestialDataDir();
  } catch {
    return 'node_modules/d3-celestial missing (npm install)';
  }
  return undefined;
}

/** Why fastavro cannot run, or undefined when it can. */
function fastavroMissing(): string | undefined {
  if (!existsSync(PYTHON)) {
    return `${PYTHON} missing (bash scripts/setup.sh)`;
  }
  try {
    execFileSync(PYTHON, ['-c', 'import fastavro']);
    return undefined;
  } catch {
    return 'fastavro missing from .venv (bash scripts/setup.sh)';
  }
}

export interface Planned {
  sim: AlertSimulator;
  plans: VisitPlan[];
  /** Record values per visit (copies, safe to keep). */
  values: Uint8Array[][];
}

/** Plans and encodes `visits` visits with a fresh simulator (closed afterwards). */
export function planVisits(options: SimulatorCreateOptions, visits: number): Promise<Planned> {
  return withSimulator(options, async sim => {
    const plans: VisitPlan[] = [];
    const values: Uint8Array[][] = [];
    for (let v = 0; v < visits; v++) {
      const plan = sim.planNext();
      plans.push(plan);
      values.push(sim.encode(plan).map(b => b.slice()));
    }
    return { sim, plans, values };
  });
}

/** Decodes record values with alertlab's own Rubin decoder; fails on any reject. */
export function decodeRubin(values: Uint8Array[]): RecordBatch {
  const { batch, rejects } = createDecoder('rubin').decodeBatch(values);
  if (rejects.length > 0) {
    throw new Error(`decoder rejected ${rejects.length} alerts: ${rejects[0].reason}`);
  }
  return batch;
}

/** A column of a batch as a plain array. */
export function column<T>(batch: RecordBatch, name: string): T[] {
  const c = batch.getChild(name);
  if (!c) {
    throw new Error(`no column ${name}`);
  }
  return Array.from({ length: batch.numRows }, (_, i) => c.get(i) as T);
}

/**
 * Runs a Python script with the .venv interpreter on files written to a temporary directory;
 * returns its stdout parsed as JSON.
 */
export function runPython(script: string, files: Record<string, Uint8Array | string>): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'alertlab-sim-'));
  try {
    for (const [name, data] of Object.entries(files)) {
      writeFileSync(join(dir, name), data);
    }
    writeFileSync(join(dir, 'script.py'), script);
    const out = execFileSync(PYTHON, [join(dir, 'script.py'), dir], {
      maxBuffer: 512 * 1024 * 1024
    });
    return JSON.parse(out.toString('utf8')) as unknown;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Length-prefixed (uint32 big-endian) concatenation of record values, for Python to split. */
export function framed(values: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const v of values) {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(v.length);
    parts.push(head, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** JSON with bigints as strings (to compare with Python's exact ints printed as strings). */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  );
}

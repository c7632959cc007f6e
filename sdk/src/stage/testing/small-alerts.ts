/**
 * Test and benchmark helper: many distinct small Rubin alerts (lsst.v10 schemaless bodies) made from
 * the 7 real samples, re-encoded by fastavro with a short history and no cutouts; each copy gets a
 * new diaSourceId, patched in byte for byte (ids in [2^62, 2^63) all take 10 varint bytes).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRubinSchemaDir } from '../../alerts/rubin-schema.js';
import { PYTHON, SAMPLE_FILES } from '../../alerts/testing/samples.js';

/** Smallest id handed out; every id up to 2^63 − 1 has a 10-byte zigzag varint. */
export const FIRST_SMALL_ALERT_ID = 1n << 62n;
const MARKER = FIRST_SMALL_ALERT_ID + 999_999_999n;
const SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'small_rubin.py');

function zigzagVarint(value: bigint): Uint8Array {
  let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Uint8Array.from(out);
}

function positions(body: Uint8Array, pattern: Uint8Array): number[] {
  const found: number[] = [];
  outer: for (let i = 0; i + pattern.length <= body.length; i++) {
    for (let j = 0; j < pattern.length; j++) {
      if (body[i + j] !== pattern[j]) {
        continue outer;
      }
    }
    found.push(i);
  }
  return found;
}

export interface SmallAlerts {
  /** Number of distinct templates (real alerts). */
  templates: number;
  /** Alert `i`: template `i % templates` with diaSourceId FIRST_SMALL_ALERT_ID + i. */
  make(i: number): Uint8Array;
  idOf(i: number): bigint;
}

/** Builds the templates once (runs `.venv/bin/python` with fastavro). */
export function smallRubinAlerts(historyLength = 5): SmallAlerts {
  const text = execFileSync(
    PYTHON,
    [SCRIPT, SAMPLE_FILES.rubin, findRubinSchemaDir(), String(historyLength), MARKER.toString()],
    { encoding: 'utf8', maxBuffer: 1 << 28 }
  );
  const marker = zigzagVarint(MARKER);
  const templates = (JSON.parse(text) as string[]).map(b64 => {
    const body = new Uint8Array(Buffer.from(b64, 'base64'));
    const at = positions(body, marker);
    if (at.length === 0) {
      throw new Error('small alert template: the marker id was not found in the body');
    }
    return { body, at };
  });
  const idOf = (i: number): bigint => FIRST_SMALL_ALERT_ID + BigInt(i);
  return {
    templates: templates.length,
    idOf,
    make(i: number): Uint8Array {
      const t = templates[i % templates.length];
      const body = t.body.slice();
      const id = zigzagVarint(idOf(i));
      for (const p of t.at) {
        body.set(id, p);
      }
      return body;
    }
  };
}

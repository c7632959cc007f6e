/**
 * bench/decode.ts's peer: fastavro's schemaless reader decoding the same bodies to dicts
 * (bench/decode_fastavro.py), a tenth of them as warm-up, then `repeats` timed repeats, CPU time.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON } from '../../sdk/src/alerts/testing/samples.js';
import { median } from './report.js';

/** Writes `bodies` (length-prefixed) and the schema to `dir`, runs the peer, returns its rates. */
export function fastavroPeer(
  dir: string,
  name: string,
  bodies: Uint8Array[],
  schemaText: string,
  repeats: number
) {
  const file = join(dir, `${name}.bin`);
  const chunks: Uint8Array[] = [];
  for (const b of bodies) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    chunks.push(len, b);
  }
  writeFileSync(file, Buffer.concat(chunks));
  writeFileSync(join(dir, `${name}.avsc`), schemaText);
  const warm = Math.min(bodies.length - 1, Math.max(1, Math.round(bodies.length / 10)));
  const out = execFileSync(
    PYTHON,
    [
      join(import.meta.dirname, '..', 'decode_fastavro.py'),
      file,
      join(dir, `${name}.avsc`),
      String(warm),
      String(repeats)
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 }
  );
  const r = JSON.parse(out) as { alertsPerRepeat: number; alertsPerSecCpu: number[] };
  return {
    ...r,
    warmup: warm,
    median: median(r.alertsPerSecCpu),
    best: Math.max(...r.alertsPerSecCpu)
  };
}

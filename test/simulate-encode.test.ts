/**
 * The simulator's Avro encoding: same seed → same bytes; alerts decode through alertlab's own
 * Rubin decoder and through Python's fastavro (which re-encodes them to the same bytes and reads
 * back the same values); the Confluent framing is the body behind a 5-byte header.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDecoder, mapSchemaSource } from '../sdk/src/alerts/index.js';
import {
  RUBIN_CONFLUENT_SCHEMA_ID,
  type SimulatorCreateOptions
} from '../sdk/src/simulate/index.js';
import {
  column,
  decodeRubin,
  framed,
  missingCatalogs,
  missingFastavro,
  planVisits,
  runPython
} from './simulate-helpers.js';

const noCatalogs = missingCatalogs();
const noFastavro = missingFastavro();
if (noCatalogs) {
  console.warn(`skipping simulator encoding tests: ${noCatalogs}`);
}
if (noFastavro) {
  console.warn(`skipping the fastavro comparison: ${noFastavro}`);
}

const OPTIONS: SimulatorCreateOptions = {
  seed: 2024,
  alertsPerVisit: 1500,
  fields: 2,
  mix: { variable: 0.03, transient: 0.01, moving: 0.05 }
};
const VISITS = 5;

const FASTAVRO = `
import io, json, os, struct, sys
import fastavro
d = sys.argv[1]
schema = fastavro.parse_schema(json.load(open(os.path.join(d, 'schema.json'))))
data = open(os.path.join(d, 'bodies.bin'), 'rb').read()
def safe(x):
    if isinstance(x, dict):
        return {k: safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [safe(v) for v in x]
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 2**53:
        return str(x)
    if isinstance(x, bytes):
        return x.hex()
    return x
records, same, pos = [], 0, 0
while pos < len(data):
    (n,) = struct.unpack('>I', data[pos:pos + 4])
    body = data[pos + 4:pos + 4 + n]
    pos += 4 + n
    rec = fastavro.schemaless_reader(io.BytesIO(body), schema)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, rec)
    same += out.getvalue() == body
    records.append(safe(rec))
print(json.dumps({'same': same, 'records': records}, allow_nan=False))
`;

/** Bigints as Python's json shows them: exact numbers up to 2^53, strings beyond. */
function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v > 2n ** 53n || v < -(2n ** 53n) ? v.toString() : Number(v);
  }
  if (Array.isArray(v)) {
    return v.map(normalize);
  }
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

/** Differences between what was encoded (`sent`) and what fastavro read (`got`). */
function differences(sent: unknown, got: unknown, path: string, out: string[]): void {
  if (out.length > 5) {
    return;
  }
  if (sent === undefined || sent === null) {
    if (got !== null) {
      out.push(`${path}: sent null, got ${JSON.stringify(got)}`);
    }
  } else if (typeof sent === 'number') {
    // floats travel as float32: what comes back is the float32 nearest to what was sent
    if (!(got === sent || (typeof got === 'number' && got === Math.fround(sent)))) {
      out.push(`${path}: sent ${sent}, got ${JSON.stringify(got)}`);
    }
  } else if (Array.isArray(sent)) {
    if (!Array.isArray(got) || got.length !== sent.length) {
      out.push(`${path}: array of ${sent.length}, got ${JSON.stringify(got)?.slice(0, 40)}`);
      return;
    }
    sent.forEach((x, i) => differences(x, got[i], `${path}[${i}]`, out));
  } else if (typeof sent === 'object') {
    const g = got as Record<string, unknown>;
    const s = sent as Record<string, unknown>;
    for (const k of Object.keys(s)) {
      if (!(k in g)) {
        out.push(`${path}.${k}: not in the schema`);
      }
    }
    for (const k of Object.keys(g)) {
      differences(s[k], g[k], `${path}.${k}`, out);
    }
  } else if (sent !== got) {
    out.push(`${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`);
  }
}

describe.skipIf(noCatalogs !== undefined)('simulated alerts: encoding', () => {
  it('is reproducible: same seed → byte-identical alerts, another seed → different ones', async () => {
    const a = await planVisits(OPTIONS, 3);
    const b = await planVisits(OPTIONS, 3);
    const c = await planVisits({ ...OPTIONS, seed: 2025 }, 3);
    for (let v = 0; v < 3; v++) {
      expect(a.values[v].length).toBe(OPTIONS.alertsPerVisit);
      expect(Buffer.concat(b.values[v]).equals(Buffer.concat(a.values[v]))).toBe(true);
      expect(b.values[v].map(x => x.length)).toEqual(a.values[v].map(x => x.length));
      expect(Buffer.concat(c.values[v]).equals(Buffer.concat(a.values[v]))).toBe(false);
    }
  });

  it('gives the same bytes in a fresh process', async () => {
    const here = await planVisits(OPTIONS, 3);
    const digest = (values: Uint8Array[]): string => {
      const hash = createHash('sha256');
      values.forEach(v => hash.update(v));
      return hash.digest('hex');
    };
    const run = (): string[] =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ['--import', 'tsx', 'test/simulate-digest.ts', JSON.stringify(OPTIONS), '3'],
          { encoding: 'utf8' }
        )
      ) as string[];
    const first = run();
    expect(first).toEqual(here.values.map(digest));
    expect(run()).toEqual(first);
  });

  it('decodes through alertlab’s Rubin decoder to the planned values', async () => {
    const { plans, values } = await planVisits(OPTIONS, VISITS);
    let withHistory = 0;
    for (let v = 0; v < VISITS; v++) {
      const batch = decodeRubin(values[v]);
      expect(batch.numRows).toBe(plans[v].alerts.length);
      const alertId = column<bigint>(batch, 'alertId');
      const diaObjectId = column<bigint | null>(batch, 'diaObjectId');
      const ssObjectId = column<bigint | null>(batch, 'ssObjectId');
      const ra = column<number>(batch, 'ra');
      const mjd = column<number>(batch, 'mjd');
      const band = column<string>(batch, 'band');
      const flux = column<number>(batch, 'psfFlux');
      const lc = column<{ length: number }>(batch, 'lightcurve');
      plans[v].alerts.forEach((p, i) => {
        const src = p.alert.diaSource as Record<string, unknown>;
        expect(typeof alertId[i]).toBe('bigint');
        expect(alertId[i]).toBe(p.diaSourceId);
        expect(diaObjectId[i]).toBe(p.diaObjectId);
        expect(ssObjectId[i]).toBe(p.ssObjectId);
        expect(ra[i]).toBe(src.ra);
        expect(mjd[i]).toBe(plans[v].mjd);
        expect(band[i]).toBe(plans[v].band);
        expect(flux[i]).toBe(Math.fround(src.psfFlux as number));
        const prv = (p.alert.prvDiaSources as unknown[] | null)?.length ?? 0;
        const forced = (p.alert.prvDiaForcedSources as unknown[] | null)?.length ?? 0;
        expect(lc[i].length).toBe(prv + forced + 1);
        withHistory += prv > 0 ? 1 : 0;
      });
    }
    expect(withHistory).toBeGreaterThan(0);
  });

  it.skipIf(noFastavro !== undefined)(
    'decodes through fastavro, which re-encodes the same bytes and reads the values sent',
    async () => {
      const { sim, plans, values } = await planVisits(OPTIONS, VISITS);
      const last = plans.length - 1;
      const sent = [...plans[0].alerts, ...plans[last].alerts].map(a => a.alert);
      const bodies = [...values[0], ...values[last]];
      const result = runPython(FASTAVRO, {
        'schema.json': sim.encoder.schemaText,
        'bodies.bin': framed(bodies)
      }) as { same: number; records: unknown[] };
      expect(result.records).toHaveLength(bodies.length);
      expect(result.same).toBe(bodies.length);
      const problems: string[] = [];
      sent.forEach((a, i) => differences(normalize(a), result.records[i], `alert[${i}]`, problems));
      expect(problems).toEqual([]);
      const histories = sent.filter(a => ((a.prvDiaSources as unknown[] | null)?.length ?? 0) > 0);
      expect(histories.length).toBeGreaterThan(0);
    }
  );

  it('writes the Confluent wire format: magic 0, schema id 1000, then the same body', async () => {
    const body = await planVisits(OPTIONS, 1);
    const wire = await planVisits(
      { ...OPTIONS, framing: { confluentSchemaId: RUBIN_CONFLUENT_SCHEMA_ID } },
      1
    );
    expect(RUBIN_CONFLUENT_SCHEMA_ID).toBe(1000);
    wire.values[0].forEach((w, i) => {
      expect([...w.subarray(0, 5)]).toEqual([0, 0, 0, 0x03, 0xe8]);
      expect(Buffer.from(w.subarray(5)).equals(Buffer.from(body.values[0][i]))).toBe(true);
    });
    const decoder = createDecoder('confluent', {
      schemaSource: mapSchemaSource({ [RUBIN_CONFLUENT_SCHEMA_ID]: wire.sim.encoder.schemaText })
    });
    await decoder.prepare?.(wire.values[0]);
    const { batch, rejects } = decoder.decodeBatch(wire.values[0]);
    expect(rejects).toEqual([]);
    expect(column<bigint>(batch, 'alertId')).toEqual(wire.plans[0].alerts.map(a => a.diaSourceId));
  });
});

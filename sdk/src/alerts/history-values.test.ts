/**
 * The fast history path (learned skip layouts, direct point stores, released buffers) against a
 * plain field-by-field Avro reader written here, on the real Rubin samples: every lightcurve point's
 * mjd, band, flux and flux error, batch after batch while the reader tunes itself.
 */
import { describe, expect, it } from 'vitest';
import type { AvroType } from './avro/schema.js';
import { createDecoder, loadRubinSchema } from './index.js';
import { oracleRubinBodies, samplesMissing } from './testing/samples.js';

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

/** Decodes one datum the slow, obvious way (longs as numbers: ids are not compared here). */
function plainRead(t: AvroType, b: Uint8Array, at: { p: number }): Value {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    let byte: number;
    do {
      byte = b[at.p++];
      v += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  };
  switch (t.kind) {
    case 'null':
      return null;
    case 'boolean':
      return b[at.p++] === 1;
    case 'int':
    case 'long':
      return varint();
    case 'float':
      at.p += 4;
      return dv.getFloat32(at.p - 4, true);
    case 'double':
      at.p += 8;
      return dv.getFloat64(at.p - 8, true);
    case 'string':
    case 'bytes': {
      const n = varint();
      at.p += n;
      return new TextDecoder().decode(b.subarray(at.p - n, at.p));
    }
    case 'enum':
      return t.symbols[varint()];
    case 'fixed':
      at.p += t.size;
      return null;
    case 'union':
      return plainRead(t.branches[varint()], b, at);
    case 'record':
      return Object.fromEntries(t.fields.map(f => [f.name, plainRead(f.type, b, at)]));
    case 'array':
    case 'map': {
      const out: Value[] = [];
      for (let n = varint(); n !== 0; n = varint()) {
        if (n < 0) {
          n = -n;
          varint();
        }
        for (let i = 0; i < n; i++) {
          if (t.kind === 'map') {
            plainRead({ kind: 'string' }, b, at);
          }
          out.push(plainRead(t.kind === 'map' ? t.values : t.items, b, at));
        }
      }
      return out;
    }
  }
}

interface Point {
  mjd: number | null;
  band: string | null;
  flux: number | null;
  fluxErr: number | null;
  forced: boolean;
}

function expectedPoints(schema: AvroType, body: Uint8Array): Point[] {
  const alert = plainRead(schema, body, { p: 0 }) as Record<string, Value>;
  const point = (r: Record<string, Value>, forced: boolean): Point => ({
    mjd: r.midpointMjdTai as number | null,
    band: r.band as string | null,
    flux: r.psfFlux as number | null,
    fluxErr: r.psfFluxErr as number | null,
    forced
  });
  const rows = (name: string, forced: boolean): Point[] =>
    ((alert[name] as Array<Record<string, Value>> | null) ?? []).map(r => point(r, forced));
  // the history, then the alert's own diaSource as the last point
  return [
    ...rows('prvDiaSources', false),
    ...rows('prvDiaForcedSources', true),
    point(alert.diaSource as Record<string, Value>, false)
  ];
}

describe.skipIf(missing !== undefined)(title('Rubin history values on the fast path'), () => {
  it('every point equals a plain field-by-field read, before and after tuning, released or not', () => {
    const schema = loadRubinSchema().type;
    const bodies = oracleRubinBodies();
    const expected = bodies.map(b => expectedPoints(schema, b));
    expect(expected.reduce((n, p) => n + p.length, 0)).toBeGreaterThan(3000);
    const decoder = createDecoder('rubin');
    // alerts in a different order in each batch, so the layouts see rows in a new order
    const order = (k: number): number[] => bodies.map((_, i) => (i * 3 + k) % bodies.length);
    for (let round = 0; round < 6; round++) {
      const idx = [...order(round), ...order(round + 1), ...order(round + 2)];
      const res = decoder.decodeBatch(idx.map(i => bodies[i]));
      expect(res.rejects).toEqual([]);
      const lc = res.batch.getChild('lightcurve')!;
      idx.forEach((alert, row) => {
        const got = (lc.get(row)!.toArray() as Array<{ toJSON(): Record<string, unknown> }>).map(
          p => {
            const j = p.toJSON();
            return {
              mjd: j.mjd,
              band: j.band,
              flux: j.flux,
              fluxErr: j.fluxErr,
              forced: j.forced
            };
          }
        );
        expect(got).toEqual(expected[alert]);
      });
      if (round % 2 === 1) {
        res.release?.();
      }
    }
  });
});

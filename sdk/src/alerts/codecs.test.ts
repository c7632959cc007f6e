/**
 * Confluent framing, JSON, rejects and dead letters. Sample-based cases use the real Rubin alerts
 * re-encoded by fastavro; the JSON cases are self-contained.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDecoder,
  dirSchemaSource,
  httpSchemaSource,
  loadRubinSchema,
  mapSchemaSource,
  toDeadLetters,
  type DecodeResult
} from './index.js';
import { decodedRows } from './testing/rows.js';
import { oracleRubinBodies, samplesMissing } from './testing/samples.js';

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

function confluent(id: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 5);
  new DataView(out.buffer).setInt32(1, id);
  out.set(body, 5);
  return out;
}

async function withTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alertlab-alerts-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` against a local Schema Registry stand-in serving `schemas` by id; counts requests. */
async function withRegistry(
  schemas: Record<number, string>,
  fn: (url: string, requests: () => number) => Promise<void>
): Promise<void> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const id = Number(/\/schemas\/ids\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const schema = schemas[id];
    res.writeHead(schema === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(schema === undefined ? { error_code: 40403 } : { schema }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await fn(`http://127.0.0.1:${port}/`, () => requests);
  } finally {
    await new Promise<void>(resolve => server.close(() => resolve()));
  }
}

/** Offset of the first 8-byte little-endian encoding of `value` in `b`. */
function findDouble(b: Uint8Array, value: number): number {
  const needle = new Uint8Array(new Float64Array([value]).buffer);
  outer: for (let i = 0; i + 8 <= b.length; i++) {
    for (let k = 0; k < 8; k++) {
      if (b[i + k] !== needle[k]) {
        continue outer;
      }
    }
    return i;
  }
  throw new Error(`value ${value} not found`);
}

describe.skipIf(missing !== undefined)(title('Rubin bodies: Confluent framing and rejects'), () => {
  let bodies: Uint8Array[];
  let plain: DecodeResult;
  beforeAll(() => {
    bodies = oracleRubinBodies();
    plain = createDecoder('rubin').decodeBatch(bodies);
  });

  it('decodes the Confluent wire format through a map schema source', () => {
    const schema = loadRubinSchema().text;
    const decoder = createDecoder('confluent', { schemaSource: mapSchemaSource({ 42: schema }) });
    const framed = bodies.map(b => confluent(42, b));
    const res = decoder.decodeBatch([...framed, confluent(7, bodies[0])]);
    expect(decodedRows(res.batch)).toEqual(decodedRows(plain.batch));
    expect(res.rejects).toEqual([expect.objectContaining({ index: 7, code: 'unknown-schema' })]);
  });

  it('resolves schema ids from a directory, and auto-detects the framing', async () => {
    await withTempDir(async dir => {
      writeFileSync(join(dir, '5.json'), JSON.stringify({ schema: loadRubinSchema().text }));
      const source = dirSchemaSource(dir);
      const decoder = createDecoder('auto', { schemaSource: source });
      await decoder.prepare?.([confluent(5, bodies[1])]);
      const res = decoder.decodeBatch([confluent(5, bodies[1]), bodies[2]]);
      expect(res.rejects).toEqual([]);
      expect(decodedRows(res.batch)).toEqual(decodedRows(plain.batch).slice(1, 3));
      await source.close();
    });
  });

  it('fetches schema ids from an HTTP Schema Registry in prepare(), once per id', async () => {
    await withRegistry({ 3: loadRubinSchema().text }, async (url, requests) => {
      const source = httpSchemaSource(url, { timeoutMs: 5000 });
      const decoder = createDecoder('confluent', { schemaSource: source });
      const values = [confluent(3, bodies[0]), confluent(3, bodies[1]), confluent(4, bodies[2])];
      const before = decoder.decodeBatch(values);
      expect(before.rejects.map(r => r.code)).toEqual([
        'unknown-schema',
        'unknown-schema',
        'unknown-schema'
      ]);
      await decoder.prepare?.(values);
      const res = decoder.decodeBatch(values);
      expect(decodedRows(res.batch)).toEqual(decodedRows(plain.batch).slice(0, 2));
      expect(res.rejects).toEqual([expect.objectContaining({ index: 2, code: 'unknown-schema' })]);
      await decoder.prepare?.(values);
      expect(requests()).toBe(2); // id 3 once (then cached), id 4 once (404, not asked again soon)
      await source.close();
    });
  });

  it('rejects truncated, garbage and empty records and decodes the rest of the batch', () => {
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff);
    const values = [
      bodies[0],
      bodies[1].subarray(0, 5000),
      garbage,
      null,
      new Uint8Array(0),
      bodies[3]
    ];
    const res = createDecoder('rubin').decodeBatch(values);
    expect([...res.rowIndex]).toEqual([0, 5]);
    expect(res.rejects.map(r => [r.index, r.code])).toEqual([
      [1, 'decode-error'],
      [2, 'decode-error'],
      [3, 'empty'],
      [4, 'empty']
    ]);
    const rows = decodedRows(res.batch);
    const expected = decodedRows(plain.batch);
    expect(rows).toEqual([expected[0], expected[3]]);
  });

  it('rejects a row whose dec is NaN or out of range', () => {
    const rows = decodedRows(plain.batch);
    const nanDec = bodies[2].slice();
    new DataView(nanDec.buffer).setFloat64(findDouble(nanDec, rows[2].dec), NaN, true);
    const farDec = bodies[4].slice();
    new DataView(farDec.buffer).setFloat64(findDouble(farDec, rows[4].dec), 91, true);
    const res = createDecoder('rubin').decodeBatch([nanDec, bodies[0], farDec]);
    expect(res.rejects.map(r => [r.index, r.code])).toEqual([
      [0, 'bad-position'],
      [2, 'bad-position']
    ]);
    expect(res.rejects[1].reason).toMatch(/dec=91/);
    expect(decodedRows(res.batch)).toEqual([rows[0]]);
  });
});

const rubinJson = `{"diaSourceId": 170094456272322681, "diaSource": {"diaSourceId": "170094456272322681",
  "diaObjectId": 313897383979122767, "ra": 10.5, "dec": -20.25, "midpointMjdTai": 61100.5,
  "band": "r", "psfFlux": 3630.78, "psfFluxErr": 36.3, "ssObjectId": null, "visit": 12, "extendedness": 0.5},
  "diaObject": {"diaObjectId": "313897383979122767", "nDiaSources": 3},
  "prvDiaSources": [{"midpointMjdTai": 61090.5, "band": "g", "psfFlux": -5, "psfFluxErr": 2}],
  "prvDiaForcedSources": [{"midpointMjdTai": 61080.5, "band": "g", "psfFlux": 100, "psfFluxErr": 10}]}`;
const ztfJson = `{"objectId": "ZTF26aaaaaaa", "candid": 3367463101415010117, "candidate": {"candid": 3367463101415010117,
  "jd": 2461100.75, "fid": 2, "ra": 200.1, "dec": 10.2, "magpsf": 18.5, "sigmapsf": 0.05, "diffmaglim": 20.1,
  "ssdistnr": 1.5, "ssnamenr": "12345", "rb": 0.9},
  "prv_candidates": [{"jd": 2461090.75, "fid": 1, "candid": null, "magpsf": null, "sigmapsf": null, "diffmaglim": 19.5},
    {"jd": 2461095.75, "fid": 1, "candid": 3367463101415010000, "magpsf": 18.9, "sigmapsf": 0.1, "diffmaglim": 20.0}]}`;

describe('JSON alerts', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('decodes Rubin- and ZTF-shaped JSON with exact big ids', () => {
    const res = createDecoder('json').decodeBatch([
      enc(rubinJson),
      enc(ztfJson),
      enc('{"nope": 1}'),
      enc('{"a":')
    ]);
    expect(res.rejects.map(r => [r.index, r.code])).toEqual([
      [2, 'unknown-schema'],
      [3, 'decode-error']
    ]);
    const [rubin, ztf] = decodedRows(res.batch);
    expect(rubin.alertId).toBe('170094456272322681');
    expect(rubin.objectId).toBe('313897383979122767');
    expect(rubin.diaObjectId).toBe('313897383979122767');
    expect(rubin.mag).toBeCloseTo(31.4 - 2.5 * Math.log10(3630.78), 9);
    expect(rubin.lightcurve.map(p => [p.band, p.forced, p.mag === null])).toEqual([
      ['g', false, true],
      ['g', true, false],
      ['r', false, false]
    ]);
    expect(ztf.alertId).toBe('3367463101415010117');
    expect(ztf.objectId).toBe('ZTF26aaaaaaa');
    expect(ztf.band).toBe('r');
    expect(ztf.mjd).toBeCloseTo(61100.25, 9);
    expect(ztf.isMovingObject).toBe(true);
    expect(ztf.lightcurve.map(p => [p.isDetection, p.upperLimitMag])).toEqual([
      [false, 19.5],
      [true, null],
      [true, null]
    ]);
    const visit = res.batch.getChild('visit')!;
    expect(visit.type.toString()).toBe('Float64');
    expect(String(res.batch.getChild('diaObject_diaObjectId')!.get(0))).toBe('313897383979122767');
    expect(res.batch.getChild('rb')!.get(1)).toBe(0.9);
  });

  it('rejects a JSON alert with NaN or missing coordinates', () => {
    const res = createDecoder('auto').decodeBatch([
      enc(rubinJson.replace('"dec": -20.25', '"dec": NaN')),
      enc(ztfJson.replace('"ra": 200.1,', '')),
      enc(rubinJson.replace('"ra": 10.5', '"ra": 360'))
    ]);
    expect(res.batch.numRows).toBe(0);
    expect(res.rejects.map(r => r.code)).toEqual([
      'bad-position',
      'missing-position',
      'bad-position'
    ]);
  });
});

describe('dead letters', () => {
  it('carries the original bytes, reason, code and source coordinates', () => {
    const values = [Uint8Array.of(1, 2, 3), null];
    const { rejects } = createDecoder('json').decodeBatch(values);
    const letters = toDeadLetters(rejects, values, i => ({
      topic: 't1',
      partition: 2,
      offset: 100n + BigInt(i)
    }));
    expect(
      letters.map(l => [l.value, l.headers['alertlab-code'], l.headers['alertlab-source-offset']])
    ).toEqual([
      [values[0], 'decode-error', '100'],
      [null, 'empty', '101']
    ]);
    expect(letters[0].headers['alertlab-source-topic']).toBe('t1');
    expect(letters[0].headers['alertlab-source-partition']).toBe('2');
    expect(letters[0].headers['alertlab-reason']).toMatch(/JSON/);
  });
});

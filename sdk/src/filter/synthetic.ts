/**
 * Synthetic alert batches in the canonical column layout (a few columns plus the lightcurve), for
 * tests and benchmarks: the plain rows come back too, so a test can compute its expectation with an
 * ordinary JS loop, independently of the Arrow buffers the filters read.
 */
import {
  Bool,
  Field,
  Float64,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  type Data
} from 'apache-arrow';
import { seededRandom } from '../random.js';

export interface SyntheticPoint {
  mjd: number;
  band: string;
  mag: number | null;
  isDetection: boolean;
}

export interface SyntheticAlert {
  alertId: bigint;
  objectId: string;
  survey: string;
  ra: number;
  mjd: number;
  band: string;
  mag: number | null;
  isMovingObject: boolean;
  lightcurve: SyntheticPoint[];
}

const BANDS = ['u', 'g', 'r', 'i', 'z', 'y'];

/** n alerts with 0..maxPoints lightcurve points; some mags null/NaN; alertIds above 2^53. */
export function syntheticAlerts(
  n: number,
  seed = 1,
  maxPoints = 12
): { batch: RecordBatch; rows: SyntheticAlert[] } {
  const rand = seededRandom(seed);
  const rows: SyntheticAlert[] = [];
  for (let i = 0; i < n; i++) {
    const points: SyntheticPoint[] = [];
    const count = Math.floor(rand() * (maxPoints + 1));
    let t = 61000 + rand() * 10;
    for (let p = 0; p < count; p++) {
      t += rand() * 3;
      const r = rand();
      points.push({
        mjd: t,
        band: BANDS[Math.floor(rand() * (rand() < 0.7 ? 3 : 6))],
        mag: r < 0.05 ? null : r < 0.08 ? NaN : 16 + rand() * 6,
        isDetection: rand() < 0.85
      });
    }
    const last = points.length > 0 ? points[points.length - 1] : undefined;
    rows.push({
      alertId: 9007199254740993n + BigInt(i) * 1_000_003n,
      objectId: `OBJ${(seed * 1_000_000 + i).toString(36)}`,
      survey: rand() < 0.5 ? 'rubin' : 'ztf',
      ra: rand() * 360,
      mjd: last?.mjd ?? 61000,
      band: last?.band ?? 'g',
      mag: last?.mag ?? null,
      isMovingObject: rand() < 0.1,
      lightcurve: points
    });
  }
  return { batch: toBatch(rows), rows };
}

function utf8(values: string[]): Data<Utf8> {
  const encoder = new TextEncoder();
  const parts = values.map(v => encoder.encode(v));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const bytes = new Uint8Array(offsets[values.length]);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  return makeData({
    type: new Utf8(),
    length: values.length,
    nullCount: 0,
    valueOffsets: offsets,
    data: bytes
  });
}

function float64(values: Array<number | null>): Data<Float64> {
  const data = new Float64Array(values.length);
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) {
      nullCount++;
    } else {
      data[i] = v;
      bitmap[i >> 3] |= 1 << (i & 7);
    }
  });
  return makeData({
    type: new Float64(),
    length: values.length,
    nullCount,
    nullBitmap: nullCount ? bitmap : undefined,
    data
  });
}

function bools(values: boolean[]): Data<Bool> {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => v && (bits[i >> 3] |= 1 << (i & 7)));
  return makeData({ type: new Bool(), length: values.length, nullCount: 0, data: bits });
}

function toBatch(rows: SyntheticAlert[]): RecordBatch {
  const points = rows.flatMap(r => r.lightcurve);
  const pointFields = [
    new Field('mjd', new Float64(), true),
    new Field('band', new Utf8(), true),
    new Field('mag', new Float64(), true),
    new Field('isDetection', new Bool(), true)
  ];
  const pointType = new Struct(pointFields);
  const struct = makeData({
    type: pointType,
    length: points.length,
    nullCount: 0,
    children: [
      float64(points.map(p => p.mjd)),
      utf8(points.map(p => p.band)),
      float64(points.map(p => p.mag)),
      bools(points.map(p => p.isDetection))
    ]
  });
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.lightcurve.length));
  const listType = new List(new Field('item', pointType, true));
  const lightcurve = makeData({
    type: listType,
    length: rows.length,
    nullCount: 0,
    valueOffsets: offsets,
    child: struct
  });
  const fields = [
    new Field('survey', new Utf8(), false),
    new Field('alertId', new Int64(), true),
    new Field('objectId', new Utf8(), true),
    new Field('ra', new Float64(), true),
    new Field('mjd', new Float64(), true),
    new Field('band', new Utf8(), true),
    new Field('mag', new Float64(), true),
    new Field('isMovingObject', new Bool(), false),
    new Field('lightcurve', listType, true)
  ];
  const children: Data[] = [
    utf8(rows.map(r => r.survey)),
    makeData({
      type: new Int64(),
      length: rows.length,
      nullCount: 0,
      data: BigInt64Array.from(rows.map(r => r.alertId))
    }),
    utf8(rows.map(r => r.objectId)),
    float64(rows.map(r => r.ra)),
    float64(rows.map(r => r.mjd)),
    utf8(rows.map(r => r.band)),
    float64(rows.map(r => r.mag)),
    bools(rows.map(r => r.isMovingObject)),
    lightcurve
  ];
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children })
  );
}

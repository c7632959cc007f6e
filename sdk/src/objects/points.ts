/**
 * One object's lightcurve points, gathered from many alerts and merged: the same measurement
 * (same mjd, band and forced flag) seen in several alerts becomes one point, with the values of
 * the latest alert (largest alert MJD; among equal ones, the one read last), sorted by mjd.
 */
import {
  Bool,
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  vectorFromArray
} from 'apache-arrow';

/** One lightcurve point and the alert it came from. */
export interface LightcurvePoint {
  mjd: number;
  band: string | null;
  flux: number | null;
  fluxErr: number | null;
  mag: number | null;
  magErr: number | null;
  /** Total-flux magnitude and error (ZTF DC magnitude; Rubin from scienceFlux): see alerts/total-flux.ts. */
  totalMag: number | null;
  totalMagErr: number | null;
  isDetection: boolean;
  upperLimitMag: number | null;
  forced: boolean;
  /** The alert that carried the point (candid / diaSourceId). */
  alertId: bigint | null;
  /** That alert's own MJD: the latest alert wins a duplicate. */
  alertMjd: number;
  /** Where the alert was read: a buffer topic name, or `archive`. */
  source: string;
}

/** The columns of a lightcurve table, in order. */
export const LIGHTCURVE_TABLE_FIELDS = [
  new Field('mjd', new Float64(), false),
  new Field('band', new Utf8(), true),
  new Field('flux', new Float64(), true),
  new Field('fluxErr', new Float64(), true),
  new Field('mag', new Float64(), true),
  new Field('magErr', new Float64(), true),
  new Field('totalMag', new Float64(), true),
  new Field('totalMagErr', new Float64(), true),
  new Field('isDetection', new Bool(), false),
  new Field('upperLimitMag', new Float64(), true),
  new Field('forced', new Bool(), false),
  new Field('alertId', new Int64(), true),
  new Field('source', new Utf8(), false)
];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Point from a lightcurve struct as plain values (from Arrow JSON or DuckDB rows). */
export function pointOf(
  p: Record<string, unknown>,
  alertId: bigint | null,
  alertMjd: number,
  source: string
): LightcurvePoint | undefined {
  const mjd = num(p.mjd);
  if (mjd === null) {
    return undefined; // a point without a time cannot be placed on a lightcurve
  }
  return {
    mjd,
    band: typeof p.band === 'string' ? p.band : null,
    flux: num(p.flux),
    fluxErr: num(p.fluxErr),
    mag: num(p.mag),
    magErr: num(p.magErr),
    totalMag: num(p.totalMag),
    totalMagErr: num(p.totalMagErr),
    isDetection: p.isDetection === true,
    upperLimitMag: num(p.upperLimitMag),
    forced: p.forced === true,
    alertId,
    alertMjd,
    source
  };
}

/** Every lightcurve point of the rows of `batch` whose objectId is `objectId`. */
export function pointsOfBatch(
  batch: RecordBatch,
  objectId: string,
  source: string
): { points: LightcurvePoint[]; alerts: number } {
  const ids = batch.getChild('objectId');
  const alertIds = batch.getChild('alertId');
  const mjds = batch.getChild('mjd');
  const lc = batch.getChild('lightcurve');
  const points: LightcurvePoint[] = [];
  let alerts = 0;
  for (let row = 0; row < batch.numRows; row++) {
    if (ids?.get(row) !== objectId) {
      continue;
    }
    alerts++;
    const alertId = (alertIds?.get(row) as bigint | null) ?? null;
    const alertMjd = num(mjds?.get(row)) ?? Number.NEGATIVE_INFINITY;
    const list = lc?.get(row) as { length: number; get(i: number): { toJSON(): object } } | null;
    for (let i = 0; list && i < list.length; i++) {
      const p = pointOf(list.get(i).toJSON() as Record<string, unknown>, alertId, alertMjd, source);
      if (p) {
        points.push(p);
      }
    }
  }
  return { points, alerts };
}

/**
 * Merges points in reading order: one point per (mjd, band, forced), the latest alert's values
 * winning (a later-read point wins a tie), then sorted by mjd, band, forced.
 */
export function mergePoints(points: readonly LightcurvePoint[]): LightcurvePoint[] {
  const best = new Map<string, LightcurvePoint>();
  for (const p of points) {
    const key = `${p.mjd}|${p.band ?? ''}|${p.forced ? 1 : 0}`;
    const had = best.get(key);
    if (had === undefined || p.alertMjd >= had.alertMjd) {
      best.set(key, p);
    }
  }
  return [...best.values()].sort(
    (a, b) =>
      a.mjd - b.mjd ||
      (a.band ?? '').localeCompare(b.band ?? '') ||
      Number(a.forced) - Number(b.forced)
  );
}

/** The points as an Arrow table (see LIGHTCURVE_TABLE_FIELDS); `metadata` on its schema. */
export function pointsTable(
  points: readonly LightcurvePoint[],
  metadata: Record<string, string> = {}
): Table {
  const col = <K extends keyof LightcurvePoint>(k: K): LightcurvePoint[K][] =>
    points.map(p => p[k]);
  const vectors = LIGHTCURVE_TABLE_FIELDS.map(f =>
    vectorFromArray(col(f.name as keyof LightcurvePoint) as never[], f.type as Float64)
  );
  const schema = new Schema(LIGHTCURVE_TABLE_FIELDS, new Map(Object.entries(metadata)));
  const data = makeData({
    type: new Struct(LIGHTCURVE_TABLE_FIELDS),
    length: points.length,
    nullCount: 0,
    children: vectors.map(v => v.data[0])
  });
  return new Table([new RecordBatch(schema, data)]);
}

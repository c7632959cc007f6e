/**
 * Lightcurve points of one object from the archive's Parquet files (the archive stage writes each
 * alert with its `lightcurve` list; see stage/archive-stage.ts), read through DuckDB from just the
 * files the object index names.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { pointOf, type LightcurvePoint } from './points.js';

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export async function readArchivePoints(
  con: DuckDBConnection,
  files: readonly string[],
  objectId: string,
  sinceMjd?: number
): Promise<{ points: LightcurvePoint[]; alerts: number }> {
  if (files.length === 0) {
    return { points: [], alerts: 0 };
  }
  const params: (string | number)[] = [objectId];
  let since = '';
  if (sinceMjd !== undefined) {
    params.push(sinceMjd);
    since = ' AND mjd >= $2';
  }
  const sql = `
    SELECT alertId, alertMjd, p.mjd AS mjd, p.band AS band, p.flux AS flux, p.fluxErr AS fluxErr,
           p.mag AS mag, p.magErr AS magErr, p.isDetection AS isDetection,
           p.upperLimitMag AS upperLimitMag, p.forced AS forced
    FROM (
      SELECT alertId, mjd AS alertMjd, unnest(lightcurve) AS p
      FROM read_parquet([${files.map(quote).join(', ')}], union_by_name = true)
      WHERE objectId = $1${since}
    )`;
  const alertsSql = `SELECT count(*) FROM read_parquet([${files.map(quote).join(', ')}],
    union_by_name = true) WHERE objectId = $1${since}`;
  const rows = await (await con.run(sql, params)).getRowObjectsJS();
  const alerts = Number((await (await con.run(alertsSql, params)).getRows())[0][0]);
  const points: LightcurvePoint[] = [];
  for (const r of rows) {
    const alertId = typeof r.alertId === 'bigint' ? r.alertId : null;
    const alertMjd = typeof r.alertMjd === 'number' ? r.alertMjd : Number.NEGATIVE_INFINITY;
    const p = pointOf(r, alertId, alertMjd, 'archive');
    if (p) {
      points.push(p);
    }
  }
  return { points, alerts };
}

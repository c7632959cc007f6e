/**
 * The JSON body of `GET /cone`, written straight into one string: no per-row objects, no
 * JSON.stringify replacer. Same text as `toJson` of {catalog, ra, dec, radiusArcsec, count,
 * truncated, rows: [{id, ra, dec, separationArcsec, ...columns}]} (64-bit ids as decimal strings).
 */
import type { ConeResult } from './catalogs.js';

/** A JSON value of one cell (bigints as decimal strings, non-finite numbers as null). */
export function jsonCell(v: number | bigint | string | boolean | null): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return `"${v}"`;
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'null';
  }
}

const FIXED = ['id', 'ra', 'dec', 'separationArcsec'];

/** The `/cone` answer as JSON text. */
export function coneJson(r: ConeResult): string {
  const names = r.columns.map(c => c.name);
  // A catalog column named like a fixed key replaces its value in place (as object spread would).
  const override = FIXED.map(k => names.indexOf(k));
  const extra = names.filter(n => !FIXED.includes(n));
  const extraKeys = extra.map(n => `,${JSON.stringify(n)}:`);
  let out =
    `{"catalog":${JSON.stringify(r.catalog)},"ra":${jsonCell(r.raDeg)},"dec":${jsonCell(r.decDeg)}` +
    `,"radiusArcsec":${jsonCell(r.radiusArcsec)},"count":${r.rows.length}` +
    `,"truncated":${r.truncated ? 'true' : 'false'},"rows":[`;
  for (let i = 0; i < r.rows.length; i++) {
    const row = r.rows[i];
    const fixed = [row.id, row.raDeg, row.decDeg, row.separationArcsec];
    out += i === 0 ? '{' : ',{';
    for (let k = 0; k < FIXED.length; k++) {
      const v = override[k] >= 0 ? row.columns[FIXED[k]] : fixed[k];
      out += `${k === 0 ? '' : ','}"${FIXED[k]}":${jsonCell(v)}`;
    }
    for (let k = 0; k < extra.length; k++) {
      out += extraKeys[k] + jsonCell(row.columns[extra[k]]);
    }
    out += '}';
  }
  return `${out}]}`;
}

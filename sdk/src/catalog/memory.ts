/**
 * A zone table copied into typed arrays (same row order: zone, then RA), with per-zone row offsets.
 * The in-memory matchers work on this.
 */
import type { ColumnData } from './columns.js';
import { readColumns } from './duckColumns.js';
import { ident } from './stage.js';
import { maxZone } from './sky.js';
import { zoneTableName, type CatalogInfo, type CatalogStore } from './store.js';

/** A catalog in memory: positions, unit vectors, ids and kept columns, in zone order. */
export interface MemoryCatalog {
  info: CatalogInfo;
  rows: number;
  zoneHeightDeg: number;
  /** Rows of zone k are zoneStart[k] .. zoneStart[k + 1] - 1. Length maxZone + 2. */
  zoneStart: Int32Array;
  raDeg: Float64Array;
  decDeg: Float64Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  ids: ColumnData;
  /** Kept columns that were asked for, by name. */
  columns: Record<string, ColumnData>;
}

/** Reads a catalog's zone table into memory (all kept columns unless `columns` is given). */
export async function readMemoryCatalog(
  store: CatalogStore,
  name: string,
  columns?: string[]
): Promise<MemoryCatalog> {
  const info = await store.info(name);
  const keep = columns ? info.columns.filter(c => columns.includes(c.name)) : info.columns;
  const con = await store.connect();
  try {
    const sql = `SELECT zone, ra, dec, x, y, z, id${keep.map(c => `, ${ident(c.name)}`).join('')}
                 FROM ${zoneTableName(name)} ORDER BY rowIdx`;
    const cols = await readColumns(await con.run(sql), [
      'int',
      'double',
      'double',
      'double',
      'double',
      'double',
      info.idKind,
      ...keep.map(c => c.kind)
    ]);
    const zone = cols[0].values as Int32Array;
    const nz = maxZone(info.zoneHeightDeg) + 1;
    const zoneStart = new Int32Array(nz + 1);
    for (let i = 0; i < zone.length; i++) {
      zoneStart[zone[i] + 1]++;
    }
    for (let k = 0; k < nz; k++) {
      zoneStart[k + 1] += zoneStart[k];
    }
    const extra: Record<string, ColumnData> = {};
    keep.forEach((c, i) => {
      extra[c.name] = cols[7 + i];
    });
    return {
      info,
      rows: zone.length,
      zoneHeightDeg: info.zoneHeightDeg,
      zoneStart,
      raDeg: cols[1].values as Float64Array,
      decDeg: cols[2].values as Float64Array,
      x: cols[3].values as Float64Array,
      y: cols[4].values as Float64Array,
      z: cols[5].values as Float64Array,
      ids: cols[6],
      columns: extra
    };
  } finally {
    con.closeSync();
  }
}

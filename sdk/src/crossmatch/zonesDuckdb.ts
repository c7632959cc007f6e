/**
 * Zones in DuckDB: the alerts' zone windows go into a temp table through appender data chunks
 * (one row per zone window, `zone` materialised as a column), then an equality hash join on zone
 * with the RA window and the chord test as residual predicates; results come back column by column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnData, ColumnKind } from '../catalog/columns.js';
import { appendColumns, readColumns } from '../catalog/duckColumns.js';
import { chord2OfRadiusArcsec, maxZone } from '../catalog/sky.js';
import { ident } from '../catalog/stage.js';
import { zoneTableName, type CatalogStore } from '../catalog/store.js';
import { CrossmatchError } from '../errors.js';
import type { CatalogPairs, CatalogShape, PairEngine, PairQuery } from './types.js';
import { ZoneWindows } from './zoneWindows.js';

const PROBES = 'alertlab_probes';

/** {@link PairEngine} that joins alert zone windows with the zone table in DuckDB. */
export class DuckDBZonesEngine implements PairEngine {
  readonly kind = 'duckdb-zones';
  private con: DuckDBConnection | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly windows = new ZoneWindows();

  constructor(private readonly store: CatalogStore) {}

  async shape(catalog: string): Promise<CatalogShape> {
    const info = await this.store.info(catalog);
    return { name: catalog, idKind: info.idKind, columns: info.columns };
  }

  private async connection(): Promise<DuckDBConnection> {
    if (!this.con) {
      this.con = await this.store.connect();
      await this.con.run(
        `CREATE TEMP TABLE IF NOT EXISTS ${PROBES} (alertRow INTEGER, zone INTEGER, raMin DOUBLE,
         raMax DOUBLE, x DOUBLE, y DOUBLE, z DOUBLE)`
      );
    }
    return this.con;
  }

  /** Calls share one connection and one probe table, so they run one at a time. */
  findPairs(
    q: PairQuery,
    catalog: string,
    radiusArcsec: number,
    columns: string[],
    withVectors: boolean
  ): Promise<CatalogPairs> {
    const run = this.queue.then(() => this.find(q, catalog, radiusArcsec, columns, withVectors));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private probeColumns(q: PairQuery, radiusDeg: number, h: number): ColumnData[] {
    const zMax = maxZone(h);
    const w = this.windows;
    let cap = q.rows.length * 2 + 16;
    let alertRow = new Int32Array(cap);
    let zone = new Int32Array(cap);
    let lo = new Float64Array(cap);
    let hi = new Float64Array(cap);
    let n = 0;
    for (let k = 0; k < q.rows.length; k++) {
      const a = q.rows[k];
      const nw = w.fill(q.raDeg[a], q.decDeg[a], radiusDeg, h, zMax);
      if (n + nw > cap) {
        cap = Math.max(cap * 2, n + nw);
        const grow = <T extends Int32Array | Float64Array>(src: T, make: (c: number) => T): T => {
          const d = make(cap);
          d.set(src);
          return d;
        };
        alertRow = grow(alertRow, c => new Int32Array(c));
        zone = grow(zone, c => new Int32Array(c));
        lo = grow(lo, c => new Float64Array(c));
        hi = grow(hi, c => new Float64Array(c));
      }
      for (let j = 0; j < nw; j++) {
        alertRow[n] = a;
        zone[n] = w.zone[j];
        lo[n] = w.raMin[j];
        hi[n] = w.raMax[j];
        n++;
      }
    }
    const take = (src: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = src[alertRow[i]];
      }
      return out;
    };
    return [
      { kind: 'int', values: alertRow.slice(0, n) },
      { kind: 'int', values: zone.slice(0, n) },
      { kind: 'double', values: lo.slice(0, n) },
      { kind: 'double', values: hi.slice(0, n) },
      { kind: 'double', values: take(q.x) },
      { kind: 'double', values: take(q.y) },
      { kind: 'double', values: take(q.z) }
    ];
  }

  private async find(
    q: PairQuery,
    catalog: string,
    radiusArcsec: number,
    columns: string[],
    withVectors: boolean
  ): Promise<CatalogPairs> {
    const info = await this.store.info(catalog);
    const kinds = new Map(info.columns.map(c => [c.name, c.kind]));
    for (const c of columns) {
      if (!kinds.has(c)) {
        throw new CrossmatchError(
          `Catalog "${catalog}" has no column "${c}". Its columns are: ${[...kinds.keys()].join(', ') || 'none'}.`,
          { context: { catalog, column: c } }
        );
      }
    }
    const con = await this.connection();
    await con.run(`DELETE FROM ${PROBES}`);
    await appendColumns(con, PROBES, this.probeColumns(q, radiusArcsec / 3600, info.zoneHeightDeg));
    const extra = columns.map(c => `c.${ident(c)}`);
    if (withVectors) {
      extra.push('c.x', 'c.y', 'c.z');
    }
    const sql = `
      SELECT alertRow, rowIdx, d2, id${extra.length ? ', ' + extra.map((_, i) => `e${i}`).join(', ') : ''}
      FROM (
        SELECT p.alertRow, c.rowIdx, c.id,
               (c.x - p.x) * (c.x - p.x) + (c.y - p.y) * (c.y - p.y) + (c.z - p.z) * (c.z - p.z) AS d2
               ${extra.map((e, i) => `, ${e} AS e${i}`).join('')}
        FROM ${PROBES} p JOIN ${zoneTableName(catalog)} c
          ON c.zone = p.zone AND c.ra BETWEEN p.raMin AND p.raMax
      )
      WHERE d2 <= $1
      ORDER BY alertRow, d2, rowIdx`;
    const colKinds: ColumnKind[] = [
      ...columns.map(c => kinds.get(c) as ColumnKind),
      ...(withVectors ? (['double', 'double', 'double'] as ColumnKind[]) : [])
    ];
    const cols = await readColumns(await con.run(sql, [chord2OfRadiusArcsec(radiusArcsec)]), [
      'int',
      'int',
      'double',
      info.idKind,
      ...colKinds
    ]);
    const out: Record<string, ColumnData> = {};
    columns.forEach((c, i) => {
      out[c] = cols[4 + i];
    });
    let xyz: Float64Array | undefined;
    if (withVectors) {
      const base = 4 + columns.length;
      const [vx, vy, vz] = [0, 1, 2].map(k => cols[base + k].values as Float64Array);
      xyz = new Float64Array(3 * vx.length);
      for (let i = 0; i < vx.length; i++) {
        xyz[3 * i] = vx[i];
        xyz[3 * i + 1] = vy[i];
        xyz[3 * i + 2] = vz[i];
      }
    }
    return {
      alertRow: cols[0].values as Int32Array,
      rowIdx: cols[1].values as Int32Array,
      chord2: cols[2].values as Float64Array,
      ids: cols[3],
      columns: out,
      xyz
    };
  }

  close(): void {
    this.con?.closeSync();
    this.con = undefined;
  }
}

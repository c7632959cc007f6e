/**
 * The watch step of a filter stage: before the filter, each batch gets columns saying which of the
 * user's watchlists and watchmaps each alert falls in. Watchlists and watchmaps are re-read between
 * batches (see {@link WatchEnricher.refresh}), so lists and maps change under a running stage.
 *
 * Columns (only for what the stage watches):
 * - `watchlists` Utf8: `,list1,list2,` — every list with a source within its own radius; null when none
 * - `watchlist`, `watchlistSource` Utf8, `watchlistSepArcsec` Float64: the nearest such source
 * - `watchlistMatches` Int32: how many (list, source) pairs matched (0 when none)
 * - `watchmaps` Utf8: `,map1,map2,` — every map whose MOC holds the alert; null when none
 *
 * SQL filters call `in_watchlist('name')` / `in_watchmap('name')` (macros over these columns);
 * TypeScript and Python filters get the same helpers ({@link inWatchlist}, `alertlab.watch`).
 */
import {
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type Data
} from 'apache-arrow';
import { defaultWatchlistPath, defaultWatchmapDir } from './paths.js';
import { WatchlistSet, type WatchlistSnapshot } from './watchlist-set.js';
import { WatchmapSet } from './watchmap-store.js';

/** The `watch` section of a filter stage's manifest. */
export interface StageWatch {
  /** Lists to match (names), or '*' for every list in the store. @default none */
  watchlists?: string[] | '*';
  /** Maps to test (names), or '*' for every map in the folder. @default none */
  watchmaps?: string[] | '*';
  /** @default defaultWatchlistPath() ($ALERTLAB_HOME/watchlists.duckdb) */
  watchlistPath?: string;
  /** @default defaultWatchmapDir() ($ALERTLAB_HOME/watchmaps) */
  watchmapDir?: string;
}

/** The column names the watch step adds. */
export const WATCH_COLUMNS = [
  'watchlists',
  'watchlist',
  'watchlistSource',
  'watchlistSepArcsec',
  'watchlistMatches',
  'watchmaps'
] as const;

/** True when a `watchlists`/`watchmaps` cell value (`,a,b,`) names `name`. */
export function inWatch(cell: string | null | undefined, name: string): boolean {
  return typeof cell === 'string' && cell.includes(`,${name},`);
}

/** For TypeScript filters: does the alert row's `watchlists` value name the list? */
export const inWatchlist = (row: { watchlists?: string | null }, name: string): boolean =>
  inWatch(row.watchlists, name);
/** For TypeScript filters: does the alert row's `watchmaps` value name the map? */
export const inWatchmap = (row: { watchmaps?: string | null }, name: string): boolean =>
  inWatch(row.watchmaps, name);

function appendColumns(batch: RecordBatch, cols: Array<[string, Data]>): RecordBatch {
  const fields = [
    ...batch.schema.fields,
    ...cols.map(([name, d]) => new Field(name, d.type, name !== 'watchlistMatches'))
  ];
  const struct = makeData({
    type: new Struct(fields),
    length: batch.numRows,
    nullCount: 0,
    children: [...batch.data.children, ...cols.map(([, d]) => d)]
  });
  return new RecordBatch(new Schema(fields, batch.schema.metadata), struct);
}

const utf8 = (values: Array<string | null>): Data =>
  vectorFromArray(values, new Utf8()).data[0] as Data;

export class WatchEnricher {
  private readonly lists: WatchlistSet | undefined;
  private readonly maps: WatchmapSet | undefined;

  constructor(readonly config: StageWatch) {
    this.lists =
      config.watchlists === undefined
        ? undefined
        : new WatchlistSet(config.watchlistPath ?? defaultWatchlistPath(), config.watchlists);
    this.maps =
      config.watchmaps === undefined
        ? undefined
        : new WatchmapSet(config.watchmapDir ?? defaultWatchmapDir(), config.watchmaps);
  }

  /** Picks up lists and maps added, replaced or removed since the last batch. Call between batches. */
  async refresh(): Promise<boolean> {
    const a = (await this.lists?.refresh()) ?? false;
    const b = (await this.maps?.refresh()) ?? false;
    return a || b;
  }

  /** The watchlist snapshot in use (undefined without watchlists). */
  get watchlistSnapshot(): WatchlistSnapshot | undefined {
    return this.lists?.snapshot;
  }

  /** The watchmaps in use. */
  get watchmaps(): string[] {
    return this.maps?.loaded ?? [];
  }

  /** The batch with the watch columns appended (needs `ra`, `dec`). */
  async addColumns(batch: RecordBatch): Promise<RecordBatch> {
    const n = batch.numRows;
    const cols: Array<[string, Data]> = [];
    const ra = batch.getChild('ra')?.toArray() as Float64Array | undefined;
    const dec = batch.getChild('dec')?.toArray() as Float64Array | undefined;
    if (this.lists) {
      const m = n > 0 ? await this.lists.match(batch) : undefined;
      const sets: Array<string | null> = new Array<string | null>(n).fill(null);
      const nearest: Array<string | null> = new Array<string | null>(n).fill(null);
      const source: Array<string | null> = new Array<string | null>(n).fill(null);
      const sep = new Float64Array(n);
      const count = new Int32Array(n);
      const valid = new Uint8Array(Math.ceil(n / 64) * 8);
      for (let k = 0; m && k < m.alertRow.length; k++) {
        const row = m.alertRow[k];
        if (count[row] === 0) {
          nearest[row] = m.list[k];
          source[row] = m.source[k];
          sep[row] = m.sepArcsec[k];
          valid[row >> 3] |= 1 << (row & 7);
          sets[row] = ',';
        }
        count[row]++;
        if (!inWatch(sets[row], m.list[k])) {
          sets[row] = `${sets[row]}${m.list[k]},`;
        }
      }
      const nulls = n - count.reduce((s, c) => s + (c > 0 ? 1 : 0), 0);
      cols.push(
        ['watchlists', utf8(sets)],
        ['watchlist', utf8(nearest)],
        ['watchlistSource', utf8(source)],
        [
          'watchlistSepArcsec',
          makeData({
            type: new Float64(),
            length: n,
            nullCount: nulls,
            nullBitmap: nulls ? valid : undefined,
            data: sep
          })
        ],
        ['watchlistMatches', makeData({ type: new Int32(), length: n, nullCount: 0, data: count })]
      );
    }
    if (this.maps) {
      const inside = ra && dec ? this.maps.membership(ra, dec) : [];
      cols.push([
        'watchmaps',
        utf8(
          Array.from({ length: n }, (_, i) =>
            inside[i]?.length ? `,${inside[i].join(',')},` : null
          )
        )
      ]);
    }
    return cols.length === 0 ? batch : appendColumns(batch, cols);
  }

  close(): void {
    this.lists?.close();
  }
}

/**
 * Batches with the watch columns of `config` (a backtest or the gate): the lists and maps as they
 * are when the first batch is read; the store is closed when the iteration ends.
 */
export async function* withWatchColumns(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  config: StageWatch
): AsyncGenerator<RecordBatch> {
  const watch = new WatchEnricher(config);
  try {
    await watch.refresh();
    for await (const batch of batches) {
      yield await watch.addColumns(batch);
    }
  } finally {
    watch.close();
  }
}

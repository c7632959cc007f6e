/**
 * Cross-match results as columns of the alert batch, so filters (SQL, TypeScript, Python) can read
 * them: per catalog `xm_<catalog>_count` Int32 (matches within the radius), `xm_<catalog>_id` and
 * `xm_<catalog>_sepArcsec` of the nearest match, and `xm_<catalog>_<column>` for each requested
 * catalog column (nearest match). Catalog names are made SQL-friendly (non-alphanumerics → `_`).
 */
import {
  DataType,
  Field,
  Float64,
  Int32,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type Table
} from 'apache-arrow';
import { utf8Vector } from '../crossmatch/output.js';
import type { Matcher } from '../crossmatch/types.js';
import type { StageCrossmatch } from './manifest-types.js';

/** One match of one alert, as the annotated payload shows it (ids as strings). */
export interface AlertMatch {
  id: string | null;
  sepArcsec: number;
  [column: string]: string | number | boolean | null;
}

/** Per row of the batch: matches by catalog; built from the pair table. */
export interface MatchIndex {
  catalogs: string[];
  /** Number of matches per catalog (indexed like `catalogs`), per row. */
  counts: Int32Array[];
  /** Every match of `row`, by catalog (annotated payloads). */
  matchesOf(row: number): Record<string, AlertMatch[]>;
}

/** `xm_<name>` prefix for a catalog. */
export function matchColumnPrefix(catalog: string): string {
  return `xm_${catalog.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** A copy of `batch` with extra columns appended. */
export function appendColumns(
  batch: RecordBatch,
  extra: ReadonlyArray<{ name: string; data: Data; nullable: boolean }>
): RecordBatch {
  if (extra.length === 0) {
    return batch;
  }
  const fields = [
    ...batch.schema.fields,
    ...extra.map(e => new Field(e.name, e.data.type, e.nullable))
  ];
  const data = makeData({
    type: new Struct(fields),
    length: batch.numRows,
    nullCount: 0,
    children: [...batch.data.children, ...extra.map(e => e.data)]
  });
  return new RecordBatch(new Schema(fields, batch.schema.metadata), data);
}

const plain = (v: unknown): string | number | boolean | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'bigint'
      ? v.toString()
      : typeof v === 'number' || typeof v === 'boolean'
        ? v
        : String(v);

function gather(type: DataType, values: unknown[]): Data {
  if (type instanceof Utf8) {
    return utf8Vector(values.map(v => (v === null || v === undefined ? null : String(v)))).data[0];
  }
  return vectorFromArray(values, type).data[0];
}

/**
 * Per row, the value at `near[row]` (null where it is -1 or the value is null) as one column:
 * fixed-width numeric types straight into their typed array and validity bitmap, others through
 * {@link gather}.
 */
function nearestColumn(
  type: DataType,
  near: Int32Array,
  valueAt: ((i: number) => unknown) | undefined
): Data {
  const n = near.length;
  const numeric =
    (DataType.isFloat(type) && type.precision !== Precision.HALF) || DataType.isInt(type);
  if (!numeric || valueAt === undefined) {
    return gather(
      type,
      Array.from(near, i => (i < 0 || valueAt === undefined ? null : valueAt(i)))
    );
  }
  const ArrayType = type.ArrayType as new (length: number) => {
    [i: number]: number | bigint;
  };
  const values = new ArrayType(n);
  const validity = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let row = 0; row < n; row++) {
    const v = near[row] < 0 ? null : valueAt(near[row]);
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    values[row] = v as number | bigint;
    validity[row >> 3] |= 1 << (row & 7);
  }
  return makeData({
    type,
    length: n,
    nullCount,
    nullBitmap: nullCount > 0 ? validity : null,
    data: values
  } as Parameters<typeof makeData>[0]);
}

/** Matches the batch and appends the `xm_*` columns. */
export async function addMatchColumns(
  batch: RecordBatch,
  matcher: Matcher,
  config: StageCrossmatch
): Promise<{ batch: RecordBatch; matches: MatchIndex }> {
  const n = batch.numRows;
  const pairs: Table = await matcher.match(batch, {
    catalogs: config.catalogs.map(c => ({ ...c })),
    mode: config.mode,
    includeMovingObjects: config.includeMovingObjects
  });
  const alertRow = pairs.getChild('alertRow')?.toArray() as Int32Array;
  const catalogCol = pairs.getChild('catalog');
  const ids = pairs.getChild('catalogId');
  const seps = pairs.getChild('separationArcsec')?.toArray() as Float64Array;
  const names = config.catalogs.map(c => c.name);
  const counts = names.map(() => new Int32Array(n));
  const nearest = names.map(() => new Int32Array(n).fill(-1));
  const catalogOfPair = new Int32Array(pairs.numRows);
  for (let i = 0; i < pairs.numRows; i++) {
    const k = names.indexOf(String(catalogCol?.get(i)));
    catalogOfPair[i] = k;
    const row = alertRow[i];
    if (counts[k][row]++ === 0) {
      nearest[k][row] = i; // pairs come by catalog, alert, increasing separation
    }
  }
  const extra: { name: string; data: Data; nullable: boolean }[] = [];
  config.catalogs.forEach((c, k) => {
    const prefix = matchColumnPrefix(c.name);
    const near = nearest[k];
    extra.push({
      name: `${prefix}_count`,
      data: makeData({ type: new Int32(), length: n, data: counts[k] }),
      nullable: false
    });
    if (ids) {
      const data = nearestColumn(ids.type, near, i => ids.get(i));
      extra.push({ name: `${prefix}_id`, data, nullable: true });
    }
    const sep = nearestColumn(new Float64(), near, i => seps[i]);
    extra.push({ name: `${prefix}_sepArcsec`, data: sep, nullable: true });
    for (const column of c.columns) {
      const vector = pairs.getChild(column);
      if (vector) {
        extra.push({
          name: `${prefix}_${column}`,
          data: nearestColumn(vector.type, near, i => vector.get(i)),
          nullable: true
        });
      }
    }
  });
  const extraColumns = config.catalogs.flatMap(c => c.columns);
  const matchesOf = (row: number): Record<string, AlertMatch[]> => {
    const out: Record<string, AlertMatch[]> = {};
    names.forEach(name => (out[name] = []));
    for (let i = 0; i < pairs.numRows; i++) {
      if (alertRow[i] !== row) {
        continue;
      }
      const m: AlertMatch = { id: plain(ids?.get(i)) as string | null, sepArcsec: seps[i] };
      for (const column of extraColumns) {
        const vector = pairs.getChild(column);
        if (vector) {
          m[column] = plain(vector.get(i));
        }
      }
      out[names[catalogOfPair[i]]].push(m);
    }
    return out;
  };
  return { batch: appendColumns(batch, extra), matches: { catalogs: names, counts, matchesOf } };
}

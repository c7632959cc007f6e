/**
 * Output records of a filter stage, per payload:
 * - `full`: the original record bytes and headers, unchanged (a record holding several alerts is
 *   written once per output it has alerts in), plus the routing header (route-header.ts) with
 *   the record's alert ids and match counts;
 * - `thin`: JSON of a few columns (`thinColumns`);
 * - `annotated`: JSON `{ stage, output, alert, features, matches }` with every scalar alert column,
 *   the lightcurve features and all cross-match matches.
 * Every payload carries the routing header. 64-bit integers are written as JSON strings so they
 * stay exact in any reader.
 */
import type { RecordBatch, Vector } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ConsumedRecord, HeaderValue, ProduceRecord } from '../buffer/transport-types.js';
import { LIGHTCURVE_FEATURES } from '../filter/features.js';
import { rowsByOutput } from '../filter/routing.js';
import type { Routing } from '../filter/types.js';
import type { MatchIndex } from './match-columns.js';
import { STAGE_ROUTE_HEADER, matchesPart, routePrefix } from './route-header.js';
import type { StagePayload } from './manifest-types.js';

export interface PayloadContext {
  stageId: string;
  payload: StagePayload;
  thinColumns: readonly string[];
  /** Output name → topic. */
  topics: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();
const FEATURES = new Set<string>(LIGHTCURVE_FEATURES);

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v.toString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return null; // NaN/Infinity are not JSON
  }
  return v ?? null;
}

function isScalar(type: DataType): boolean {
  return (
    DataType.isInt(type) ||
    DataType.isFloat(type) ||
    DataType.isBool(type) ||
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type)
  );
}

function columnsOf(batch: RecordBatch, names: readonly string[]): [string, Vector][] {
  return names.flatMap(name => {
    const v = batch.getChild(name);
    return v === null ? [] : [[name, v] as [string, Vector]];
  });
}

function rowObject(columns: [string, Vector][], row: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of columns) {
    out[name] = plain(v.get(row));
  }
  return out;
}

/** The `&matches=` part of a row's routing header ('' without cross-match). */
function matchSummaryOf(matches: MatchIndex | undefined): (row: number) => string {
  if (matches === undefined || matches.catalogs.length === 0) {
    return () => '';
  }
  // encoded twice: the query text decodes once, the catalog list once more (stageRouteOf)
  const names = matches.catalogs.map(c => encodeURIComponent(encodeURIComponent(c)));
  const counts = new Array<number>(names.length);
  return row => {
    for (let k = 0; k < names.length; k++) {
      counts[k] = matches.counts[k][row];
    }
    return matchesPart(names, counts);
  };
}

/**
 * `full` records of one output: one per (source record, output), as Avro containers may hold
 * several alerts. A record's rows are consecutive (rows come in record order), so they are grouped
 * in one pass without a map. The source record's headers are kept as they are.
 */
function fullRecords(
  prefix: string,
  topic: string,
  rows: Int32Array,
  records: ReadonlyArray<ConsumedRecord>,
  rowIndex: Int32Array,
  alertIds: Vector | null,
  summaryOf: (row: number) => string,
  out: ProduceRecord[]
): void {
  for (let i = 0; i < rows.length;) {
    const r = rowIndex[rows[i]];
    let ids = String(alertIds?.get(rows[i]) ?? '');
    let j = i + 1;
    for (; j < rows.length && rowIndex[rows[j]] === r; j++) {
      ids += `,${String(alertIds?.get(rows[j]) ?? '')}`;
    }
    const src = records[r];
    const route = `${prefix}${src.offset}&ids=${ids}${summaryOf(rows[i])}`;
    const headers: Record<string, HeaderValue | HeaderValue[]> = { [STAGE_ROUTE_HEADER]: route };
    for (const h in src.headers) {
      const v = src.headers[h];
      if (v !== undefined && h !== STAGE_ROUTE_HEADER) {
        headers[h] = v;
      }
    }
    out.push({ topic, value: src.value, key: src.key, headers, timestampMs: src.timestampMs });
    i = j;
  }
}

/** Builds the output records of a routed batch, and counts alerts per output. */
export function outputRecords(
  ctx: PayloadContext,
  batch: RecordBatch,
  routing: Routing,
  records: ReadonlyArray<ConsumedRecord>,
  rowIndex: Int32Array,
  matches: MatchIndex | undefined,
  source: { topic: string; partition: number }
): { records: ProduceRecord[]; alertsPerOutput: number[] } {
  const out: ProduceRecord[] = [];
  const perOutput = rowsByOutput(routing);
  const objectIds = batch.getChild('objectId');
  const fields = batch.schema.fields;
  const alertNames = fields
    .filter(f => isScalar(f.type) && !f.name.startsWith('xm_') && !FEATURES.has(f.name))
    .map(f => f.name);
  const alertCols = ctx.payload === 'annotated' ? columnsOf(batch, alertNames) : [];
  const featureCols = ctx.payload === 'annotated' ? columnsOf(batch, [...FEATURES]) : [];
  const thinCols = ctx.payload === 'thin' ? columnsOf(batch, ctx.thinColumns) : [];
  const alertIds = batch.getChild('alertId');
  const summaryOf = matchSummaryOf(matches);
  perOutput.forEach((rows, k) => {
    const name = routing.outputs[k];
    const topic = ctx.topics[name];
    const prefix = routePrefix(ctx.stageId, name, source);
    if (ctx.payload === 'full') {
      fullRecords(prefix, topic, rows, records, rowIndex, alertIds, summaryOf, out);
      return;
    }
    for (const row of rows) {
      const src = records[rowIndex[row]];
      const route = `${prefix}${src.offset}&ids=${String(alertIds?.get(row) ?? '')}${summaryOf(row)}`;
      const body =
        ctx.payload === 'thin'
          ? { ...rowObject(thinCols, row), output: name }
          : {
              stage: ctx.stageId,
              output: name,
              alert: rowObject(alertCols, row),
              features: rowObject(featureCols, row),
              matches: matches?.matchesOf(row) ?? {}
            };
      const objectId = objectIds?.get(row);
      out.push({
        topic,
        value: encoder.encode(JSON.stringify(body)),
        key: src.key ?? (objectId === null || objectId === undefined ? null : String(objectId)),
        headers: { [STAGE_ROUTE_HEADER]: route },
        timestampMs: src.timestampMs
      });
    }
  });
  return { records: out, alertsPerOutput: perOutput.map(rows => rows.length) };
}

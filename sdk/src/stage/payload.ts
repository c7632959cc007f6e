/**
 * Output records of a filter stage, per payload:
 * - `full`: the original record bytes, unchanged (a record holding several alerts is written once
 *   per output it has alerts in), plus routing and match-summary headers;
 * - `thin`: JSON of a few columns (`thinColumns`);
 * - `annotated`: JSON `{ stage, output, alert, features, matches }` with every scalar alert column,
 *   the lightcurve features and all cross-match matches.
 * 64-bit integers are written as JSON strings so they stay exact in any reader.
 */
import type { RecordBatch, Vector } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ConsumedRecord, HeaderValue, ProduceRecord } from '../buffer/transport-types.js';
import { LIGHTCURVE_FEATURES } from '../filter/features.js';
import { rowsByOutput } from '../filter/routing.js';
import type { Routing } from '../filter/types.js';
import type { MatchIndex } from './match-columns.js';
import type { StagePayload } from './manifest-types.js';

/** Header names the stage adds to `full` records. */
export const STAGE_HEADERS = {
  stage: 'alertlab-stage',
  output: 'alertlab-output',
  alertIds: 'alertlab-alert-ids',
  matches: 'alertlab-matches',
  topic: 'alertlab-source-topic',
  partition: 'alertlab-source-partition',
  offset: 'alertlab-source-offset'
} as const;

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

function matchSummary(matches: MatchIndex | undefined, row: number): string | undefined {
  return matches?.catalogs.map((c, k) => `${c}=${matches.counts[k][row]}`).join(',');
}

/** Header values that are the same on every record of one output, encoded once. */
function constantHeaders(
  ctx: PayloadContext,
  output: string,
  source: { topic: string; partition: number }
): Record<string, Uint8Array> {
  return {
    [STAGE_HEADERS.stage]: encoder.encode(ctx.stageId),
    [STAGE_HEADERS.output]: encoder.encode(output),
    [STAGE_HEADERS.topic]: encoder.encode(source.topic),
    [STAGE_HEADERS.partition]: encoder.encode(String(source.partition))
  };
}

/**
 * `full` records of one output: one per (source record, output), as Avro containers may hold
 * several alerts. A record's rows are consecutive (rows come in record order), so they are grouped
 * in one pass without a map.
 */
function fullRecords(
  ctx: PayloadContext,
  name: string,
  topic: string,
  rows: Int32Array,
  records: ReadonlyArray<ConsumedRecord>,
  rowIndex: Int32Array,
  batch: RecordBatch,
  matches: MatchIndex | undefined,
  source: { topic: string; partition: number },
  out: ProduceRecord[]
): void {
  const alertIds = batch.getChild('alertId');
  const fixed = constantHeaders(ctx, name, source);
  for (let i = 0; i < rows.length;) {
    const r = rowIndex[rows[i]];
    let ids = String(alertIds?.get(rows[i]) ?? '');
    let j = i + 1;
    for (; j < rows.length && rowIndex[rows[j]] === r; j++) {
      ids += `,${String(alertIds?.get(rows[j]) ?? '')}`;
    }
    const src = records[r];
    const headers: Record<string, HeaderValue | HeaderValue[]> = {};
    for (const h in src.headers) {
      const v = src.headers[h];
      if (v !== undefined) {
        headers[h] = v;
      }
    }
    Object.assign(headers, fixed);
    headers[STAGE_HEADERS.alertIds] = ids;
    const summary = matchSummary(matches, rows[i]);
    if (summary !== undefined) {
      headers[STAGE_HEADERS.matches] = summary;
    }
    headers[STAGE_HEADERS.offset] = src.offset.toString();
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
  perOutput.forEach((rows, k) => {
    const name = routing.outputs[k];
    const topic = ctx.topics[name];
    if (ctx.payload === 'full') {
      fullRecords(ctx, name, topic, rows, records, rowIndex, batch, matches, source, out);
      return;
    }
    for (const row of rows) {
      const src = records[rowIndex[row]];
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
        headers: { [STAGE_HEADERS.stage]: ctx.stageId, [STAGE_HEADERS.output]: name },
        timestampMs: src.timestampMs
      });
    }
  });
  return { records: out, alertsPerOutput: perOutput.map(rows => rows.length) };
}

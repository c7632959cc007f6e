/**
 * What a SQL filter's sandbox is given: only the columns its query reads. A batch carries ~300
 * columns (alert fields, Kafka coordinates, cross-match columns); copying all of them into DuckDB
 * for a three-column CASE costs twenty times the query. Names resolve case-insensitively, as DuckDB
 * resolves identifiers; lightcurve features are computed only when the query reads one.
 */
import type { RecordBatch } from 'apache-arrow';
import { planColumns } from '../duck/index.js';
import { isFeatureName, withLightcurveFeatures } from './features.js';

/** The narrowed batch, and the required columns that neither the batch nor the features give. */
export interface SandboxInput {
  batch: RecordBatch;
  missing: string[];
}

function indexByName(batch: RecordBatch): Map<string, number> {
  const byName = new Map<string, number>();
  batch.schema.fields.forEach((f, i) => {
    const key = f.name.toLowerCase();
    if (!byName.has(key)) {
      byName.set(key, i);
    }
  });
  return byName;
}

/**
 * The batch cut to `required` (in that order, each once), with lightcurve features added first when
 * one of them is required and the batch lacks it. `required` undefined: the whole batch with its
 * features (a query that expands `*` or `COLUMNS(...)` may read any column).
 */
export function sandboxInput(
  batch: RecordBatch,
  required: readonly string[] | undefined
): SandboxInput {
  if (required === undefined) {
    return { batch: withLightcurveFeatures(batch), missing: [] };
  }
  let source = batch;
  let byName = indexByName(source);
  const wanted = required.map(c => c.toLowerCase());
  if (wanted.some(c => !byName.has(c) && isFeatureName(c))) {
    source = withLightcurveFeatures(batch);
    byName = indexByName(source);
  }
  const at: number[] = [];
  const missing: string[] = [];
  wanted.forEach((c, k) => {
    const i = byName.get(c);
    if (i === undefined) {
      missing.push(required[k]);
    } else if (!at.includes(i)) {
      at.push(i);
    }
  });
  return { batch: source.selectAt(at), missing };
}

/** Every column of the batch with its features: usable from SQL, and skipped (nested, binary). */
export function batchColumns(batch: RecordBatch): { usable: string[]; skipped: string[] } {
  const { columns, skipped } = planColumns(withLightcurveFeatures(batch).schema.fields);
  return { usable: columns.map(c => c.name), skipped };
}

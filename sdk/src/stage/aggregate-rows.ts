/**
 * One decoded batch into event-time windows: what the aggregate stage does per batch and what the
 * deploy gate runs over its sample, so both classify records the same way.
 */
import type { RecordBatch } from 'apache-arrow';
import type { StageAggregate } from './manifest-types.js';
import type { WindowState } from './windows.js';

/** Dead-letter codes of records that join no window. */
export const AGGREGATE_REJECT_CODES = {
  missing: 'missing-value',
  late: 'late-record',
  future: 'future-event-time',
  range: 'event-time-out-of-range',
  overflow: 'too-many-open-windows'
} as const;

/** Per batch: records added, and the batch rows (not record indexes) of each kind of reject. */
export interface AggregateRows {
  added: number;
  missing: number[];
  late: number[];
  future: number[];
  outOfRange: number[];
  /** Rows that needed a new window beyond `maxOpenWindows`. */
  overflow: number[];
}

/**
 * Adds the rows of `batch` to `windows`. `replay(row)` says a row was processed before a restart:
 * it only refills open windows and is never counted or rejected again.
 */
export function addRows(
  batch: RecordBatch,
  agg: StageAggregate,
  windows: WindowState,
  offsetOf: (row: number) => bigint,
  replay: (row: number) => boolean = () => false
): AggregateRows {
  const out: AggregateRows = {
    added: 0,
    missing: [],
    late: [],
    future: [],
    outOfRange: [],
    overflow: []
  };
  const mjd = batch.getChild('mjd');
  const keys = batch.getChild(agg.groupBy);
  const values = batch.getChild(agg.value);
  for (let row = 0; row < batch.numRows; row++) {
    const again = replay(row);
    const t = mjd?.get(row) as number | null | undefined;
    const raw = values?.get(row) as number | bigint | null | undefined;
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    if (
      typeof t !== 'number' ||
      !Number.isFinite(t) ||
      typeof v !== 'number' ||
      !Number.isFinite(v)
    ) {
      if (!again) {
        out.missing.push(row);
      }
      continue;
    }
    const key = String(keys?.get(row) ?? 'null');
    const result = windows.add(t, key, v, offsetOf(row), !again);
    if (again) {
      continue;
    }
    if (result === 'added') {
      out.added++;
    } else if (result === 'late') {
      out.late.push(row);
    } else if (result === 'future') {
      out.future.push(row);
    } else if (result === 'overflow') {
      out.overflow.push(row);
    } else {
      out.outOfRange.push(row);
    }
  }
  return out;
}

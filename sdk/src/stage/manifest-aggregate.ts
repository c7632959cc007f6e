/** The `aggregate` section of a stage manifest: event-time windows with bounded work per record. */
import { FieldReader, TOPIC_RE } from './manifest-check.js';
import type { StageAggregate } from './manifest-types.js';
import {
  DEFAULT_MAX_FUTURE_SKEW_SECONDS,
  DEFAULT_MAX_OPEN_WINDOWS,
  MAX_WINDOWS_PER_RECORD,
  windowsPerRecord
} from './windows.js';

const TOPIC = { re: TOPIC_RE, hint: 'topic names use letters, digits, ".", "_", "-"' };

/** A duration in seconds of at most 366 days that is a whole number of milliseconds. */
function wholeMs(r: FieldReader, key: string, fallback: number | undefined): number | undefined {
  const v = r.number(key, 1e-3, 366 * 86_400, fallback);
  if (v !== undefined && Math.abs(v * 1000 - Math.round(v * 1000)) > 1e-6) {
    return r.fail(key, `must be a whole number of milliseconds, got ${v}`);
  }
  return v;
}

/** Reads `aggregate`; a window spec that puts one record in too many windows is refused. */
export function parseAggregate(r: FieldReader): StageAggregate | undefined {
  r.onlyKeys([
    'topic',
    'windowSeconds',
    'hopSeconds',
    'allowedLatenessSeconds',
    'groupBy',
    'value',
    'lateRecords',
    'maxFutureSkewSeconds',
    'maxOpenWindows'
  ]);
  const windowSeconds = wholeMs(r, 'windowSeconds', undefined);
  const hopSeconds = wholeMs(r, 'hopSeconds', windowSeconds ?? 1);
  if (windowSeconds !== undefined && hopSeconds !== undefined && hopSeconds > windowSeconds) {
    r.fail('hopSeconds', 'must not exceed windowSeconds (gaps would drop alerts)');
  } else if (windowSeconds !== undefined && hopSeconds !== undefined) {
    const per = windowsPerRecord(windowSeconds, hopSeconds);
    if (per > MAX_WINDOWS_PER_RECORD) {
      r.fail(
        'hopSeconds',
        `puts each record in ${per} windows (windowSeconds / hopSeconds); at most ${MAX_WINDOWS_PER_RECORD} are allowed: use a hop of at least ${windowSeconds / MAX_WINDOWS_PER_RECORD} s`
      );
    }
  }
  const skew = r.number('maxFutureSkewSeconds', 0, 366 * 86_400, DEFAULT_MAX_FUTURE_SKEW_SECONDS);
  const maxOpen = r.int('maxOpenWindows', 1, 10_000_000, DEFAULT_MAX_OPEN_WINDOWS);
  const topic = r.string('topic', { required: true, ...TOPIC });
  const groupBy = r.string('groupBy', { required: true });
  const value = r.string('value', { required: true });
  const lateRecords = r.oneOf('lateRecords', ['dead-letter', 'drop'] as const, 'dead-letter');
  const allowedLatenessSeconds = r.number('allowedLatenessSeconds', 0, 366 * 86_400, 0);
  if (!topic || !groupBy || !value || windowSeconds === undefined || hopSeconds === undefined) {
    return undefined;
  }
  return {
    topic,
    windowSeconds,
    hopSeconds,
    allowedLatenessSeconds: allowedLatenessSeconds ?? 0,
    groupBy,
    value,
    lateRecords: lateRecords ?? 'dead-letter',
    maxFutureSkewSeconds: skew ?? DEFAULT_MAX_FUTURE_SKEW_SECONDS,
    maxOpenWindows: maxOpen ?? DEFAULT_MAX_OPEN_WINDOWS
  };
}

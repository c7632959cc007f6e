/**
 * The event-time span of alert batches (the `mjd` column: the exposure of each alert), and how
 * many observing nights it stands for — what a per-night yield is extrapolated from.
 *
 * Nights are split in the observatory's daytime, found from the data: the UTC hour in the middle
 * of the longest stretch of hours of day in which no alert was exposed. For Rubin (Chile) that is
 * late morning UTC, the same grouping as Rubin's `day_obs` (MJD − 0.5, floored); for ZTF
 * (California) it is late afternoon UTC — its nights straddle noon UTC, so `day_obs` would count
 * each of them twice. When every hour of day has exposures (simulated or merged data) the split
 * is at 12:00 UTC, `day_obs`. Data from several nights count one night per night present. Data
 * from a single night count the part of a night they cover: their span (last − first exposure, at
 * least one visit, {@link VISIT_SECONDS}) over {@link NIGHT_HOURS}, capped at one night — so a
 * sample of one hour is extrapolated ×10, and a whole night counts once.
 */
import type { RecordBatch } from 'apache-arrow';

/** Hours of observing in a night, the unit a partial night is measured in. */
export const NIGHT_HOURS = 10;
/** Rubin's visit interval (s): the shortest span a sample stands for. */
export const VISIT_SECONDS = 39;

export interface EventTimeSummary {
  /** Earliest and latest exposure (MJD) among the alerts with one. */
  mjdMin: number;
  mjdMax: number;
  /** (mjdMax − mjdMin) in hours. */
  spanHours: number;
  /** Distinct observing nights present. */
  distinctNights: number;
  /** The nights the data stand for (see the module comment); the per-night divisor. */
  nights: number;
  /** Alerts with a finite mjd. */
  alertsWithTime: number;
  /** How `nights` was counted, in words. */
  rule: string;
}

function bitSet(bits: Uint8Array | null | undefined, i: number): boolean {
  return (
    bits === null ||
    bits === undefined ||
    bits.length === 0 ||
    (bits[i >> 3] & (1 << (i & 7))) !== 0
  );
}

export class EventTimeSpan {
  private min = Infinity;
  private max = -Infinity;
  private withTime = 0;
  /** Hours (floor(mjd × 24)) with at least one exposure: at most 24 a day of data. */
  private readonly hours = new Set<number>();

  /** Adds the `mjd` column of a batch (no-op without one). */
  add(batch: RecordBatch): void {
    const column = batch.getChild('mjd');
    for (const data of column?.data ?? []) {
      const values = data.values as unknown;
      if (!(values instanceof Float64Array || values instanceof Float32Array)) {
        continue;
      }
      let lastHour = NaN;
      for (let i = 0; i < data.length; i++) {
        const t = values[i];
        if (!Number.isFinite(t) || !bitSet(data.nullBitmap, data.offset + i)) {
          continue;
        }
        this.withTime++;
        if (t < this.min) {
          this.min = t;
        }
        if (t > this.max) {
          this.max = t;
        }
        const hour = Math.floor(t * 24);
        if (hour !== lastHour) {
          this.hours.add(hour);
          lastHour = hour;
        }
      }
    }
  }

  /** The span and nights, or null when no alert had a time. */
  summary(): EventTimeSummary | null {
    if (this.withTime === 0) {
      return null;
    }
    const splitHour = daytimeSplitHour(this.hours);
    const nightsSeen = new Set<number>();
    for (const hour of this.hours) {
      nightsSeen.add(Math.floor((hour - splitHour) / 24));
    }
    const spanHours = (this.max - this.min) * 24;
    const distinct = nightsSeen.size;
    const single = distinct === 1;
    const covered = Math.max(spanHours, VISIT_SECONDS / 3600);
    const nights = single ? Math.min(1, covered / NIGHT_HOURS) : distinct;
    const split = `nights split at ${String(splitHour).padStart(2, '0')}:00 UTC, in the daytime the data show`;
    const rule = single
      ? `one observing night (${split}); the data span ${spanHours.toFixed(2)} h (at least one ${VISIT_SECONDS} s visit) of a ${NIGHT_HOURS} h night, capped at 1: ${nights.toFixed(4)} night(s)`
      : `${distinct} distinct observing nights (${split}), each counted whole`;
    return {
      mjdMin: this.min,
      mjdMax: this.max,
      spanHours,
      distinctNights: distinct,
      nights,
      alertsWithTime: this.withTime,
      rule
    };
  }
}

/**
 * The UTC hour (0–23) that starts a new observing night: the middle of the longest run of hours
 * of day (circular) without an exposure; 12 (Rubin's `day_obs`) when every hour has one.
 */
export function daytimeSplitHour(hours: Iterable<number>): number {
  const used = new Array<boolean>(24).fill(false);
  for (const hour of hours) {
    used[((hour % 24) + 24) % 24] = true;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 24; start++) {
    if (used[start] || !used[(start + 23) % 24]) {
      continue; // runs start right after a used hour
    }
    let length = 0;
    while (length < 24 && !used[(start + length) % 24]) {
      length++;
    }
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  return bestLength === 0 ? 12 : (bestStart + Math.floor(bestLength / 2)) % 24;
}

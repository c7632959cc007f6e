/**
 * The event-time span of alert batches (the `mjd` column: the exposure of each alert), and how
 * many observing nights it stands for — what a per-night yield is extrapolated from.
 *
 * Nights are counted as the archive stage partitions them: an alert belongs to Rubin's `day_obs`,
 * the UTC−12 h date of its exposure (MJD − 0.5, floored), so one night's observing never straddles
 * two. Data from several nights count one night per `day_obs` present. Data from a single night
 * count the part of a night they cover: their span (last − first exposure, at least one visit,
 * {@link VISIT_SECONDS}) over {@link NIGHT_HOURS}, capped at one night — so a sample of one hour
 * is extrapolated ×10, and a whole night counts once.
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
  /** Distinct observing nights (`day_obs`) present. */
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
  private readonly nights = new Set<number>();

  /** Adds the `mjd` column of a batch (no-op without one). */
  add(batch: RecordBatch): void {
    const column = batch.getChild('mjd');
    for (const data of column?.data ?? []) {
      const values = data.values as unknown;
      if (!(values instanceof Float64Array || values instanceof Float32Array)) {
        continue;
      }
      let lastNight = NaN;
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
        const night = Math.floor(t - 0.5);
        if (night !== lastNight) {
          this.nights.add(night);
          lastNight = night;
        }
      }
    }
  }

  /** The span and nights, or null when no alert had a time. */
  summary(): EventTimeSummary | null {
    if (this.withTime === 0) {
      return null;
    }
    const spanHours = (this.max - this.min) * 24;
    const distinct = this.nights.size;
    const single = distinct === 1;
    const covered = Math.max(spanHours, VISIT_SECONDS / 3600);
    const nights = single ? Math.min(1, covered / NIGHT_HOURS) : distinct;
    const rule = single
      ? `one observing night (day_obs = floor(mjd - 0.5)); the data span ${spanHours.toFixed(2)} h (at least one ${VISIT_SECONDS} s visit) of a ${NIGHT_HOURS} h night, capped at 1: ${nights.toFixed(4)} night(s)`
      : `${distinct} distinct observing nights (day_obs = floor(mjd - 0.5)), each counted whole`;
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

/**
 * The windowed aggregation stage (kind `aggregate`): per input partition, event-time windows over
 * `mjd` (see windows.ts), one JSON record per closed window on the aggregate topic.
 *
 * Exactly once without a state store: each transaction commits, with the emitted windows, the input
 * offset O = the smallest offset still needed by an open window, and in the offset's commit
 * metadata the watermark and the next unread offset L. A restart (or a new owner) reads from O,
 * re-adds records below L only to windows still open under the restored watermark, and carries on
 * from L as usual: nothing emitted or dead-lettered before is emitted again.
 *
 * Late records (no open window left) are counted (`extra.lateRecords`) and, with
 * `lateRecords: 'dead-letter'`, written to the dead-letter topic (code `late-record`); with
 * `'drop'` they are dropped and counted only. Rows without an event time or value are dead-lettered
 * as `missing-value`. An event time later than processing time + `maxFutureSkewSeconds` is
 * dead-lettered as `future-event-time` and does not move the watermark (nor the committed one); one
 * beyond MJD ±1e7 as `event-time-out-of-range`.
 * A record needing a new window while `maxOpenWindows` are open is dead-lettered as
 * `too-many-open-windows`; this one outcome is not exactly once across a restart: the replay refills
 * only windows still open under the restored watermark, so a replayed record that overflowed
 * before may find room and be counted in a window emitted later (it is not dead-lettered twice).
 * Recording every overflowed offset would not fit the commit metadata; see docs/threat-model.md. A committed watermark ahead of now + skew (written
 * before this rule) is capped when a partition opens. Windows are per input partition: key the input by the group column (or use
 * one partition) for global aggregates.
 */
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder } from '../alerts/types.js';
import { deadLetterRecords, sendRecords } from '../buffer/produce.js';
import { toBufferRejects, type BufferReject } from '../buffer/reject.js';
import type { ConsumedRecord, ProduceRecord, ProducerClient } from '../buffer/transport-types.js';
import type { StageAggregate, StageManifest } from './manifest-types.js';
import type { PartitionHandler, PartitionStart } from './partitions.js';
import type { StageCounters } from './stats.js';
import { MAX_REQUEST_BYTES } from './filter-stage.js';
import { AGGREGATE_REJECT_CODES as CODES, addRows } from './aggregate-rows.js';
import { MAX_ABS_MJD, MS_PER_DAY, WindowState, mjdToMs } from './windows.js';

interface AggregatePartition {
  partition: number;
  producer: ProducerClient;
  windows: WindowState;
  /** Records below this offset were processed before the restart (replay only). */
  replayUntil: bigint;
}

/** v2: the watermark in integer ms of MJD; v1 (read only) had it as a float MJD. */
export interface CommitMetadata {
  v: 2;
  watermarkMs: number | null;
  next: string;
}

const encoder = new TextEncoder();

/** Reads the commit metadata of an aggregate partition (v2, or v1 written before integer ms). */
export function parseMetadata(text: string | null): CommitMetadata | undefined {
  try {
    const m = JSON.parse(text ?? '') as Record<string, unknown>;
    const next = typeof m.next === 'string' && /^\d+$/.test(m.next) ? m.next : undefined;
    if (next === undefined) {
      return undefined;
    }
    const wm = m.v === 2 ? m.watermarkMs : m.v === 1 ? m.watermarkMjd : undefined;
    if (wm !== null && typeof wm !== 'number') {
      return undefined;
    }
    // a v1 watermark beyond any real time (poisoned) restores as "now + skew" (capped on open)
    const ms =
      wm === null ? null : m.v === 2 ? wm : (mjdToMs(wm) ?? (wm > 0 ? Number.MAX_VALUE : null));
    return { v: 2, watermarkMs: ms ?? null, next };
  } catch {
    return undefined;
  }
}

export class AggregateHandler implements PartitionHandler<AggregatePartition> {
  private readonly decoder: AlertDecoder;
  private readonly agg: StageAggregate;

  constructor(
    private readonly manifest: StageManifest,
    private readonly counters: StageCounters
  ) {
    this.decoder = createDecoder(manifest.input.format);
    this.agg = manifest.aggregate as StageAggregate;
  }

  async open(start: PartitionStart): Promise<AggregatePartition> {
    const windows = new WindowState(this.agg);
    const meta = parseMetadata(start.committedMetadata);
    if (meta?.watermarkMs !== null && meta?.watermarkMs !== undefined) {
      // capped at now + skew: a watermark poisoned by a far-future record heals here
      windows.restoreWatermark(meta.watermarkMs);
    }
    return {
      partition: start.partition,
      producer: start.producer as ProducerClient,
      windows,
      replayUntil: meta ? BigInt(meta.next) : -1n
    };
  }

  async process(state: AggregatePartition, records: ConsumedRecord[]): Promise<void> {
    const t0 = performance.now();
    const m = this.manifest;
    const topic = m.input.topic;
    const { batch, rowIndex, rejects } = this.decoder.decodeBatch(records.map(r => r.value));
    const dead: BufferReject[] = toBufferRejects(topic, state.partition, records, rejects).filter(
      r => r.offset >= state.replayUntil
    );
    const rows = addRows(
      batch,
      this.agg,
      state.windows,
      row => records[rowIndex[row]].offset,
      row => records[rowIndex[row]].offset < state.replayUntil
    );
    const late = rows.late.length;
    const reject = (list: number[], code: string, reason: string) =>
      toBufferRejects(
        topic,
        state.partition,
        records,
        list.map(row => ({ index: rowIndex[row], code, reason }))
      );
    const horizon = state.windows.horizonMs() / MS_PER_DAY;
    dead.push(
      ...reject(
        rows.missing,
        CODES.missing,
        `No finite mjd or ${this.agg.value}: cannot be aggregated.`
      ),
      ...reject(
        rows.future,
        CODES.future,
        `Event time is later than processing time + ${this.agg.maxFutureSkewSeconds} s (MJD ${horizon}): not aggregated and the watermark does not move.`
      ),
      ...reject(
        rows.outOfRange,
        CODES.range,
        `Event time is outside MJD ±${MAX_ABS_MJD}: not aggregated.`
      ),
      ...reject(
        rows.overflow,
        CODES.overflow,
        `Needs a new window while ${state.windows.openWindows} windows (keys × windows) are open, the stage's aggregate.maxOpenWindows (${this.agg.maxOpenWindows}): not aggregated. Raise maxOpenWindows or group by a column with fewer values.`
      )
    );
    if (this.agg.lateRecords === 'dead-letter') {
      dead.push(
        ...reject(
          rows.late,
          CODES.late,
          `Event time is older than every open window (watermark MJD ${state.windows.watermarkMjd}, allowed lateness ${this.agg.allowedLatenessSeconds} s).`
        )
      );
    }
    const emitted = state.windows.emit();
    const out: ProduceRecord[] = emitted.map(w => ({
      topic: this.agg.topic,
      key: w.key,
      value: encoder.encode(
        JSON.stringify({
          stage: m.id,
          inputPartition: state.partition,
          groupBy: this.agg.groupBy,
          valueColumn: this.agg.value,
          ...w
        })
      )
    }));
    out.push(...deadLetterRecords(m.deadLetterTopic, dead));
    const next = records[records.length - 1].offset + 1n;
    const needed = state.windows.minOpenOffset();
    const commitAt = needed !== undefined && needed < next ? needed : next;
    const wm = state.windows.watermarkMs;
    const metadata: CommitMetadata = {
      v: 2,
      watermarkMs: Number.isFinite(wm) ? wm : null,
      next: (next > state.replayUntil ? next : state.replayUntil).toString()
    };
    const tx = await state.producer.transaction();
    try {
      if (out.length > 0) {
        await sendRecords(tx, out, MAX_REQUEST_BYTES);
      }
      await tx.sendOffsets(m.id, [
        { topic, partition: state.partition, offset: commitAt, metadata: JSON.stringify(metadata) }
      ]);
      await tx.commit();
    } catch (error) {
      this.counters.aborts++;
      await tx.abort().catch(() => undefined);
      throw error;
    }
    const c = this.counters;
    c.commits++;
    c.recordsIn += records.filter(r => r.offset >= state.replayUntil).length;
    c.alertsIn += rows.added + late;
    c.addOut(this.agg.topic, emitted.length);
    c.addExtra('lateRecords', late);
    c.addExtra('futureRecords', rows.future.length);
    c.addExtra('overflowRecords', rows.overflow.length);
    c.addExtra('windowsEmitted', emitted.length);
    for (const d of dead) {
      c.addDeadLetters(String(d.code), 1);
    }
    c.observeLatency(performance.now() - t0);
  }

  async close(): Promise<void> {}
}

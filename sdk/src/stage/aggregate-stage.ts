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
 * as `missing-value`. Windows are per input partition: key the input by the group column (or use
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
import { WindowState } from './windows.js';

interface AggregatePartition {
  partition: number;
  producer: ProducerClient;
  windows: WindowState;
  /** Records below this offset were processed before the restart (replay only). */
  replayUntil: bigint;
}

interface CommitMetadata {
  v: 1;
  watermarkMjd: number | null;
  next: string;
}

const encoder = new TextEncoder();

function parseMetadata(text: string | null): CommitMetadata | undefined {
  try {
    const m = JSON.parse(text ?? '') as CommitMetadata;
    return m.v === 1 ? m : undefined;
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
    if (meta?.watermarkMjd !== null && meta?.watermarkMjd !== undefined) {
      windows.watermarkMjd = meta.watermarkMjd;
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
    const mjd = batch.getChild('mjd');
    const keys = batch.getChild(this.agg.groupBy);
    const values = batch.getChild(this.agg.value);
    const dead: BufferReject[] = toBufferRejects(topic, state.partition, records, rejects).filter(
      r => r.offset >= state.replayUntil
    );
    let late = 0;
    let added = 0;
    const lateRecords = new Set<number>();
    const missing = new Set<number>();
    for (let row = 0; row < batch.numRows; row++) {
      const r = rowIndex[row];
      const offset = records[r].offset;
      const replay = offset < state.replayUntil;
      const t = mjd?.get(row) as number | null | undefined;
      const raw = values?.get(row) as number | bigint | null | undefined;
      const v = typeof raw === 'bigint' ? Number(raw) : raw;
      if (
        t === null ||
        t === undefined ||
        !Number.isFinite(t) ||
        v === null ||
        v === undefined ||
        !Number.isFinite(v)
      ) {
        if (!replay) {
          missing.add(r);
        }
        continue;
      }
      const key = String(keys?.get(row) ?? 'null');
      const joined = state.windows.add(t, key, v, offset, !replay);
      if (!joined && !replay) {
        late++;
        lateRecords.add(r);
      } else if (joined && !replay) {
        added++;
      }
    }
    const reject = (set: Set<number>, code: string, reason: string) =>
      toBufferRejects(
        topic,
        state.partition,
        records,
        [...set].map(index => ({ index, code, reason }))
      );
    dead.push(
      ...reject(
        missing,
        'missing-value',
        `No finite mjd or ${this.agg.value}: cannot be aggregated.`
      )
    );
    if (this.agg.lateRecords === 'dead-letter') {
      dead.push(
        ...reject(
          lateRecords,
          'late-record',
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
    const wm = state.windows.watermarkMjd;
    const metadata: CommitMetadata = {
      v: 1,
      watermarkMjd: Number.isFinite(wm) ? wm : null,
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
    c.alertsIn += added + late;
    c.addOut(this.agg.topic, emitted.length);
    c.addExtra('lateRecords', late);
    c.addExtra('windowsEmitted', emitted.length);
    for (const d of dead) {
      c.addDeadLetters(String(d.code), 1);
    }
    c.observeLatency(performance.now() - t0);
  }

  async close(): Promise<void> {}
}

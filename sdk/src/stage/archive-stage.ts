/**
 * The archive sink (kind `archive`): alerts → Parquet under `<path>/night=YYYY-MM-DD/`, one file
 * per night per flush, named `<topic>-p<partition>-<firstOffset>-<lastOffset>.parquet` (offsets
 * zero-padded). A partition's buffer is flushed every `flushRows` alerts, or after `maxIdleMs`
 * without new ones. A flush writes every file under a `.tmp` name, fsyncs it, renames it, fsyncs the
 * folders, and only then commits the input offsets (in a transaction with the flush's dead
 * letters). On (re)start of a partition, its leftover `.tmp` files and any file of an uncommitted
 * flush (first offset ≥ the committed offset) are removed, so the archive holds every committed
 * alert exactly once and never a partial file.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder } from '../alerts/types.js';
import { coordinatesOf, withKafkaColumns } from '../buffer/coordinates.js';
import { deadLetterRecords, sendRecords } from '../buffer/produce.js';
import { toBufferRejects } from '../buffer/reject.js';
import type { ConsumedRecord, ProducerClient } from '../buffer/transport-types.js';
import type { StageArchive, StageManifest } from './manifest-types.js';
import type { PartitionHandler, PartitionStart } from './partitions.js';
import { ParquetWriter, fsyncDir, fsyncFile } from './parquet-writer.js';
import type { StageCounters } from './stats.js';
import { MAX_REQUEST_BYTES } from './filter-stage.js';

interface ArchivePartition {
  partition: number;
  producer: ProducerClient;
  buffer: ConsumedRecord[];
  timer: NodeJS.Timeout | undefined;
  lock: Promise<unknown>;
  /** An idle flush failed: the next batch restarts the partition from its committed offset. */
  broken: Error | undefined;
  closed: boolean;
}

const MJD_UNIX_EPOCH = 40_587;
const pad = (o: bigint): string => o.toString().padStart(20, '0');

/**
 * `YYYY-MM-DD` of an MJD: the UTC date ('exposure-day') or Rubin's day_obs, UTC−12 h ('night');
 * 'unknown' for a time no Date holds (mjd = 1e12 would throw and crash the stage on every replay).
 */
export function nightOf(mjd: number, partitionBy: StageArchive['partitionBy']): string {
  const shiftDays = partitionBy === 'night' ? 0.5 : 0;
  const date = new Date((mjd - MJD_UNIX_EPOCH - shiftDays) * 86_400_000);
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().slice(0, 10);
}

/** Parses `<topic>-p<partition>-<first>-<last>.parquet[.tmp]`. */
export function parseArchiveFileName(
  name: string
): { topic: string; partition: number; first: bigint; last: bigint; temp: boolean } | undefined {
  const m = /^(.+)-p(\d+)-(\d{20})-(\d{20})\.parquet(\.tmp)?$/.exec(name);
  return m
    ? {
        topic: m[1],
        partition: Number(m[2]),
        first: BigInt(m[3]),
        last: BigInt(m[4]),
        temp: m[5] !== undefined
      }
    : undefined;
}

export class ArchiveHandler implements PartitionHandler<ArchivePartition> {
  private readonly decoder: AlertDecoder;
  private readonly spec: StageArchive;
  private writer: Promise<ParquetWriter> | undefined;

  constructor(
    private readonly manifest: StageManifest,
    private readonly counters: StageCounters
  ) {
    this.decoder = createDecoder(manifest.input.format);
    this.spec = manifest.archive as StageArchive;
  }

  private async nightDirs(): Promise<string[]> {
    await mkdir(this.spec.path, { recursive: true });
    const entries = await readdir(this.spec.path, { withFileTypes: true });
    return entries
      .filter(e => e.isDirectory() && e.name.startsWith('night='))
      .map(e => join(this.spec.path, e.name));
  }

  /** Removes this partition's temp files and the files of flushes that were never committed. */
  private async cleanUp(partition: number, committed: bigint): Promise<void> {
    for (const dir of await this.nightDirs()) {
      let removed = false;
      for (const name of await readdir(dir)) {
        const f = parseArchiveFileName(name);
        if (
          f &&
          f.topic === this.manifest.input.topic &&
          f.partition === partition &&
          (f.temp || f.first >= committed)
        ) {
          await rm(join(dir, name), { force: true });
          removed = true;
        }
      }
      if (removed) {
        await fsyncDir(dir);
        this.counters.addExtra('leftoverFilesRemoved', 1);
      }
    }
  }

  async open(start: PartitionStart): Promise<ArchivePartition> {
    await this.cleanUp(start.partition, start.committedOffset < 0n ? 0n : start.committedOffset);
    return {
      partition: start.partition,
      producer: start.producer as ProducerClient,
      buffer: [],
      timer: undefined,
      lock: Promise.resolve(),
      broken: undefined,
      closed: false
    };
  }

  private locked<T>(state: ArchivePartition, fn: () => Promise<T>): Promise<T> {
    const run = state.lock.then(fn);
    state.lock = run.catch(() => undefined);
    return run;
  }

  async process(state: ArchivePartition, records: ConsumedRecord[]): Promise<void> {
    await this.locked(state, async () => {
      if (state.broken) {
        throw state.broken;
      }
      state.buffer.push(...records);
      if (state.buffer.length >= this.spec.flushRows) {
        await this.flush(state);
      }
    });
    clearTimeout(state.timer);
    if (state.buffer.length > 0 && !state.closed) {
      state.timer = setTimeout(() => {
        void this.locked(state, () => this.flush(state)).catch((error: unknown) => {
          state.broken = error as Error;
        });
      }, this.spec.maxIdleMs);
    }
  }

  private async flush(state: ArchivePartition): Promise<void> {
    if (state.buffer.length === 0 || state.closed) {
      return;
    }
    const t0 = performance.now();
    const records = state.buffer;
    const m = this.manifest;
    const topic = m.input.topic;
    const decoded = this.decoder.decodeBatch(records.map(r => r.value));
    const batch = withKafkaColumns(
      decoded.batch,
      coordinatesOf(topic, state.partition, records, decoded.rowIndex)
    );
    const mjd = batch.getChild('mjd');
    const byNight = new Map<string, number[]>();
    for (let row = 0; row < batch.numRows; row++) {
      const t = mjd?.get(row) as number | null;
      const night =
        t === null || !Number.isFinite(t) ? 'unknown' : nightOf(t, this.spec.partitionBy);
      const rows = byNight.get(night) ?? [];
      rows.push(row);
      byNight.set(night, rows);
    }
    const first = records[0].offset;
    const last = records[records.length - 1].offset;
    const name = `${topic}-p${state.partition}-${pad(first)}-${pad(last)}.parquet`;
    const nights = [...byNight.keys()];
    const dirs = nights.map(n => join(this.spec.path, `night=${n}`));
    const finals = dirs.map(d => join(d, name));
    const temps = finals.map(f => `${f}.tmp`);
    for (const d of dirs) {
      await mkdir(d, { recursive: true });
    }
    if (nights.length > 0) {
      this.writer ??= ParquetWriter.create();
      const writer = await this.writer;
      await writer.write(
        batch,
        nights.map(n => Int32Array.from(byNight.get(n) ?? [])),
        temps
      );
      for (const t of temps) {
        await fsyncFile(t);
      }
      for (let i = 0; i < temps.length; i++) {
        await rename(temps[i], finals[i]);
      }
      for (const d of new Set(dirs)) {
        await fsyncDir(d);
      }
    }
    const rejects = toBufferRejects(topic, state.partition, records, decoded.rejects);
    const tx = await state.producer.transaction();
    try {
      if (rejects.length > 0) {
        await sendRecords(tx, deadLetterRecords(m.deadLetterTopic, rejects), MAX_REQUEST_BYTES);
      }
      await tx.sendOffsets(m.id, [{ topic, partition: state.partition, offset: last + 1n }]);
      await tx.commit();
    } catch (error) {
      this.counters.aborts++;
      await tx.abort().catch(() => undefined);
      throw error;
    }
    state.buffer = [];
    const c = this.counters;
    c.commits++;
    c.recordsIn += records.length;
    c.alertsIn += batch.numRows;
    nights.forEach(n => c.addOut(`night=${n}`, byNight.get(n)?.length ?? 0));
    c.addExtra('filesWritten', nights.length);
    for (const r of rejects) {
      c.addDeadLetters(String(r.code), 1);
    }
    c.observeLatency(performance.now() - t0);
  }

  async close(state?: ArchivePartition): Promise<void> {
    if (state === undefined) {
      // the runner's close: the shared DuckDB
      const writer = this.writer;
      this.writer = undefined;
      (await writer)?.close();
      return;
    }
    clearTimeout(state.timer);
    await state.lock;
    state.closed = true;
    state.buffer = [];
  }
}

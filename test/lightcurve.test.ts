/**
 * One object's lightcurve on the real broker: ZTF and Rubin sample alerts in random topics (ZTF
 * twice: duplicates), simulator-style keyed records, and an archive Parquet file written by the
 * archive stage's writer. Checks merged, de-duplicated, sorted points with detections, limits and
 * forced photometry marked; an unknown object; `sinceMjd`; that a lookup reads only its alerts'
 * records; that new records are indexed incrementally; and a reindex swapped in under a live service.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { coordinatesOf, withKafkaColumns } from '../sdk/src/buffer/coordinates.js';
import { BufferClient, createLogger, ocfToRecordValues } from '../sdk/src/buffer/index.js';
import { LightcurveService, mergePoints, reindexObjects } from '../sdk/src/objects/index.js';
import { catchUpTopic } from '../sdk/src/objects/catch-up.js';
import { ObjectIndex } from '../sdk/src/objects/object-index.js';
import { pointsOfBatch } from '../sdk/src/objects/points.js';
import { readRanges } from '../sdk/src/objects/read-offsets.js';
import { SIM_CLASS_HEADER } from '../sdk/src/simulate/index.js';
import { ParquetWriter } from '../sdk/src/stage/parquet-writer.js';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data', 'alerts');
const ZTF = join(DATA, 'ztf', 'ztf-31alerts.avro');
const RUBIN = join(DATA, 'rubin', 'rubin-v10-7alerts.avro');
const present = existsSync(ZTF) && existsSync(RUBIN);
if (!present && process.env.CI === 'true') {
  throw new Error(`lightcurve tests need the real sample alerts in ${DATA} (missing under CI)`);
}
if (!present) {
  console.warn(`skipping lightcurve tests: sample alerts missing in ${DATA}`);
}

const hex = (): string => randomBytes(5).toString('hex');
const logger = createLogger({ level: 'error' });
const run = hex(); // every topic of this file starts with lc-<run>-
const topics = { ztf: `lc-${run}-ztf`, rubin: `lc-${run}-rubin`, keyed: `lc-${run}-keyed` };
let dir: string;
let buffer: BufferClient;
let service: LightcurveService;
let ztfValues: Uint8Array[];
let ztfBatch: RecordBatch;
let rubinBatch: RecordBatch;

function decodeAll(values: Uint8Array[]): RecordBatch {
  const r = createDecoder('auto', { columns: [] }).decodeBatch(values);
  expect(r.rejects).toEqual([]);
  return r.batch;
}

/** The object's points as the sample file holds them (one alert each), merged the same way. */
function expectedPoints(batch: RecordBatch, objectId: string) {
  return mergePoints(pointsOfBatch(batch, objectId, 'x').points);
}

beforeAll(async () => {
  if (!present) {
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'alertlab-lc-'));
  buffer = await BufferClient.create({ bootstrapServers: inject('bootstrapServers'), logger });
  await buffer.createTopics([
    { topic: topics.ztf, partitions: 2 },
    { topic: topics.rubin, partitions: 1 },
    { topic: topics.keyed, partitions: 3 }
  ]);
  ztfValues = ocfToRecordValues(new Uint8Array(readFileSync(ZTF))).values;
  const rubinValues = ocfToRecordValues(new Uint8Array(readFileSync(RUBIN))).values;
  ztfBatch = decodeAll(ztfValues);
  rubinBatch = decodeAll(rubinValues);
  await buffer.produce(topics.ztf, ztfValues);
  await buffer.produce(topics.ztf, ztfValues); // every ZTF alert twice
  await buffer.produce(topics.rubin, rubinValues);
  // as the simulator produces: key = the object id, the sim-class header
  const producer = await buffer.producer();
  await producer.send(
    rubinValues.map((value, i) => ({
      topic: topics.keyed,
      value,
      key: String(rubinBatch.getChild('objectId')?.get(i)),
      headers: { [SIM_CLASS_HEADER]: 'variable' }
    }))
  );
  service = await LightcurveService.create({
    buffer,
    indexPath: join(dir, 'objects.duckdb'),
    archiveDirs: [join(dir, 'archive')],
    catchUpIntervalMs: 0,
    bufferTopics: Object.values(topics) // this file's alert buffers, not those of alertlab.buffers.json
  });
});

afterAll(async () => {
  if (!present) {
    return;
  }
  await service?.close();
  await buffer?.deleteTopics(Object.values(topics)).catch(() => undefined);
  await buffer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!present)('lightcurve of one object', () => {
  it('ZTF: every point of both copies of the alert, merged, sorted, limits marked; reads only its records', async () => {
    const objectId = String(ztfBatch.getChild('objectId')?.get(3));
    const want = expectedPoints(ztfBatch, objectId);
    const r = await service.lightcurve(objectId, { topic: topics.ztf });
    expect(r.found).toBe(2);
    expect(r.bufferAlerts).toBe(2);
    expect(r.recordsRead).toBe(2); // of 62 records in the topic
    const t = r.table;
    expect(t.numRows).toBe(want.length);
    const mjd = t.getChild('mjd')?.toArray() as Float64Array;
    expect([...mjd]).toEqual(want.map(p => p.mjd));
    expect([...mjd]).toEqual([...mjd].sort((a, b) => a - b));
    const limits = want.filter(p => !p.isDetection).length;
    expect(limits).toBeGreaterThan(0);
    let gotLimits = 0;
    for (let i = 0; i < t.numRows; i++) {
      const det = t.getChild('isDetection')?.get(i) as boolean;
      if (det) {
        expect(t.getChild('mag')?.get(i)).not.toBeNull();
      } else {
        gotLimits++;
        expect(t.getChild('upperLimitMag')?.get(i)).not.toBeNull();
      }
      expect(t.getChild('forced')?.get(i)).toBe(false);
    }
    expect(gotLimits).toBe(limits);
    const candid = ztfBatch.getChild('alertId')?.get(3) as bigint;
    expect(t.getChild('alertId')?.get(0)).toBe(candid); // int64 kept exact
    expect(t.schema.metadata.get('found')).toBe('2');
  });

  it('Rubin: detections and forced photometry both marked, on the simulator-keyed topic too', async () => {
    const objectId = String(rubinBatch.getChild('objectId')?.get(0));
    const want = expectedPoints(rubinBatch, objectId);
    const forced = want.filter(p => p.forced).length;
    expect(forced).toBeGreaterThan(0);
    const all = await service.lightcurve(objectId);
    expect(all.found).toBe(2); // the plain topic and the keyed one
    expect(all.table.numRows).toBe(want.length);
    const f = all.table.getChild('forced')?.toArray() as boolean[];
    expect([...f].filter(Boolean).length).toBe(forced);
    const keyed = await service.lightcurve(objectId, { topic: topics.keyed });
    expect(keyed.found).toBe(1);
    expect(keyed.table.numRows).toBe(want.length);
    expect(keyed.table.getChild('source')?.get(0)).toBe(topics.keyed);
  });

  it('an unknown object: an empty table with the lightcurve schema, found 0 and a message', async () => {
    const r = await service.lightcurve('ZTF00nosuchobj');
    expect(r.found).toBe(0);
    expect(r.table.numRows).toBe(0);
    expect(r.table.schema.fields.map(f => f.name)).toEqual([
      'mjd',
      'band',
      'flux',
      'fluxErr',
      'mag',
      'magErr',
      'totalMag',
      'totalMagErr',
      'isDetection',
      'upperLimitMag',
      'forced',
      'alertId',
      'source'
    ]);
    expect(r.message).toContain('ZTF00nosuchobj');
    await expect(service.lightcurve(' ')).rejects.toThrow(/object id/);
  });

  it('sinceMjd keeps only points at or after it', async () => {
    const objectId = String(ztfBatch.getChild('objectId')?.get(5));
    const want = expectedPoints(ztfBatch, objectId);
    const since = want[Math.floor(want.length / 2)].mjd;
    const r = await service.lightcurve(objectId, { topic: topics.ztf, sinceMjd: since });
    expect(r.table.numRows).toBe(want.filter(p => p.mjd >= since).length);
    expect(Math.min(...(r.table.getChild('mjd')?.toArray() as Float64Array))).toBe(since);
  });

  it('indexes new records incrementally: the next lookup sees an alert produced after the last one', async () => {
    const objectId = String(ztfBatch.getChild('objectId')?.get(7));
    const before = await service.index.marks(topics.ztf);
    await buffer.produce(topics.ztf, [ztfValues[7]]);
    const r = await service.lightcurve(objectId, { topic: topics.ztf });
    expect(r.found).toBe(3);
    const after = await service.index.marks(topics.ztf);
    const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
    expect(sum(after) - sum(before)).toBe(1n);
  });

  it('merges the archive: an archived object is found from Parquet, duplicates collapse', async () => {
    // the archive stage's writer and layout: <root>/night=YYYY-MM-DD/<topic>-p<n>-<first>-<last>.parquet
    const archivedTopic = `lc-${run}-archived`;
    const night = join(dir, 'archive', 'night=2019-11-20');
    mkdirSync(night, { recursive: true });
    const decoded = createDecoder('auto').decodeBatch(ztfValues);
    const records = ztfValues.map((_, i) => ({ offset: BigInt(i), timestampMs: 0 }));
    const batch = withKafkaColumns(
      decoded.batch,
      coordinatesOf(archivedTopic, 0, records, decoded.rowIndex)
    );
    const pad = (n: number) => String(n).padStart(20, '0');
    const writer = await ParquetWriter.create();
    try {
      const file = join(night, `${archivedTopic}-p0-${pad(0)}-${pad(30)}.parquet`);
      await writer.write(batch, [Int32Array.from({ length: batch.numRows }, (_, i) => i)], [file]);
    } finally {
      writer.close();
    }
    const objectId = String(ztfBatch.getChild('objectId')?.get(11));
    const want = expectedPoints(ztfBatch, objectId);
    const onlyArchive = await service.lightcurve(objectId, { topic: topics.rubin });
    expect(onlyArchive.bufferAlerts).toBe(0);
    expect(onlyArchive.archiveAlerts).toBe(1);
    expect(onlyArchive.table.numRows).toBe(want.length);
    expect(onlyArchive.table.getChild('source')?.get(0)).toBe('archive');
    const both = await service.lightcurve(objectId, { topic: topics.ztf });
    expect(both.found).toBe(3);
    expect(both.table.numRows).toBe(want.length);
  });

  it('`reindex` builds a new index and swaps it in under the live service', async () => {
    const report = await reindexObjects({
      bootstrapServers: inject('bootstrapServers'),
      logger,
      indexPath: service.index.path,
      topics: [topics.ztf, topics.rubin],
      archiveDirs: [join(dir, 'archive')]
    });
    expect(report.alerts).toBe(31 * 2 + 1 + 7);
    const objectId = String(rubinBatch.getChild('objectId')?.get(2));
    const r = await service.lightcurve(objectId, { topic: topics.rubin });
    expect(r.found).toBe(1);
    expect(r.table.numRows).toBe(expectedPoints(rubinBatch, objectId).length);
    expect(readFileSync(service.index.path).length).toBeGreaterThan(0);
  });

  it('`alertlab objects reindex` and `objects lightcurve` from the command line', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '..', 'sdk/src/cli/main.ts'),
          'objects',
          ...args
        ],
        { env: { ...process.env, ALERTLAB_BOOTSTRAP_SERVERS: inject('bootstrapServers') } }
      );
    const index = join(dir, 'cli-objects.duckdb');
    const common = ['--index', index, '--archive', join(dir, 'no-archive')];
    const re = await run(['reindex', '--topic', topics.rubin, '--json', ...common]);
    const report = JSON.parse(re.stdout) as { alerts: number; objects: number };
    expect(report).toMatchObject({ alerts: 7, objects: 7 });
    const objectId = String(rubinBatch.getChild('objectId')?.get(1));
    const lc = await run(['lightcurve', objectId, '--topic', topics.rubin, ...common]);
    const lines = lc.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'mjd,band,flux,fluxErr,mag,magErr,totalMag,totalMagErr,isDetection,upperLimitMag,forced,alertId,source'
    );
    expect(lines.length - 1).toBe(expectedPoints(rubinBatch, objectId).length);
  });

  it('readRanges delivers every record of busy partitions (a slow handler is not an idle partition)', async () => {
    const topic = `lc-ranges-${hex()}`;
    await buffer.createTopics([{ topic, partitions: 3 }]);
    try {
      const producer = await buffer.producer();
      const value = new Uint8Array(2000);
      for (let c = 0; c < 6; c++) {
        await producer.send(
          Array.from({ length: 500 }, (_, i) => ({ topic, value, partition: (c * 500 + i) % 3 }))
        );
      }
      const ranges = new Map([0, 1, 2].map(p => [p, [{ from: 0n, to: 1000n }]]));
      let got = 0;
      await readRanges(
        buffer.transport,
        topic,
        ranges,
        async (_p, records) => {
          got += records.length;
          await new Promise(r => setTimeout(r, 150)); // slower than the settle time below
        },
        { settleMs: 300, maxBytesPerPartition: 64 << 10 }
      );
      expect(got).toBe(3000);
      // stopped (the service closing): the read rejects at once, having given only what it read
      const stop = new AbortController();
      let before = 0;
      const t0 = performance.now();
      await expect(
        readRanges(
          buffer.transport,
          topic,
          ranges,
          (_p, records) => {
            before += records.length;
            stop.abort();
          },
          { maxBytesPerPartition: 64 << 10, signal: stop.signal }
        )
      ).rejects.toThrow(/stopped/);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(3000);
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      await buffer.deleteTopics([topic]).catch(() => undefined);
    }
  });

  it('a transactional topic is caught up past its commit marker: the next catch-up reads nothing', async () => {
    const topic = `lc-tx-${hex()}`;
    await buffer.createTopics([{ topic, partitions: 1 }]);
    const index = await ObjectIndex.open(':memory:');
    const producer = await buffer.transport.producer({ transactionalId: `lc-tx-${hex()}` });
    try {
      const tx = await producer.transaction();
      await tx.send(ztfValues.slice(0, 5).map(value => ({ topic, value })));
      await tx.commit();
      const admin = await buffer.admin();
      // the commit markers reach the partition a moment after commit() returns: until then the
      // stable end offset (what catch-up reads up to) is still 0
      for (let i = 0; i < 100 && (await admin.endOffsets(topic))[0].high < 6n; i++) {
        await new Promise(r => setTimeout(r, 100));
      }
      const first = await catchUpTopic(buffer.transport, buffer, index, topic);
      expect(first).toMatchObject({ records: 5, alerts: 5 });
      const end = (await admin.endOffsets(topic))[0].high;
      expect(end).toBe(6n); // five records and the commit marker
      expect((await index.marks(topic)).get(0)).toBe(end);
      const t0 = performance.now();
      const again = await catchUpTopic(buffer.transport, buffer, index, topic);
      expect(again.records).toBe(0);
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      await producer.close();
      index.close();
      await buffer.deleteTopics([topic]).catch(() => undefined);
    }
  });

  it('keepCaughtUp indexes new records of indexed topics in the background, without a lookup; it sweeps no topic nobody asked about', async () => {
    const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
    service.keepCaughtUp(200);
    await buffer.produce(topics.rubin, [ztfValues[0], ztfValues[1]]);
    const admin = await buffer.admin();
    const end = (await admin.endOffsets(topics.rubin)).reduce((a, e) => a + e.high, 0n);
    expect(end).toBe(9n); // 7 Rubin alerts and the 2 ZTF ones just produced
    const until = Date.now() + 30_000;
    while (sum(await service.index.marks(topics.rubin)) < end && Date.now() < until) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(sum(await service.index.marks(topics.rubin))).toBe(end);
    expect(service.lastBackgroundError).toBeUndefined();
    const located = await service.index.locate(String(ztfBatch.getChild('objectId')?.get(1)));
    expect(located.some(l => l.topic === topics.rubin)).toBe(true);
    // the reindex above left the keyed topic out: the background does not index it on its own
    expect((await service.index.marks(topics.keyed)).size).toBe(0);
  });
});

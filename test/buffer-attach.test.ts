/**
 * attach() on the real broker with the real alerts: 7 Rubin (Confluent wire format, as Rubin
 * publishes) and 35 ZTF (one-record container files, as ZTF publishes) go in through produce and
 * come back as Arrow rows that match an independent fastavro decode; replay from a timestamp.
 */
import { describe, expect, it } from 'vitest';
import { createDecoder, mapSchemaSource } from '../sdk/src/alerts/index.js';
import { BufferClient } from '../sdk/src/buffer/client.js';
import {
  collect,
  expectedAlerts,
  rubinSchema,
  ztfValues,
  type ExpectedAlert
} from './buffer-fixtures.js';
import {
  NO_DATA_MESSAGE,
  RUBIN_FILE,
  ZTF_FILE,
  ZTF_SINGLE,
  bootstrapServers,
  hasData,
  runWithData,
  quietLogger,
  randomName,
  useBufferClient
} from './buffer-helpers.js';

const ctx = useBufferClient();

function compare(rows: Array<Record<string, unknown>>, expected: ExpectedAlert[], topic: string) {
  expect(rows).toHaveLength(expected.length);
  const byId = new Map(rows.map(r => [String(r.alertId), r]));
  expect(byId.size).toBe(expected.length);
  for (const e of expected) {
    const row = byId.get(e.alertId);
    expect(row, `alert ${e.alertId}`).toBeDefined();
    expect(typeof row?.alertId).toBe('bigint');
    expect(row?.objectId).toBe(e.objectId);
    expect(row?.ra).toBe(e.ra);
    expect(row?.dec).toBe(e.dec);
    expect(row?.band).toBe(e.band);
    expect((row?.lightcurve as { length: number }).length).toBe(e.lightcurve);
    expect(row?.kafkaTopic).toBe(topic);
  }
  const coords = rows.map(r => `${String(r.kafkaPartition)}:${String(r.kafkaOffset)}`);
  expect(new Set(coords).size).toBe(rows.length);
}

describe.runIf(runWithData())('attach with the real alerts', () => {
  it('Rubin alerts in Confluent wire format read back as Arrow rows', async () => {
    const topic = await ctx.newTopic('attach-rubin', 3);
    const sent = await ctx.client.produceFile(topic, RUBIN_FILE, {
      framing: { confluentSchemaId: 7 }
    });
    expect(sent).toMatchObject({ records: 7, survey: 'rubin' });
    const decoder = createDecoder('confluent', {
      schemaSource: mapSchemaSource({ 7: rubinSchema() })
    });
    const got = await collect(
      signal => ctx.client.attach(topic, { decoder, signal, decodeWorker: true }),
      7
    );
    expect(got.rejects).toEqual([]);
    compare(got.rows, expectedAlerts([RUBIN_FILE]), topic);
    // a worker thread and this thread give the same batches
    const here = await collect(
      signal => ctx.client.attach(topic, { decoder, signal, decodeWorker: false }),
      7
    );
    compare(here.rows, expectedAlerts([RUBIN_FILE]), topic);
    const byCoords = (rows: Array<Record<string, unknown>>) =>
      new Map(rows.map(r => [`${String(r.kafkaPartition)}:${String(r.kafkaOffset)}`, r]));
    const plain = (row: Record<string, unknown> | undefined) => ({
      ...row,
      lightcurve: [...(row?.lightcurve as Iterable<{ toJSON(): unknown }>)].map(p => p.toJSON())
    });
    const worker = byCoords(got.rows);
    for (const [at, row] of byCoords(here.rows)) {
      expect(plain(worker.get(at)), at).toEqual(plain(row));
    }
    for (const b of got.batches) {
      expect(b.batch.schema.fields.map(f => f.name)).toEqual(
        expect.arrayContaining([
          'survey',
          'alertId',
          'lightcurve',
          'kafkaOffset',
          'kafkaTimestampMs'
        ])
      );
      expect(b.batch.getChild('cutoutScience')).toBeNull();
    }
  });

  it('ZTF alerts (31-alert file + 4 single packets) read back, cutouts only when asked', async () => {
    const topic = await ctx.newTopic('attach-ztf', 3);
    const fromFile = await ctx.client.produceFile(topic, ZTF_FILE);
    expect(fromFile).toMatchObject({ records: 31, framing: 'ocf', survey: 'ztf' });
    for (const path of ZTF_SINGLE) {
      expect((await ctx.client.produceFile(topic, path)).records).toBe(1);
    }
    const got = await collect(
      signal =>
        ctx.client.attach(topic, {
          format: 'ztf',
          includeCutouts: true,
          decodeWorker: true,
          signal
        }),
      35
    );
    expect(got.rejects).toEqual([]);
    compare(got.rows, expectedAlerts([ZTF_FILE, ...ZTF_SINGLE]), topic);
    const cutouts = got.batches.flatMap(b => [...(b.batch.getChild('cutoutScience') ?? [])]);
    expect(cutouts.filter(c => c instanceof Uint8Array && c.length > 0).length).toBeGreaterThan(0);
  });

  it('replays from a timestamp: only records at or after it come back', async () => {
    const topic = await ctx.newTopic('attach-replay', 2);
    const values = ztfValues();
    const now = Date.now();
    const early = values.slice(0, 15);
    const late = values.slice(15);
    await ctx.client.produce(topic, early, { timestampMs: i => now - 120_000 + i });
    await ctx.client.produce(topic, late, { timestampMs: i => now - 60_000 + i });
    const all = expectedAlerts([ZTF_FILE, ...ZTF_SINGLE]);
    const lateIds = new Set(all.slice(15).map(e => e.alertId));
    const got = await collect(
      signal => ctx.client.attach(topic, { from: { timestamp: now - 90_000 }, signal }),
      late.length
    );
    expect(got.rows.map(r => String(r.alertId)).sort()).toEqual([...lateIds].sort());
    for (const r of got.rows) {
      expect(r.kafkaTimestampMs as number).toBeGreaterThanOrEqual(now - 60_000);
    }
    const fromDate = await collect(
      signal =>
        ctx.client.attach(topic, { from: { timestamp: new Date(now - 60_000 + 10) }, signal }),
      late.length - 10,
      { timeoutMs: 20_000 }
    );
    expect(fromDate.rows).toHaveLength(late.length - 10);

    // from an offset: every partition starts there
    const admin = await ctx.client.admin();
    const ends = await admin.endOffsets(topic);
    const expected = ends.reduce((n, e) => n + Math.max(0, Number(e.high) - 12), 0);
    const fromOffset = await collect(
      signal => ctx.client.attach(topic, { from: { offset: 12n }, signal }),
      expected,
      { timeoutMs: 20_000 }
    );
    expect(fromOffset.rows).toHaveLength(expected);
    expect(fromOffset.rows.every(r => (r.kafkaOffset as bigint) >= 12n)).toBe(true);
  });

  it("from 'latest' skips what is there; an aborted signal stops at once", async () => {
    const topic = await ctx.newTopic('attach-latest', 1);
    const values = ztfValues();
    await ctx.client.produce(topic, values.slice(0, 5));
    const seen: number[] = [];
    const reading = collect(
      signal =>
        ctx.client.attach(topic, {
          from: 'latest',
          signal,
          onAssignment: p => seen.push(...p)
        }),
      3
    );
    while (seen.length === 0) {
      await new Promise(r => setTimeout(r, 100));
    }
    await new Promise(r => setTimeout(r, 1_000));
    await ctx.client.produce(topic, values.slice(5, 8));
    const got = await reading;
    expect(got.rows.map(r => r.kafkaOffset)).toEqual([5n, 6n, 7n]);
    const stopped = new AbortController();
    stopped.abort();
    const none = await collect(_signal => ctx.client.attach(topic, { signal: stopped.signal }), 1);
    expect(none.batches).toEqual([]);
  });
});

describe('attach lifecycle', () => {
  it('ends the iteration when its client closes underneath it', async () => {
    const topic = await ctx.newTopic('attach-close', 2);
    const other = await BufferClient.create({
      bootstrapServers: bootstrapServers(),
      logger: quietLogger
    });
    let assigned = false;
    const reading = collect(
      signal => other.attach(topic, { signal, onAssignment: () => (assigned = true) }),
      1,
      { timeoutMs: 30_000 }
    );
    while (!assigned) {
      await new Promise(r => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await other.close();
    const got = await reading;
    expect(got.batches).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('says a missing topic does not exist', async () => {
    const iter = ctx.client.attach(randomName('attach-missing'));
    await expect(iter.next()).rejects.toThrow(/does not exist.*alertlab buffer create/);
  });
});

if (!hasData) {
  describe('attach with the real alerts', () => {
    it('needs the sample alerts', ctx => ctx.skip(NO_DATA_MESSAGE));
  });
}

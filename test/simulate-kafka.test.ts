/**
 * `runSimulation` on the real broker: 2 visits × 2,000 alerts to a random topic, read back with
 * `attach` (all alerts, as planned, in expectedCounts' class mix) and with a raw consumer (every
 * record's `alertlab-sim-class` header names its planned class; keys keep an object on one
 * partition).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDecoder } from '../sdk/src/alerts/index.js';
import {
  attach,
  BufferClient,
  createLogger,
  type ConsumedRecord
} from '../sdk/src/buffer/index.js';
import {
  expectedCounts,
  runSimulation,
  SIM_CLASS_HEADER,
  SIM_VISIT_HEADER,
  type ClassCounts,
  type SimClass,
  type SimulatorCreateOptions
} from '../sdk/src/simulate/index.js';
import { column, missingCatalogs, planVisits } from './simulate-helpers.js';

const noCatalogs = missingCatalogs();
if (noCatalogs) {
  console.warn(`skipping the simulator's Kafka test: ${noCatalogs}`);
}

const SEED = 5;
const VISITS = 2;
const OPTIONS: SimulatorCreateOptions = {
  seed: SEED,
  alertsPerVisit: 2000,
  mix: { variable: 0.02, transient: 0.008, moving: 0.05 }
};
const logger = createLogger({ level: 'error' });
const topic = `sim-test-${randomBytes(5).toString('hex')}`;
const servers = (): string => inject('bootstrapServers');

afterAll(async () => {
  const client = await BufferClient.create({ bootstrapServers: servers(), logger });
  try {
    await client.deleteTopics([topic]).catch(() => undefined);
  } finally {
    await client.close();
  }
});

async function readRaw(count: number): Promise<(ConsumedRecord & { partition: number })[]> {
  const client = await BufferClient.create({ bootstrapServers: servers(), logger });
  const got: (ConsumedRecord & { partition: number })[] = [];
  try {
    const consumer = await client.transport.consumer({
      groupId: `sim-test-raw-${randomBytes(4).toString('hex')}`,
      maxWaitTimeMs: 100
    });
    let done = (): void => undefined;
    const finished = new Promise<void>(resolve => (done = resolve));
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run(async batch => {
      for (const r of batch.records) {
        got.push({ ...r, partition: batch.partition });
        batch.resolveOffset(r.offset);
      }
      if (got.length >= count) {
        done();
      }
    });
    await Promise.race([finished, new Promise(r => setTimeout(r, 60_000))]);
    await consumer.close();
  } finally {
    await client.close();
  }
  return got;
}

describe.skipIf(noCatalogs !== undefined)('alertlab simulate → Kafka', () => {
  it('produces 2 visits × 2,000 alerts that attach reads back as planned', async () => {
    const summary = await runSimulation({
      ...OPTIONS,
      topic,
      partitions: 3,
      visits: VISITS,
      visitIntervalS: 0,
      bootstrapServers: servers()
    });
    const expected = expectedCounts(SEED, VISITS, OPTIONS);
    expect(summary.visits).toBe(VISITS);
    expect(summary.alerts).toBe(4000);
    expect(summary.counts).toEqual(expected.total);
    expect(summary.reports.map(r => r.counts)).toEqual(expected.perVisit);

    const { plans } = await planVisits(OPTIONS, VISITS);
    const planClass = new Map<bigint, SimClass>();
    for (const p of plans) {
      for (const a of p.alerts) {
        planClass.set(a.diaSourceId, a.simClass);
      }
    }

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 90_000);
    const fromAttach: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
    const ids = new Set<bigint>();
    try {
      for await (const b of attach(topic, {
        bootstrapServers: servers(),
        logger,
        format: 'rubin',
        signal: controller.signal
      })) {
        expect(b.rejects).toEqual([]);
        for (const id of column<bigint>(b.batch, 'alertId')) {
          ids.add(id);
          const c = planClass.get(id);
          expect(c, `alert ${id} was planned`).toBeDefined();
          fromAttach[c!]++;
        }
        if (ids.size >= 4000) {
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    expect(ids.size).toBe(4000);
    expect(fromAttach).toEqual(expected.total);

    const raw = await readRaw(4000);
    expect(raw).toHaveLength(4000);
    const { batch, rowIndex, rejects } = createDecoder('rubin').decodeBatch(raw.map(r => r.value));
    expect(rejects).toEqual([]);
    const alertIds = column<bigint>(batch, 'alertId');
    const objectIds = column<string>(batch, 'objectId');
    const fromHeaders: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
    const partitionOf = new Map<string, number>();
    alertIds.forEach((id, row) => {
      const r = raw[rowIndex[row]];
      const cls = String(r.headers[SIM_CLASS_HEADER]) as SimClass;
      expect(cls).toBe(planClass.get(id));
      fromHeaders[cls]++;
      expect(['0', '1']).toContain(String(r.headers[SIM_VISIT_HEADER]));
      expect(Buffer.from(r.key!).toString()).toBe(objectIds[row]);
      const p = partitionOf.get(objectIds[row]);
      expect(p ?? r.partition).toBe(r.partition);
      partitionOf.set(objectIds[row], r.partition);
    });
    expect(fromHeaders).toEqual(expected.total);
    expect(new Set(raw.map(r => r.partition)).size).toBe(3);
  });
});

/**
 * The controller on a real Kafka with real worker processes: deploy → outputs appear; scale
 * 1 → 3 → 1 with no alert lost or duplicated in the read_committed outputs; a killed worker comes
 * back; a restarted controller brings its stages back; rollback restores the earlier routing; the
 * backtest gate refuses broken filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import type { ControllerClient } from '../sdk/src/control/client.js';
import { ControllerRequestError } from '../sdk/src/control/client.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import {
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  quietLogger,
  randomName
} from './stage-helpers.js';
import {
  alertIdsOf,
  bootstrapServers,
  clientOf,
  launchController,
  lossAndDuplicates,
  produceRange,
  readTopic,
  makeControllerDirs,
  waitUntil
} from './controller-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const LEFT_SQL = 'coalesce(mag, 99) < 20';

function manifest(id: string, input: string, sql: string): Record<string, unknown> {
  return {
    id,
    input: { topic: input, format: 'rubin' },
    filter: { language: 'sql', kind: 'leftright', source: sql },
    payload: 'full',
    batch: { maxRows: 200, maxWaitMs: 200 },
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
  };
}

async function stageOf(client: ControllerClient, id: string): Promise<Record<string, unknown>> {
  return client.request('GET', `/stages/${id}`);
}

async function waitForWorkers(client: ControllerClient, id: string, n: number): Promise<void> {
  await waitUntil(
    async () => (await stageOf(client, id)).liveWorkers === n,
    60_000,
    `${n} workers of ${id}`
  );
}

async function waitForRecordsIn(
  client: ControllerClient,
  id: string,
  atLeast: number
): Promise<void> {
  await waitUntil(
    async () => Number((await stageOf(client, id)).recordsIn) >= atLeast,
    120_000,
    `${id} to consume ${atLeast} records`
  );
}

describe.skipIf(skipWithoutSamples())('controller stages', () => {
  let transport: KafkaTransport;
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  let client: ControllerClient;

  beforeAll(async () => {
    transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
    client = clientOf(ctl);
  });

  afterAll(async () => {
    await ctl?.close();
    await transport?.close();
    await dirs?.remove();
  });

  it('deploys, scales 1→3→1, survives a killed worker and a controller restart, with every alert exactly once', async () => {
    const input = randomName('ctl-in');
    const id = randomName('ctl-stage');
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 3 });
    const expected: string[] = [];
    expected.push(...(await produceRange(transport, input, 0, 300)));

    const deployed = await client.request('POST', '/stages', {
      manifest: manifest(id, input, LEFT_SQL),
      replicas: 1,
      author: 'test'
    });
    expect(deployed.version).toBe(1);
    const outputs = deployed.outputTopics as Record<string, string>;
    expect(outputs).toMatchObject({ left: `${id}.left`, right: `${id}.right` });
    const evidence = deployed.evidence as { sampledAlerts: number };
    expect(evidence.sampledAlerts).toBe(300);
    await waitForWorkers(client, id, 1);
    await waitForRecordsIn(client, id, 300);

    await client.request('POST', `/stages/${id}/scale`, { replicas: 3 });
    expected.push(...(await produceRange(transport, input, 300, 600)));
    await waitForWorkers(client, id, 3);
    await waitForRecordsIn(client, id, 600);
    // one consumer group: the three workers share the three partitions
    await waitUntil(
      async () => {
        const workers = (await stageOf(client, id)).workers as { partitions: number[] }[];
        const owned = workers.map(w => w.partitions.length);
        return owned.join() === '1,1,1' && new Set(workers.flatMap(w => w.partitions)).size === 3;
      },
      60_000,
      'each of 3 workers to own one partition'
    );

    // kill one worker: it comes back
    const pids = ctl.controller.supervisor.pids(id);
    expect(pids).toHaveLength(3);
    process.kill(pids[1], 'SIGKILL');
    expected.push(...(await produceRange(transport, input, 600, 900)));
    await waitUntil(
      async () => {
        const now = ctl.controller.supervisor.pids(id);
        return now.length === 3 && !now.includes(pids[1]);
      },
      60_000,
      'the killed worker to be replaced'
    );
    const afterKill = await stageOf(client, id);
    expect(afterKill.restarts).toBeGreaterThanOrEqual(1);

    await client.request('POST', `/stages/${id}/scale`, { replicas: 1 });
    expected.push(...(await produceRange(transport, input, 900, 1200)));
    await waitForWorkers(client, id, 1);

    // restart the controller mid-stream: the stage comes back from the state dir
    await ctl.close();
    expected.push(...(await produceRange(transport, input, 1200, 1500)));
    ctl = await launchController(dirs);
    client = clientOf(ctl);
    const back = await stageOf(client, id);
    expect(back.version).toBe(1);
    expect(back.replicas).toBe(1);
    await waitForWorkers(client, id, 1);
    expected.push(...(await produceRange(transport, input, 1500, 1600)));

    const records = await readTopic(transport, [outputs.left, outputs.right], {
      min: expected.length,
      idleMs: 4000,
      timeoutMs: 120_000
    });
    const { missing, duplicated } = lossAndDuplicates(expected, alertIdsOf(records));
    expect(missing).toEqual([]);
    expect(duplicated).toEqual([]);

    const metrics = await client.request<string>('GET', '/metrics');
    expect(metrics).toContain(`alertlab_stage_workers{stage="${id}"} 1`);
    expect(metrics).toMatch(
      new RegExp(`alertlab_stage_alerts_out_total\\{stage="${id}",output="left"\\} \\d+`)
    );
    await client.request('DELETE', `/stages/${id}`);
  });

  it('rolls back to the earlier version and its routing', async () => {
    const input = randomName('ctl-rb-in');
    const id = randomName('ctl-rb');
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
    await produceRange(transport, input, 0, 70);
    const v1 = await client.request('POST', '/stages', { manifest: manifest(id, input, LEFT_SQL) });
    const topics = v1.outputTopics as Record<string, string>;
    await waitForRecordsIn(client, id, 70);
    const v2 = await client.request('POST', '/stages', {
      manifest: manifest(id, input, `NOT (${LEFT_SQL})`)
    });
    expect(v2.version).toBe(2);
    expect(v2.outputTopics).toEqual(topics);
    await produceRange(transport, input, 70, 140);
    await waitForRecordsIn(client, id, 140);
    const rb = await client.request('POST', `/stages/${id}/rollback`, {});
    expect(rb).toMatchObject({ version: 3, rolledBackFrom: 1 });
    await waitForWorkers(client, id, 1);
    await produceRange(transport, input, 140, 210);
    await waitForRecordsIn(client, id, 210);

    const records = await readTopic(transport, [topics.left, topics.right], {
      min: 210,
      idleMs: 3000
    });
    const side = new Map<string, string>();
    for (const r of records) {
      for (const a of alertIdsOf([r])) {
        side.set(a, r.topic === topics.left ? 'left' : 'right');
      }
    }
    const first = (i: number): bigint => (1n << 62n) + BigInt(i);
    for (let i = 0; i < 70; i++) {
      const v1Side = side.get(first(i).toString());
      expect(side.get(first(i + 70).toString())).not.toBe(v1Side); // v2 swapped the routing
      expect(side.get(first(i + 140).toString())).toBe(v1Side); // v3 = v1 again
    }
    const detail = await stageOf(client, id);
    expect((detail.lineage as { stageVersion: string }).stageVersion).toBe(`${id}@v3`);
    expect((detail.versions as unknown[]).length).toBe(3);
    await client.request('DELETE', `/stages/${id}`);
  });

  it('refuses filters that fail to load, throw on the sample, or exceed their time budget', async () => {
    const input = randomName('ctl-gate-in');
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
    await produceRange(transport, input, 0, 50);
    const ids: string[] = [];
    const refused = async (filter: Record<string, unknown>): Promise<ControllerRequestError> => {
      ids.push(randomName('gate'));
      const m = { ...manifest(ids[ids.length - 1], input, ''), filter };
      const err = await client.request('POST', '/stages', { manifest: m }).then(
        () => undefined,
        (e: unknown) => e
      );
      expect(err).toBeInstanceOf(ControllerRequestError);
      return err as ControllerRequestError;
    };
    const bad = await refused({ language: 'sql', kind: 'yesno', source: 'no_such_column > 3' });
    expect(bad.status).toBe(422);
    expect(bad.message).toMatch(/no_such_column/);
    const throws = await refused({
      language: 'typescript',
      kind: 'yesno',
      source:
        "import { defineFilter } from '@alertlab/sdk';\nexport default defineFilter({ kind: 'yesno', fn: () => { throw new Error('boom on purpose'); } });\n"
    });
    expect(throws.status).toBe(422);
    expect(throws.message).toMatch(/boom on purpose/);
    const loops = await refused({
      language: 'typescript',
      kind: 'yesno',
      timeoutMs: 300,
      source:
        "import { defineFilter } from '@alertlab/sdk';\nexport default defineFilter({ kind: 'yesno', fn: () => { for (;;) {} } });\n"
    });
    expect(loops.status).toBe(422);
    expect(loops.message).toMatch(/time/i);
    // bad gate options are refused before any topic is made
    ids.push(randomName('gate'));
    const badGate = await client
      .request('POST', '/stages', {
        manifest: manifest(ids[ids.length - 1], input, ''),
        gate: { budgetMs: 5 }
      })
      .then(
        () => undefined,
        (e: unknown) => e as ControllerRequestError
      );
    expect(badGate?.status).toBe(400);
    expect((await client.request<{ stages: unknown[] }>('GET', '/stages')).stages).toEqual([]);
    // the output and dead-letter topics made while the gate ran were deleted with each refusal
    const admin = await transport.admin();
    try {
      const left = (await admin.listTopics()).filter(t => ids.some(id => t.startsWith(`${id}.`)));
      expect(left).toEqual([]);
    } finally {
      await admin.close();
    }
  });
});

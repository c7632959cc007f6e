/**
 * What the security tests run on each secured cluster (security-helpers.ts): produce and attach,
 * a stage killed with SIGKILL that still routes every alert exactly once, and the controller
 * deploying a stage — all through the settings `kafka start` printed, with the logs, errors,
 * `/stages` answers and metrics checked for secrets.
 */
import { expect } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import type { KafkaClientName } from '../sdk/src/buffer/transport.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  alertIdsOf,
  clientOf,
  launchController,
  lossAndDuplicates,
  makeControllerDirs,
  produceRange,
  readTopic,
  waitUntil
} from './controller-helpers.js';
import { capturingLogger, expectNoSecret, type SecureKafka } from './security-helpers.js';
import {
  committedTotal,
  produceValues,
  randomName,
  sleep,
  startStageProcess,
  waitFor,
  withTempDir
} from './stage-helpers.js';

/** Creates a topic, produces `n` small Rubin alerts and attaches until it has read them all. */
export async function produceAndAttach(
  kafka: SecureKafka,
  kafkaClient: KafkaClientName,
  n: number
): Promise<{ rows: number; logs: string[] }> {
  const { logger, lines } = capturingLogger();
  const client = await BufferClient.create({
    bootstrapServers: kafka.bootstrapServers,
    security: kafka.security,
    kafkaClient,
    logger
  });
  const topic = randomName(`sec-${kafkaClient}`);
  let rows = 0;
  try {
    await client.createTopics([{ topic, partitions: 2 }]);
    const small = smallRubinAlerts(0);
    const values = Array.from({ length: n }, (_, i) => small.make(i));
    await produceValues(client.transport, topic, values, { chunk: 500 });
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 60_000);
    try {
      for await (const b of client.attach(topic, {
        from: 'earliest',
        format: 'rubin',
        signal: stop.signal,
        logger
      })) {
        rows += b.batch.numRows;
        if (rows >= n) {
          stop.abort();
        }
      }
    } finally {
      clearTimeout(timer);
    }
    await client.deleteTopics([topic]);
  } finally {
    await client.close();
  }
  return { rows, logs: lines };
}

/** The stage manifest of the kill test: its own brokers and security, not the suite's. */
function stageManifest(kafka: SecureKafka, id: string, input: string): Record<string, unknown> {
  return {
    id,
    input: {
      topic: input,
      format: 'rubin',
      bootstrapServers: kafka.bootstrapServers.join(','),
      security: kafka.security
    },
    filter: {
      language: 'sql',
      kind: 'leftright',
      outputs: ['even', 'odd'],
      source: 'alertId % 2 = 0'
    },
    outputs: { even: `${id}-even`, odd: `${id}-odd` },
    payload: 'thin',
    thinColumns: ['alertId'],
    deadLetterTopic: `${id}-dlq`,
    batch: { maxRows: 500, maxWaitMs: 200 },
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
  };
}

/**
 * A stage worker (`alertlab stage run`, a child process) killed with SIGKILL mid-stream, a fresh
 * one taking over: the read_committed outputs hold every alert exactly once.
 */
export async function stageSurvivesKill(kafka: SecureKafka, alerts: number): Promise<void> {
  const client = await BufferClient.create({
    bootstrapServers: kafka.bootstrapServers,
    security: kafka.security
  });
  const id = randomName('sec-stage');
  const input = `${id}-in`;
  try {
    await client.createTopics([{ topic: input, partitions: 2 }]);
    const admin = await client.admin();
    const small = smallRubinAlerts(0);
    const values = Array.from({ length: alerts }, (_, i) => small.make(i));
    const half = Math.floor(alerts / 2);
    await produceValues(client.transport, input, values.slice(0, half), {
      chunk: 1000,
      key: i => String(i)
    });
    const manifest = stageManifest(kafka, id, input);
    await withTempDir(async dir => {
      let worker = await startStageProcess(manifest, dir);
      try {
        await waitFor(async () => (await committedTotal(admin, id, input)) > 0n, 120_000);
        await produceValues(client.transport, input, values.slice(half), {
          chunk: 1000,
          key: i => String(half + i)
        });
        await sleep(100);
        await worker.kill9();
        worker = await startStageProcess(manifest, dir);
        await waitFor(
          async () => (await committedTotal(admin, id, input)) === BigInt(alerts),
          120_000
        );
      } finally {
        const code = await worker.stop();
        const stderr = worker.stderr.join('');
        expectNoSecret(stderr + JSON.stringify(worker.lines), [kafka.password], 'stage output');
        if (code !== 0) {
          console.log(stderr.slice(-2000));
        }
      }
    });
    const out = await readTopic(client.transport, [`${id}-even`, `${id}-odd`], {
      min: alerts,
      idleMs: 1500,
      timeoutMs: 60_000
    });
    const ids = out.map(
      r =>
        (JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as { alertId: string }).alertId
    );
    expect({ records: ids.length, distinct: new Set(ids).size }).toEqual({
      records: alerts,
      distinct: alerts
    });
  } finally {
    await client.close();
  }
}

/**
 * A controller on the secured cluster: topics made through it, a stage deployed (the workers get
 * the controller's settings), every alert routed once; `/stages` and `/metrics` show no secret.
 */
export async function controllerDeploys(kafka: SecureKafka, secrets: string[]): Promise<void> {
  const dirs = await makeControllerDirs();
  let ctl: RunningController | undefined;
  const client = await BufferClient.create({
    bootstrapServers: kafka.bootstrapServers,
    security: kafka.security
  });
  try {
    ctl = await launchController(dirs, {
      bootstrapServers: kafka.bootstrapServers.join(','),
      security: kafka.security
    });
    const rest = clientOf(ctl);
    const id = randomName('sec-ctl');
    const input = `${id}-in`;
    await rest.request('POST', '/buffers/topics', { topic: input, partitions: 2 });
    const expected = await produceRange(client.transport, input, 0, 200);
    const deployed = await rest.request('POST', '/stages', {
      manifest: {
        id,
        input: { topic: input, format: 'rubin' },
        filter: { language: 'sql', kind: 'leftright', source: 'coalesce(mag, 99) < 20' },
        payload: 'full',
        batch: { maxRows: 200, maxWaitMs: 200 },
        consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
      },
      replicas: 1,
      author: 'test'
    });
    const outputs = deployed.outputTopics as Record<string, string>;
    await waitUntil(
      async () => Number((await rest.request('GET', `/stages/${id}`)).recordsIn) >= 200,
      120_000,
      `${id} to consume 200 records`
    );
    const routed = await readTopic(client.transport, [outputs.left, outputs.right], {
      min: 200,
      idleMs: 1500
    });
    expect(lossAndDuplicates(expected, alertIdsOf(routed))).toEqual({
      missing: [],
      duplicated: []
    });
    const answers = [
      JSON.stringify(deployed),
      JSON.stringify(await rest.request('GET', '/stages')),
      JSON.stringify(await rest.request('GET', `/stages/${id}`)),
      await (
        await fetch(`${ctl.url}/metrics`, { headers: { authorization: `Bearer ${ctl.token}` } })
      ).text()
    ];
    expectNoSecret(answers.join('\n'), secrets, 'controller answers');
    await rest.request('DELETE', `/stages/${id}`);
  } finally {
    await ctl?.close();
    await client.close();
    await dirs.remove();
  }
}

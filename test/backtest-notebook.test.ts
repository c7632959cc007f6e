/**
 * The notebook's backtest against a deployed stage and the controller's gate, on the real sample
 * alerts in a real Kafka topic. A Python process (the notebook) attaches the topic through the
 * engine, backtests a SQL switch and a Python switch with `alertlab.backtest`, and asks the
 * controller's gate (`POST /stages/backtest`, what promotion runs) to backtest the same filters;
 * then each filter — the very section the notebook shipped — is deployed as a stage. Every output
 * of the stage holds exactly the alerts the notebook's backtest routed there, and the gate's
 * routing digests equal the notebook's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeClient } from '../kernel-bridge/src/client.js';
import { BridgeEngine } from '../kernel-bridge/src/engine.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { StageRunner } from '../sdk/src/stage/runner.js';
import { launchController, makeControllerDirs, type ControllerDirs } from './controller-helpers.js';
import {
  FILTERS_DIR,
  PYTHON,
  alertIdsOf,
  bootstrapServers,
  produceValues,
  quietLogger,
  runStageUntil,
  randomName,
  readTopic,
  sampleValues,
  skipWithoutSamples,
  waitFor
} from './stage-helpers.js';

const run = promisify(execFile);

/** The notebook: attach, backtest in the engine, backtest on the controller's gate. */
const NOTEBOOK = `
import json, sys
import alertlab
from alertlab.backtesting import filter_section
sys.path.insert(0, sys.argv[4])
from py_filters import sample_switch

connection, topic, url, _, token = sys.argv[1:6]
client = alertlab.connect(connection, start=False)
batches = list(client.attach(topic, idle_timeout=3.0))
sql = alertlab.sql_filter(
    "CASE WHEN isMovingObject THEN 'sso' WHEN ndet >= 20 THEN 'long' END",
    kind="switch", outputs=["sso", "long", "other"], default="other", name="sql_switch")
out = {"alerts": sum(b.num_rows for b in batches)}
for name, f in (("sql", sql), ("python", sample_switch)):
    report = client.backtest(f, batches)
    if name == "python":  # exactly what alertlab.promote() ships to the gate
        gate = alertlab.controller.backtest_remote(f, topic, url=url, token_file=token)
    else:
        manifest = {"id": "gate-sql", "input": {"topic": topic}, "filter": filter_section(f)}
        gate = alertlab.controller._request(
            "POST", "/stages/backtest", {"manifest": manifest}, url, token, 120.0)["evidence"]
    out[name] = {
        "section": filter_section(f),
        "ids": {o: [str(i) for i in t["alertId"].to_pylist()] for o, t in report.routed.items()},
        "digests": {o: r.digest for o, r in report.outputs.items()},
        "dropped": report.dropped,
        "gate": {o["name"]: o["digest"] for o in gate["result"]["outputs"]},
        "gate_alerts": gate["sampledAlerts"],
    }
print(json.dumps(out))
`;

interface Notebook {
  alerts: number;
  [filter: string]: unknown;
}
interface FilterResult {
  section: Record<string, unknown>;
  ids: Record<string, string[]>;
  digests: Record<string, string>;
  dropped: number;
  gate: Record<string, string>;
  gate_alerts: number;
}

describe.skipIf(skipWithoutSamples())('notebook backtest vs deployed stage vs gate', () => {
  let transport: KafkaTransport;
  let dir: string;
  let dirs: ControllerDirs & { remove(): Promise<void> };
  let controller: RunningController;
  let engine: BridgeEngine;
  let input: string;
  let notebook: Notebook;
  let values: Uint8Array[];

  beforeAll(async () => {
    process.env.ALERTLAB_BOOTSTRAP_SERVERS ??= bootstrapServers().join(',');
    transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
    input = randomName('notebook-in');
    const admin = await transport.admin();
    await admin.createTopics([{ topic: input, partitions: 2 }]);
    await admin.close();
    values = await sampleValues();
    await produceValues(transport, input, values, { key: i => `k${i}` });
    await readTopic(transport, input, { min: values.length, idleMs: 300 });
    dir = await mkdtemp(join(tmpdir(), 'alertlab-notebook-'));
    dirs = await makeControllerDirs();
    controller = await launchController(dirs);
    engine = await BridgeEngine.create({ connectionFile: join(dir, 'bridge.json') });
    const script = join(dir, 'notebook.py');
    await writeFile(script, NOTEBOOK);
    const { stdout } = await run(
      PYTHON,
      [script, join(dir, 'bridge.json'), input, controller.url, FILTERS_DIR, dirs.tokenFile],
      { timeout: 150_000, maxBuffer: 16 << 20 }
    );
    notebook = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Notebook;
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    await controller?.close();
    await dirs?.remove();
    await transport?.close();
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the archive stage's Parquet of the same alerts backtests to the same routing", async () => {
    const id = randomName('nb-archive');
    const path = join(dir, 'archive');
    const runner = await StageRunner.create(
      {
        id,
        kind: 'archive',
        input: { topic: input, format: 'auto' },
        archive: { path, partitionBy: 'night', flushRows: 10, maxIdleMs: 300 },
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 16, maxWaitMs: 100 }
      },
      { bootstrapServers: bootstrapServers(), logger: quietLogger }
    );
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      await waitFor(() => runner.stats().alertsIn >= values.length, 90_000);
    } finally {
      stop.abort();
      await running;
      await runner.close();
    }
    const client = new BridgeClient(engine.info);
    try {
      for (const name of ['sql', 'python']) {
        const nb = notebook[name] as FilterResult;
        const reply = await client.request(
          'backtest_request',
          { filter: nb.section, archive: path, keep_rows: 1000 },
          { timeoutMs: 120_000 }
        );
        const outputs = reply.content.outputs as { name: string; digest: string }[];
        expect(reply.content.total_alerts).toBe(values.length);
        expect(reply.content.dead_lettered).toBe(0);
        expect(Object.fromEntries(outputs.map(o => [o.name, o.digest]))).toEqual(nb.digests);
        // real alerts from several nights: one night per day_obs
        const et = reply.content.event_time as { distinct_nights: number; nights: number };
        expect(et.nights).toBe(et.distinct_nights);
        expect(et.distinct_nights).toBeGreaterThan(1);
      }
    } finally {
      await client.close();
    }
  });

  for (const name of ['sql', 'python']) {
    it(`${name}: the stage's outputs hold exactly the alerts the notebook routed; the gate agrees`, async () => {
      expect(notebook.alerts).toBe(values.length);
      const nb = notebook[name] as FilterResult;
      // the gate backtested the same buffered alerts and routed them the same way
      expect(nb.gate_alerts).toBe(values.length);
      expect(nb.gate).toEqual(nb.digests);
      // deploy the section the notebook shipped, as promotion would
      const id = randomName(`nb-${name}`);
      const outputs = Object.keys(nb.ids);
      const topics = Object.fromEntries(outputs.map(o => [o, `${id}-${o}`]));
      const filter = nb.section;
      const stats = await runStageUntil(
        {
          id,
          input: { topic: input, format: 'auto' },
          filter: { ...filter, timeoutMs: 20_000 },
          outputs: topics,
          deadLetterTopic: `${id}-dlq`,
          batch: { maxRows: 16, maxWaitMs: 100 }
        },
        values.length,
        90_000
      );
      expect(stats.deadLettered).toBe(0);
      expect(stats.dropped).toBe(nb.dropped);
      const routed = Object.values(stats.out).reduce((a, b) => a + b, 0);
      const records = await readTopic(transport, Object.values(topics), {
        min: routed,
        idleMs: 1000
      });
      let compared = 0;
      for (const o of outputs) {
        const deployed = alertIdsOf(records.filter(r => r.topic === topics[o])).sort();
        expect(deployed, `output ${o}`).toEqual([...nb.ids[o]].sort());
        compared += deployed.length;
      }
      expect(compared).toBe(routed);
      expect(outputs.filter(o => nb.ids[o].length > 0).length).toBeGreaterThan(1);
    });
  }
});

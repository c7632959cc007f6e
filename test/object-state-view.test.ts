/**
 * The objects table for queries: materialised from a stage's changelog in embedded DuckDB,
 * refreshed incrementally; the controller's REST route and `alertlab.objects(sql, stage)` (Python)
 * answer from it. Real broker, real controller, real Python.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { ObjectsView } from '../sdk/src/state/view.js';
import { clientOf, launchController, makeControllerDirs, waitUntil } from './controller-helpers.js';
import { CANDID_BASE, plannedAlert } from './object-state-helpers.js';
import {
  PYTHON,
  produceValues,
  randomName,
  runStageUntil,
  useSuiteKafka
} from './stage-helpers.js';

const run = promisify(execFile);
const OBJECTS = 50;

async function produceWave(
  transport: Parameters<typeof produceValues>[0],
  topic: string,
  k: number
): Promise<void> {
  const wave = Array.from({ length: OBJECTS }, (_, o) => plannedAlert(o, k));
  await produceValues(
    transport,
    topic,
    wave.map(a => a.value),
    { key: i => wave[i].objectId }
  );
}

function manifest(id: string, input: string): Record<string, unknown> {
  return {
    id,
    input: { topic: input, format: 'json' },
    filter: { language: 'sql', kind: 'yesno', source: 'obj_nAlerts >= 2' },
    outputs: { pass: `${id}-pass` },
    deadLetterTopic: `${id}-dlq`,
    batch: { maxRows: 100, maxWaitMs: 100 },
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    objects: true
  };
}

describe('objects table (DuckDB view, REST, Python)', () => {
  const kafka = useSuiteKafka({ admin: true });
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
  });
  afterAll(async () => {
    await ctl?.close();
    await dirs?.remove();
  });

  it('a view follows the changelog; queries are one SELECT over objects', async () => {
    const { transport, admin } = kafka;
    const id = randomName('objview');
    const input = `${id}-in`;
    await admin.createTopics([{ topic: input, partitions: 2 }]);
    for (let k = 1; k <= 4; k++) {
      await produceWave(transport, input, k);
    }
    await runStageUntil(manifest(id, input), OBJECTS * 4, 90_000);
    const view = await ObjectsView.open(transport, { changelogTopic: `${id}-objects` });
    try {
      const t = await view.query(
        'SELECT objectId, nAlerts, ndet_g, ndet_r, peakMag_g, lastAlertId, rate_g FROM objects ORDER BY objectId'
      );
      expect(t.numRows).toBe(OBJECTS);
      const o7 = plannedAlert(7, 4);
      const row = t.toArray().find(r => r.objectId === o7.objectId);
      expect(row?.nAlerts).toBe(4);
      expect([row?.ndet_g, row?.ndet_r]).toEqual([2, 2]);
      expect(row?.peakMag_g).toBeCloseTo(19.7, 4); // g at k = 1, 3: 19.9, 19.7
      expect(row?.rate_g).toBeCloseTo(-0.1, 4); // 0.2 mag brighter over 2 days
      expect(row?.lastAlertId).toBe(o7.candid); // above 2^53, exact
      expect(o7.candid > CANDID_BASE).toBe(true);
      // one more alert per object: the next query sees it (the view reads only what is new)
      await produceWave(transport, input, 5);
      await runStageUntil(manifest(id, input), OBJECTS, 90_000);
      const after = await view.query('SELECT min(nAlerts) AS lo, max(nAlerts) AS hi FROM objects');
      expect(after.toArray()[0].toJSON()).toEqual({ lo: 5, hi: 5 });
      await expect(view.query('SELECT * FROM object_rows')).rejects.toThrow(/refused/);
      await expect(view.query("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/refused/);
    } finally {
      view.close();
    }
    await admin.deleteTopics([input, `${id}-pass`, `${id}-dlq`, `${id}-objects`]);
  }, 240_000);

  it('REST POST /stages/{id}/objects and alertlab.objects(sql, stage) in Python', async () => {
    const { transport } = kafka;
    const client = clientOf(ctl);
    const id = randomName('objrest');
    const input = `${id}-in`;
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 2 });
    for (let k = 1; k <= 3; k++) {
      await produceWave(transport, input, k);
    }
    await client.request('POST', '/stages', { manifest: manifest(id, input), replicas: 1 });
    const query = {
      sql: 'SELECT objectId, nAlerts, lastAlertId FROM objects WHERE nAlerts = 3 ORDER BY objectId'
    };
    let reply: Record<string, unknown> = {};
    await waitUntil(
      async () => {
        reply = await client.request('POST', `/stages/${id}/objects`, query);
        return reply.numRows === OBJECTS;
      },
      120_000,
      `${OBJECTS} objects with 3 alerts in ${id}`
    );
    const rows = reply.rows as unknown[][];
    expect(rows[0]).toEqual([plannedAlert(0, 3).objectId, 3, plannedAlert(0, 3).candid.toString()]);
    await expect(
      client.request('POST', `/stages/${id}/objects`, { sql: 'DELETE FROM objects' })
    ).rejects.toThrow(/422|refused/);
    const script = [
      'import json, sys, alertlab',
      `t = alertlab.objects(sys.argv[1], ${JSON.stringify(id)}, url=sys.argv[2], token_file=sys.argv[3])`,
      'print(json.dumps({"rows": t.num_rows, "types": [str(f.type) for f in t.schema],',
      '  "first": [str(v) for v in t.slice(0, 1).to_pylist()[0].values()]}))'
    ].join('\n');
    const { stdout } = await run(PYTHON, ['-c', script, query.sql, ctl.url, dirs.tokenFile], {
      env: { ...process.env }
    });
    const py = JSON.parse(stdout) as { rows: number; types: string[]; first: string[] };
    expect(py.rows).toBe(OBJECTS);
    expect(py.types).toEqual(['string', 'int32', 'int64']);
    expect(py.first).toEqual([
      plannedAlert(0, 3).objectId,
      '3',
      plannedAlert(0, 3).candid.toString()
    ]);
    await client.request('DELETE', `/stages/${id}`);
  }, 240_000);
});

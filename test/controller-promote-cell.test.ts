/**
 * `POST /stages/promote` (the JupyterLab "Promote filter" command's route) on a real controller and
 * Kafka: a `%%sql` switch cell and a Python `@alertlab.filter` switch cell become stages whose
 * manifests say what the cells declare, and route the real Rubin sample alike; a missing input and
 * a cell without a decorated function are 400s that say what to send.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingData, skipWithoutData } from '../sdk/src/alerts/testing/samples.js';
import { produceFile } from '../sdk/src/buffer/index.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { RUBIN_FILE } from './buffer-helpers.js';
import { bootstrapServers, launchController, makeControllerDirs } from './controller-helpers.js';
import { randomName } from './stage-helpers.js';

const SAMPLES = existsSync(RUBIN_FILE);
if (!SAMPLES) {
  console.warn(
    `POST /stages/promote tests skipped: the sample folder ${dirname(dirname(RUBIN_FILE))} is missing (see /work/shared/data/README.md)`
  );
}

const SQL_CELL = `%%sql --kind switch --outputs bright,faint,other --default other
CASE WHEN mag < 21.5 THEN 'bright' WHEN mag >= 21.5 THEN 'faint' END`;

const PYTHON_CELL = `import alertlab
import pyarrow as pa
import pyarrow.compute as pc


@alertlab.filter(
    kind="switch",
    outputs=["bright", "faint", "other"],
    default="other",
    columns=["mag"],
)
def by_brightness(batch: pa.RecordBatch):
    return pc.if_else(pc.less(batch["mag"], 21.5), "bright", "faint")
`;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
interface Evidence {
  sampledAlerts: number;
  result: { outputs: { name: string; count: number }[] };
}

describe.skipIf(skipWithoutData(missingData([RUBIN_FILE])))('POST /stages/promote', () => {
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  const input = randomName('promote-cell-in');

  const post = async (body: unknown): Promise<Reply> => {
    const res = await fetch(`${ctl.url}/stages/promote`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ctl.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const manifestOf = (id: string): Record<string, unknown> => {
    const rec = ctl.controller.registry.get(id);
    return ctl.controller.registry.version(id, rec.currentVersion).manifest;
  };
  const counts = (e: Evidence): Record<string, number> =>
    Object.fromEntries(e.result.outputs.map(o => [o.name, o.count]));

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
    await ctl.controller.buffer.createTopics([
      { topic: input, partitions: 2, replicationFactor: 1 }
    ]);
    await produceFile(input, RUBIN_FILE, { bootstrapServers: bootstrapServers().join(',') });
  });

  afterAll(async () => {
    const outputs = (ctl?.controller.registry.list() ?? []).flatMap(r =>
      Object.values(r.outputTopics)
    );
    await ctl?.controller.buffer.deleteTopics([input, ...outputs]).catch(() => undefined);
    await ctl?.close();
    await dirs?.remove();
  });

  it('deploys a %%sql switch cell and a Python switch cell with the manifests they declare', async () => {
    const sqlId = randomName('sqlcell');
    const sql = await post({
      source: SQL_CELL,
      input,
      id: sqlId,
      author: 'test',
      lineage: { notebook: 'filters.ipynb', cell: 2 }
    });
    expect(sql.status, JSON.stringify(sql.body)).toBe(201);
    expect(sql.body.version).toBe(1);
    expect(sql.body.outputTopics).toMatchObject({
      bright: `${sqlId}.bright`,
      faint: `${sqlId}.faint`,
      other: `${sqlId}.other`
    });
    const sqlEvidence = sql.body.evidence as Evidence;
    expect(sqlEvidence.sampledAlerts).toBe(7);
    const sqlCounts = counts(sqlEvidence);
    expect(sqlCounts.bright + sqlCounts.faint + sqlCounts.other).toBe(7);
    expect(sqlCounts.bright).toBeGreaterThan(0);
    expect(sqlCounts.faint).toBeGreaterThan(0);
    const sqlManifest = manifestOf(sqlId);
    expect(sqlManifest.input).toMatchObject({ topic: input });
    expect(sqlManifest.filter).toMatchObject({
      language: 'sql',
      kind: 'switch',
      outputs: ['bright', 'faint', 'other'],
      defaultOutput: 'other'
    });
    expect((sqlManifest.filter as { source: string }).source).not.toContain('%%sql');

    const py = await post({
      source: PYTHON_CELL,
      input,
      author: 'test',
      lineage: { notebook: 'filters.ipynb', cell: 3 }
    });
    expect(py.status, JSON.stringify(py.body)).toBe(201);
    expect(py.body.id).toBe('by-brightness');
    const pyManifest = manifestOf('by-brightness');
    expect(pyManifest.filter).toMatchObject({
      language: 'python',
      kind: 'switch',
      outputs: ['bright', 'faint', 'other'],
      defaultOutput: 'other'
    });
    // The stored manifest points at the version's filter file and the decorated function.
    expect((pyManifest.filter as { path: string }).path).toMatch(/:by_brightness$/);
    // The same routing in two languages: the gate's counts agree.
    expect(counts(py.body.evidence as Evidence)).toEqual(sqlCounts);
    const detail = await fetch(`${ctl.url}/stages/by-brightness`, {
      headers: { Authorization: `Bearer ${ctl.token}` }
    });
    const lineage = ((await detail.json()) as { lineage: { source: unknown } }).lineage;
    expect(lineage.source).toEqual({ notebook: 'filters.ipynb', cell: 3 });
  }, 120_000);

  it('counts the records of a narrowed topic list (GET /buffers/topics?match=)', async () => {
    const res = await fetch(`${ctl.url}/buffers/topics?match=${input}`, {
      headers: { Authorization: `Bearer ${ctl.token}` }
    });
    const body = (await res.json()) as { topics: { topic: string; records?: string }[] };
    expect(body.topics).toEqual([expect.objectContaining({ topic: input, records: '7' })]);
  });

  it('answers 400 naming "input" when the input topic is missing', async () => {
    const r = await post({ source: SQL_CELL });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain('"input"');
  });

  it('answers 400 with what to do for a Python cell without a decorated function', async () => {
    const r = await post({
      source:
        'import pyarrow.compute as pc\n\ndef bright(batch):\n    return pc.less(batch["mag"], 21)\n',
      input
    });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain('No @alertlab.filter function in the cell');
    expect(ctl.controller.registry.list().some(s => s.id === 'bright')).toBe(false);
  });

  it('answers 422 with the gate reason when the cell fails on the sample', async () => {
    const r = await post({
      source: PYTHON_CELL.replace(
        'pc.less(batch["mag"], 21.5)',
        'pc.less(batch["nosuch"], 1)'
      ).replace('def by_brightness', 'def broken'),
      input
    });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.details).toMatchObject({ reason: expect.stringMatching(/load|error/) });
    expect(ctl.controller.registry.list().some(s => s.id === 'broken')).toBe(false);
  }, 60_000);
});

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { syntheticAlerts, type SyntheticAlert } from '../../sdk/src/filter/synthetic.js';
import { StageRegistry } from '../../sdk/src/control/registry.js';
import { ParquetWriter } from '../../sdk/src/stage/parquet-writer.js';
import { archivePath } from './archive-source.js';
import { fromIpcBytes, toIpcBytes } from './arrow-ipc.js';
import type { BridgeClient } from './client.js';
import { RemoteError } from './errors.js';
import { repoRoot } from './connection.js';
import { withEngine } from './test-helpers.js';

const PY_FILTERS = join(repoRoot(), 'sdk', 'src', 'stage', 'testing', 'filters', 'py_filters.py');

interface Report {
  total_alerts: number;
  dropped: number;
  dead_lettered: number;
  chunks: number;
  outputs: { name: string; count: number; per_night: number | null; digest: string }[];
  dead_letters: { code: string; reason: string; alerts: number; chunks: number[] }[];
  event_time: { nights: number; distinct_nights: number; mjd_min: number; mjd_max: number } | null;
  rows_complete: boolean;
}

async function backtest(
  client: BridgeClient,
  content: Record<string, unknown>,
  batches: RecordBatch[] = []
): Promise<{ report: Report; rows: ReturnType<typeof fromIpcBytes> | undefined }> {
  const reply = await client.request('backtest_request', content, {
    buffers: batches.map(b => toIpcBytes(b)),
    timeoutMs: 120_000
  });
  return {
    report: reply.content as unknown as Report,
    rows: reply.buffers[0] ? fromIpcBytes(reply.buffers[0]) : undefined
  };
}

const bright = (r: SyntheticAlert) => r.mag !== null && r.mag < 19 && r.survey === 'rubin';

describe('backtest_request', () => {
  it('routes request batches like a stage: counts, routed rows with _output, yield per night', async () => {
    const a = syntheticAlerts(3000, 7);
    const b = syntheticAlerts(2500, 8);
    await withEngine({}, async (_e, client) => {
      const { report, rows } = await backtest(
        client,
        {
          filter: { language: 'sql', kind: 'yesno', source: "mag < 19 AND survey = 'rubin'" },
          batch_rows: 1000
        },
        [a.batch, b.batch]
      );
      const expected = [...a.rows, ...b.rows].filter(bright).length;
      expect(report.total_alerts).toBe(5500);
      expect(report.chunks).toBe(6); // 3 + 3 stage chunks of at most 1000 alerts
      expect(report.outputs[0].count).toBe(expected);
      expect(report.dropped).toBe(5500 - expected);
      expect(report.dead_lettered).toBe(0);
      const output = rows?.getChild('_output')?.toArray() as Int32Array;
      const ids = rows?.getChild('alertId');
      const routedIds = new Set<bigint>();
      output.forEach((k, i) => k === 0 && routedIds.add(ids?.get(i) as bigint));
      expect(routedIds).toEqual(new Set([...a.rows, ...b.rows].filter(bright).map(r => r.alertId)));
      expect(rows?.getChild('ndet')).not.toBeNull(); // lightcurve features were added
      // synthetic mjds lie within ~10 days (several nights): one night per night present
      const et = report.event_time;
      expect(et?.distinct_nights).toBeGreaterThan(1);
      expect(report.outputs[0].per_night).toBeCloseTo(expected / (et?.nights ?? 1), 6);
    });
  });

  it('dead-letters the chunks a Python filter fails on, with the reason, like a stage', async () => {
    const { batch, rows } = syntheticAlerts(200, 3);
    const chunkRows = 5; // ids step by 1000003: every tenth alert ends in 3
    let failed = 0;
    for (let i = 0; i < rows.length; i += chunkRows) {
      const chunk = rows.slice(i, i + chunkRows);
      failed += chunk.some(r => r.alertId % 10n === 3n) ? chunk.length : 0;
    }
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(200);
    await withEngine({}, async (_e, client) => {
      const { report, rows: back } = await backtest(
        client,
        {
          filter: {
            language: 'python',
            kind: 'yesno',
            path: `${PY_FILTERS}:moody`,
            timeoutMs: 20_000
          },
          batch_rows: chunkRows
        },
        [batch]
      );
      expect(report.dead_lettered).toBe(failed);
      expect(report.outputs[0].count).toBe(200 - failed);
      expect(report.dead_letters[0].code).toBe('filter-error');
      expect(report.dead_letters[0].reason).toMatch(
        /Filter failed on this batch: .*moody Python filter refuses alert/
      );
      const output = back?.getChild('_output')?.toArray() as Int32Array;
      expect(output.filter(k => k === -2).length).toBe(failed);
    });
  });

  it('reads an archive span through the same path and routes as the in-memory backtest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertlab-archive-'));
    const writer = await ParquetWriter.create();
    try {
      const a = syntheticAlerts(1500, 11);
      const night = join(dir, 'night=2026-01-02');
      await mkdir(night, { recursive: true });
      const all = Int32Array.from({ length: a.batch.numRows }, (_v, i) => i);
      await writer.write(
        a.batch,
        [all],
        [join(night, `t-p0-${'0'.padStart(20, '0')}-${'1499'.padStart(20, '0')}.parquet`)]
      );
      const filter = { language: 'sql', kind: 'leftright', source: 'ndet >= 5 AND mag < 20' };
      await withEngine({}, async (_e, client) => {
        const fromArchive = await backtest(client, {
          filter,
          archive: dir,
          nights: ['2026-01-01', '2026-01-03']
        });
        const inMemory = await backtest(client, { filter }, [a.batch]);
        expect(fromArchive.report.total_alerts).toBe(1500);
        expect(fromArchive.report.outputs).toEqual(inMemory.report.outputs);
        // nights the archive does not hold: a not-found that says what it holds (no empty report)
        const none = backtest(client, {
          filter,
          archive: dir,
          nights: ['2027-01-01', '2027-01-02']
        });
        await expect(none).rejects.toMatchObject({ code: 'not-found' });
        await expect(none).rejects.toThrow(/holds 2026-01-02 to 2026-01-02 \(1 night/);
      });
    } finally {
      writer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds an archive by its stage id in the controller registry, and refuses other stages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertlab-registry-'));
    try {
      const registry = await StageRegistry.open(dir);
      const now = new Date().toISOString();
      for (const [id, manifest] of [
        ['nightly', { id: 'nightly', kind: 'archive', archive: { path: '/data/nightly' } }],
        ['bright', { id: 'bright', kind: 'filter' }]
      ] as const) {
        const rec = {
          id,
          desired: 'stopped' as const,
          replicas: 1,
          currentVersion: 1,
          outputTopics: {},
          createdAt: now,
          updatedAt: now,
          versions: []
        };
        await registry.addVersion(rec, {
          version: 1,
          createdAt: now,
          author: 'test',
          sourceHash: '',
          lineage: {},
          manifest,
          manifestPath: '',
          evidence: {} as never
        });
      }
      expect(await archivePath('nightly', dir)).toBe('/data/nightly');
      expect(await archivePath(dir, join(dir, 'none'))).toBe(dir); // a directory is taken as is
      await expect(archivePath('bright', dir)).rejects.toThrow(/filter stage, not an archive/);
      await expect(archivePath('nope', dir)).rejects.toThrow(/stages: bright, nightly/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers a request without data or with a bad filter with a bad-request error', async () => {
    await withEngine({}, async (_e, client) => {
      const err = await client
        .request('backtest_request', { filter: { language: 'sql', kind: 'yesno', source: 'x' } })
        .catch((e: unknown) => e);
      expect((err as RemoteError).code).toBe('bad-request');
      expect((err as RemoteError).message).toMatch(/needs data/);
      const bad = await client
        .request(
          'backtest_request',
          { filter: { language: 'cobol', kind: 'yesno' } },
          {
            buffers: [toIpcBytes(syntheticAlerts(3).batch)]
          }
        )
        .catch((e: unknown) => e);
      expect((bad as RemoteError).code).toBe('bad-request');
    });
  });
});

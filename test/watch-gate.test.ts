/**
 * The watch columns in the controller's backtest gate and in a stage backtest: a stage whose SQL
 * filter is `in_watchlist(...) OR in_watchmap(...)` is deployed through the real controller onto a
 * topic that already holds the real sample alerts, so the gate runs the filter over them (before
 * the fix, the gate refused it: the sample had no `watchlists`/`watchmaps` columns). The gate's
 * counts, `POST /stages/backtest` and the deployed stage's output all match the routes computed
 * here from the alerts' own positions; `stageBacktest` (notebook backtests) gives the same counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../sdk/src/alerts/index.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import type { GateEvidence } from '../sdk/src/control/types.js';
import { parseStageManifest } from '../sdk/src/stage/manifest.js';
import { stageBacktest } from '../sdk/src/stage/stage-backtest.js';
import { createStageFilter } from '../sdk/src/stage/stage-filter.js';
import { mocFromCone } from '../sdk/src/watch/moc-build.js';
import { WatchmapStore } from '../sdk/src/watch/watchmap-store.js';
import { watchlistFromCsv } from '../sdk/src/watch/watchlist-source.js';
import { WatchlistStore } from '../sdk/src/watch/watchlist-store.js';
import { clientOf, launchController, makeControllerDirs } from './controller-helpers.js';
import {
  alertIdsOf,
  produceValues,
  randomName,
  readTopic,
  sampleValues,
  skipWithoutSamples,
  useSuiteKafka
} from './stage-helpers.js';

interface Alert {
  id: string;
  ra: number;
  dec: number;
}

describe.skipIf(skipWithoutSamples())('watch columns in the gate and in backtests', () => {
  const kafka = useSuiteKafka({ admin: true });
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  let dir: string;
  let values: Uint8Array[];
  let alerts: Alert[];
  let want: Set<string>;
  let watch: Record<string, unknown>;
  const source = "in_watchlist('gate-list') OR in_watchmap('gate-map')";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-watch-gate-'));
    values = await sampleValues();
    const { batch } = createDecoder('auto').decodeBatch(values);
    const [ids, ra, dec] = ['alertId', 'ra', 'dec'].map(c => batch.getChild(c));
    alerts = Array.from({ length: batch.numRows }, (_, i) => ({
      id: String(ids?.get(i)),
      ra: ra?.get(i) as number,
      dec: dec?.get(i) as number
    }));
    // the list: even alerts 1″ north of a source of radius 2″ (in), odd ones 5″ off (out);
    // the map: a 2″ cone on alert 1
    const rows = alerts.map((a, i) => `s${i},${a.ra},${a.dec + (i % 2 === 0 ? 1 : 5) / 3600},2`);
    const store = await WatchlistStore.open(join(dir, 'watchlists.duckdb'));
    await store.add('gate-list', watchlistFromCsv(['name,ra,dec,radius', ...rows].join('\n')));
    store.close();
    const a1 = alerts[1];
    await new WatchmapStore(join(dir, 'watchmaps')).put(
      'gate-map',
      mocFromCone(a1.ra, a1.dec, 2 / 3600, 16)
    );
    want = new Set([...alerts.filter((_, i) => i % 2 === 0).map(a => a.id), a1.id]);
    expect(want.size).toBeGreaterThan(1);
    expect(want.size).toBeLessThan(alerts.length);
    watch = {
      watchlists: ['gate-list'],
      watchmaps: ['gate-map'],
      watchlistPath: join(dir, 'watchlists.duckdb'),
      watchmapDir: join(dir, 'watchmaps')
    };
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
  });
  afterAll(async () => {
    await ctl?.close();
    await dirs?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('the gate passes a watch filter on a topic with alerts; the deployed stage routes the same', async () => {
    const client = clientOf(ctl);
    const id = randomName('watchgate');
    const input = `${id}-in`;
    await kafka.admin.createTopics([{ topic: input, partitions: 1 }]);
    await produceValues(kafka.transport, input, values);
    const manifest = {
      id,
      input: { topic: input, format: 'auto' },
      watch,
      filter: { language: 'sql', kind: 'yesno', source },
      outputs: { pass: `${id}-pass` },
      deadLetterTopic: `${id}-dlq`,
      batch: { maxRows: 1000, maxWaitMs: 200 }
    };
    const dry = (await client.request('POST', '/stages/backtest', { manifest })) as {
      evidence: GateEvidence;
    };
    expect(dry.evidence.sampledAlerts).toBe(alerts.length);
    expect(dry.evidence.result.outputs.map(o => [o.name, o.count])).toEqual([['pass', want.size]]);
    const deployed = (await client.request('POST', '/stages', { manifest, replicas: 1 })) as {
      evidence: GateEvidence;
    };
    expect(deployed.evidence.sampledAlerts).toBe(alerts.length);
    expect(deployed.evidence.result.outputs[0].count).toBe(want.size);
    try {
      const got = alertIdsOf(
        await readTopic(kafka.transport, `${id}-pass`, { min: want.size, idleMs: 1500 })
      );
      expect(new Set(got)).toEqual(want);
      expect(got.length).toBe(want.size);
    } finally {
      await client.request('DELETE', `/stages/${id}`);
      await kafka.admin.deleteTopics([input, `${id}-pass`, `${id}-dlq`]);
    }
  }, 60_000);

  it('stageBacktest (notebook backtests) adds the watch columns before the filter', async () => {
    const m = parseStageManifest({
      id: randomName('watchbt'),
      input: { topic: 'unused', format: 'auto' },
      watch,
      filter: { language: 'sql', kind: 'yesno', source },
      outputs: { pass: 'unused-pass' },
      deadLetterTopic: 'unused-dlq',
      batch: { maxRows: 4, maxWaitMs: 200 }
    });
    const filter = await createStageFilter(m.filter!, m.id);
    try {
      const { batch } = createDecoder('auto').decodeBatch(values);
      const r = await stageBacktest([batch], { manifest: m, filter });
      expect(r.deadLettered).toBe(0);
      expect(r.totalAlerts).toBe(alerts.length);
      expect(r.outputs[0].count).toBe(want.size);
      const routed = r.rows.flatMap(b => {
        const ids = b.getChild('alertId');
        const out = b.getChild('_output');
        return Array.from({ length: b.numRows }, (_, i) => [String(ids?.get(i)), out?.get(i)]);
      });
      expect(new Set(routed.filter(([, o]) => o === 0).map(([id]) => id))).toEqual(want);
    } finally {
      await filter.close();
    }
  }, 30_000);
});

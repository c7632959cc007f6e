/**
 * Watchlists and watchmaps end to end on the real broker: a filter stage whose SQL filter is
 * `in_watchlist(...) OR in_watchmap(...)` runs on the real sample alerts; a watchlist is then
 * replaced, another added and the watchmap removed while the same stage keeps running, and the
 * next alerts are routed by the new lists (no redeploy). Expected routes are computed here from
 * the alerts' own positions and the per-source radii.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { parseStageManifest } from '../sdk/src/stage/manifest.js';
import { StageRunner } from '../sdk/src/stage/runner.js';
import { mocFromCone } from '../sdk/src/watch/moc-build.js';
import { WatchmapStore } from '../sdk/src/watch/watchmap-store.js';
import { watchlistFromCsv, type WatchlistRows } from '../sdk/src/watch/watchlist-source.js';
import { WatchlistStore } from '../sdk/src/watch/watchlist-store.js';
import {
  alertIdsOf,
  bootstrapServers,
  createTopic,
  produceValues,
  quietLogger,
  randomName,
  readTopic,
  sampleValues,
  skipWithoutSamples,
  useSuiteKafka,
  waitFor
} from './stage-helpers.js';

interface Alert {
  id: string;
  ra: number;
  dec: number;
}

/** A source `offsetArcsec` north of (ra, dec). */
const north = (a: Alert, offsetArcsec: number): [number, number] => [
  a.ra,
  a.dec + offsetArcsec / 3600
];

function csv(rows: Array<[string, number, number, number]>): string {
  return ['name,ra,dec,radius', ...rows.map(r => r.join(','))].join('\n');
}

describe.skipIf(skipWithoutSamples())('watchlists and watchmaps in a running stage', () => {
  const kafka = useSuiteKafka();
  let dir: string;
  let values: Uint8Array[];
  let alerts: Alert[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-watch-'));
    values = await sampleValues();
    const { batch } = createDecoder('auto').decodeBatch(values);
    const ids = batch.getChild('alertId');
    const ra = batch.getChild('ra');
    const dec = batch.getChild('dec');
    alerts = Array.from({ length: batch.numRows }, (_, i) => ({
      id: String(ids?.get(i)),
      ra: ra?.get(i) as number,
      dec: dec?.get(i) as number
    }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('routes by watchlists (per-source radii) and watchmaps, and follows list changes without a redeploy', async () => {
    const wlPath = join(dir, 'watchlists.duckdb');
    const wmDir = join(dir, 'watchmaps');
    // list A: even alerts at 1.5″ inside a 2″ radius (match); odd alerts at 3″ outside a 2.5″ radius
    const listA: Array<[string, number, number, number]> = alerts.map((a, i) =>
      i % 2 === 0 ? [`a${i}`, ...north(a, 1.5), 2] : [`a${i}`, ...north(a, 3), 2.5]
    );
    const store = await WatchlistStore.open(wlPath);
    const first = await store.add('list-a', watchlistFromCsv(csv(listA)), { source: 'test' });
    expect(first.sources).toBe(alerts.length);
    expect(first.maxRadiusArcsec).toBe(2.5);
    // a watchmap: a 30″ cone around the last alert
    const last = alerts[alerts.length - 1];
    const maps = new WatchmapStore(wmDir);
    await maps.put('cone-last', mocFromCone(last.ra, last.dec, 30 / 3600, 14));
    const sep = (a: Alert, b: Alert): number =>
      Math.hypot((a.ra - b.ra) * Math.cos((a.dec * Math.PI) / 180), a.dec - b.dec) * 3600;
    const inMap = new Set(alerts.filter(a => sep(a, last) < 30).map(a => a.id));

    const input = randomName('watch-in');
    const output = randomName('watch-out');
    await createTopic(kafka.transport, input, 1);
    const manifest = parseStageManifest({
      id: randomName('watch-stage'),
      input: { topic: input, format: 'auto' },
      watch: { watchlists: '*', watchmaps: '*', watchlistPath: wlPath, watchmapDir: wmDir },
      filter: {
        language: 'sql',
        kind: 'yesno',
        source:
          "in_watchlist('list-a') OR in_watchlist('list-b') OR (in_watchmap('cone-last') AND watchlistMatches = 0)"
      },
      outputs: { pass: output },
      deadLetterTopic: randomName('watch-dlq'),
      batch: { maxRows: 1000, maxWaitMs: 200 }
    });
    const runner = await StageRunner.create(manifest, {
      bootstrapServers: bootstrapServers(),
      logger: quietLogger
    });
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      await produceValues(kafka.transport, input, values);
      await waitFor(() => runner.stats().recordsIn >= values.length, 60_000);
      const round1 = alertIdsOf(await readTopic(kafka.transport, output, { min: 1, idleMs: 1500 }));
      const want1 = new Set([...alerts.filter((_, i) => i % 2 === 0).map(a => a.id), ...inMap]);
      expect(new Set(round1)).toEqual(want1);
      expect(round1.length).toBe(want1.size);

      // while the stage runs: list A replaced (odd alerts now match), list B added for alert 0
      // with a per-source radius that just holds it, the watchmap removed
      const listA2: Array<[string, number, number, number]> = alerts.map((a, i) =>
        i % 2 === 1 ? [`a${i}`, ...north(a, 2.9), 3] : [`a${i}`, ...north(a, 10), 9.5]
      );
      await store.add('list-a', watchlistFromCsv(csv(listA2)), { replace: true });
      const listB: WatchlistRows = watchlistFromCsv(csv([['b0', ...north(alerts[0], 4), 4.2]]));
      await store.add('list-b', listB);
      expect(await maps.remove('cone-last')).toBe(true);
      expect((await store.list()).map(l => l.name)).toEqual(['list-a', 'list-b']);

      await produceValues(kafka.transport, input, values);
      await waitFor(() => runner.stats().recordsIn >= 2 * values.length, 60_000);
      const all = alertIdsOf(
        await readTopic(kafka.transport, output, { min: round1.length + 1, idleMs: 1500 })
      );
      const round2 = all.slice(round1.length);
      const want2 = new Set([...alerts.filter((_, i) => i % 2 === 1).map(a => a.id), alerts[0].id]);
      expect(new Set(round2)).toEqual(want2);
      expect(round2.length).toBe(want2.size);
    } finally {
      stop.abort();
      await running;
      await runner.close();
      store.close();
    }
  });
  it('a Python filter routes by alertlab.in_watchlist / in_watchmap on the same columns', async () => {
    const wlPath = join(dir, 'py-watchlists.duckdb');
    const wmDir = join(dir, 'py-watchmaps');
    const store = await WatchlistStore.open(wlPath);
    // every third alert on the list (1″ off, radius 2″); the first alert in the map
    const rows: Array<[string, number, number, number]> = alerts
      .filter((_, i) => i % 3 === 0)
      .map((a, i) => [`p${i}`, ...north(a, 1), 2]);
    await store.add('list-p', watchlistFromCsv(csv(rows)));
    store.close();
    await new WatchmapStore(wmDir).put(
      'map-p',
      mocFromCone(alerts[1].ra, alerts[1].dec, 2 / 3600, 16)
    );
    const module = join(dir, 'watch_filters.py');
    await writeFile(
      module,
      [
        'import alertlab',
        '',
        '@alertlab.filter(kind="yesno", columns=["watchlists", "watchmaps"])',
        'def watched(batch):',
        '    listed = alertlab.in_watchlist(batch, "list-p")',
        '    mapped = alertlab.in_watchmap(batch, "map-p")',
        '    return [bool(a or b) for a, b in zip(listed, mapped)]',
        ''
      ].join('\n')
    );
    const input = randomName('watch-py-in');
    const output = randomName('watch-py-out');
    await createTopic(kafka.transport, input, 1);
    const manifest = parseStageManifest({
      id: randomName('watch-py-stage'),
      input: { topic: input, format: 'auto' },
      watch: {
        watchlists: ['list-p'],
        watchmaps: ['map-p'],
        watchlistPath: wlPath,
        watchmapDir: wmDir
      },
      filter: { language: 'python', kind: 'yesno', path: `${module}:watched` },
      outputs: { pass: output },
      deadLetterTopic: randomName('watch-py-dlq'),
      batch: { maxRows: 1000, maxWaitMs: 200 }
    });
    const runner = await StageRunner.create(manifest, {
      bootstrapServers: bootstrapServers(),
      logger: quietLogger
    });
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      await produceValues(kafka.transport, input, values);
      await waitFor(() => runner.stats().recordsIn >= values.length, 90_000);
      const got = alertIdsOf(await readTopic(kafka.transport, output, { min: 1, idleMs: 1500 }));
      const want = new Set([...alerts.filter((_, i) => i % 3 === 0).map(a => a.id), alerts[1].id]);
      expect(new Set(got)).toEqual(want);
      expect(got.length).toBe(want.size);
    } finally {
      stop.abort();
      await running;
      await runner.close();
    }
  });
});

/**
 * Watchlists and watchmaps through the controller's REST routes, driven from Python
 * (`alertlab.watch`): an astropy Table with radii as angles, an astropy-written VOTable, a mocpy
 * MOC, a cone; the list/remove routes and their errors; the store the stages read holds exactly
 * what was uploaded.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { WatchmapStore } from '../sdk/src/watch/watchmap-store.js';
import { WatchlistStore } from '../sdk/src/watch/watchlist-store.js';
import { readMemoryCatalog } from '../sdk/src/catalog/memory.js';
import { launchController, makeControllerDirs, type ControllerDirs } from './controller-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const ready = existsSync(PYTHON);
if (!ready && process.env.CI === 'true') {
  throw new Error('.venv is missing under CI=true: run bash scripts/setup.sh');
}

const SCRIPT = String.raw`
import json, sys
import astropy.units as u
import numpy as np
from astropy.table import Table
from mocpy import MOC
import pandas as pd
import alertlab
from alertlab import watch
from alertlab.controller import ControllerError
url, token, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(url=url, token_file=token)
out = {}
t = Table({"name": ["sn-a", "sn-b", "sn-c"], "ra": [10.0, 359.9999, 150.5] * u.deg,
           "dec": [-5.0, 0.1, 89.99] * u.deg, "radius": [0.05, 0.1, 0.02] * u.arcmin})
info = alertlab.watchlist_upload("sne", t, **kw)
out["first"] = [info.sources, info.max_radius_arcsec]
try:
    alertlab.watchlist_upload("sne", t, **kw)
except ControllerError as e:
    out["dup"] = e.status
# a VOTable as astropy writes it, no radius column: the default radius applies
v = Table({"name": [f"s{i}" for i in range(1000)], "ra": np.linspace(0, 359, 1000),
           "dec": np.linspace(-80, 80, 1000)})
v.write(f"{tmp}/list.xml", format="votable", overwrite=True)
info2 = watch.watchlist_upload("sne", f"{tmp}/list.xml", radius=7.5, replace=True, **kw)
out["replaced"] = [info2.sources, info2.max_radius_arcsec, info2.version > info.version]
watch.watchlist_upload("other", {"name": ["x"], "ra": [1.0], "dec": [2.0], "radius": [4.0]}, **kw)
try:
    watch.watchlist_upload("bad", {"name": ["x"], "ra": [1.0], "dec": [2.0], "radius": [-1]}, **kw)
except ControllerError as e:
    out["bad"] = e.status
out["lists"] = [[l.name, l.sources] for l in watch.watchlists(**kw)]
watch.watchlist_remove("other", **kw)
try:
    watch.watchlist_remove("other", **kw)
except ControllerError as e:
    out["missing"] = e.status
m = MOC.from_cone(lon=0 * u.deg, lat=0 * u.deg, radius=1 * u.deg, max_depth=9)
out["moc"] = watch.watchmap_upload("seam", m, **kw).cells
out["cone"] = alertlab.watchmap_upload("cone", cone=(20.0, 30.0, 0.5), depth=12, **kw).depth
out["maps"] = [x.name for x in watch.watchmaps(**kw)]
df = pd.DataFrame({"watchlists": [",sne,", None, ",other,sne,"], "watchmaps": [None, ",seam,", ",cone,"]})
out["helpers"] = [alertlab.in_watchlist(df, "sne").tolist(), alertlab.in_watchmap(df, "seam").tolist(),
                  alertlab.in_watchlist({"watchlists": ",other,"}, "other")]
print(json.dumps(out))
`;

describe.skipIf(!ready)(
  'watchlists and watchmaps over REST from Python (skipped: no .venv)',
  () => {
    let dirs: ControllerDirs & { remove(): Promise<void> };
    let ctl: RunningController;
    beforeAll(async () => {
      dirs = await makeControllerDirs();
      process.env.ALERTLAB_WATCHLISTS = join(dirs.root, 'watchlists.duckdb');
      process.env.ALERTLAB_WATCHMAPS = join(dirs.root, 'watchmaps');
      ctl = await launchController(dirs);
    });
    afterAll(async () => {
      await ctl?.close();
      delete process.env.ALERTLAB_WATCHLISTS;
      delete process.env.ALERTLAB_WATCHMAPS;
      await dirs?.remove();
    });

    it('uploads, replaces, lists and removes; stages read what was uploaded', async () => {
      // asynchronously: the controller answering Python runs in this process
      const { stdout } = await promisify(execFile)(
        PYTHON,
        ['-c', SCRIPT, ctl.url, dirs.tokenFile, dirs.root],
        {
          env: { ...process.env, PYTHONPATH: join(ROOT, 'kernel-bridge', 'python') },
          encoding: 'utf8'
        }
      );
      const out = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
      expect(out.first).toEqual([3, 6]); // 0.1′ = 6″
      expect(out.dup).toBe(409);
      expect(out.replaced).toEqual([1000, 7.5, true]);
      expect(out.bad).toBe(400);
      expect(out.lists).toEqual([
        ['other', 1],
        ['sne', 1000]
      ]);
      expect(out.missing).toBe(404);
      expect(out.moc).toBeGreaterThan(10);
      expect(out.cone).toBe(12);
      expect(out.maps).toEqual(['cone', 'seam']);
      expect(out.helpers).toEqual([[true, false, true], [false, true, false], true]);

      const store = await WatchlistStore.open(process.env.ALERTLAB_WATCHLISTS, { readOnly: true });
      try {
        const cat = await readMemoryCatalog(store.store, 'sne', ['radius']);
        expect(cat.rows).toBe(1000);
        expect(new Set(cat.columns.radius.values as Float64Array)).toEqual(new Set([7.5]));
        expect((await store.list()).map(l => l.name)).toEqual(['sne']);
      } finally {
        store.close();
      }
      const maps = new WatchmapStore(process.env.ALERTLAB_WATCHMAPS);
      const seam = await maps.get('seam');
      expect(seam.contains(0.2, 0.1)).toBe(true);
      expect(seam.contains(359.8, -0.1)).toBe(true);
      expect(seam.contains(2, 0)).toBe(false);
    });
  }
);

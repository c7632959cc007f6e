import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int64, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CatalogStore } from '../../sdk/src/catalog/store.js';
import { toIpcBytes } from './arrow-ipc.js';
import { backtestService } from './backtest-service.js';
import { Lazy } from './lazy.js';

describe('Lazy', () => {
  it('shares what it made, and tries again after a failure', async () => {
    let calls = 0;
    const lazy = new Lazy(async () => {
      calls++;
      if (calls === 1) {
        throw new Error('not yet');
      }
      return calls;
    });
    await expect(lazy.get()).rejects.toThrow('not yet');
    expect(await lazy.get()).toBe(2);
    expect(await lazy.get()).toBe(2);
    expect(calls).toBe(2);
    expect(await lazy.take()).toBe(2);
    expect(await lazy.take()).toBeUndefined();
  });
});

describe('backtest service', () => {
  it('cross-matches once the catalog store exists, after a backtest that found none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertlab-lazy-'));
    const catalogPath = join(dir, 'catalogs.duckdb');
    const service = backtestService({ catalogPath, controllerDir: join(dir, 'controller') });
    const batch = new Table({
      alertId: vectorFromArray([2n ** 60n + 1n, 2n ** 60n + 2n], new Int64()),
      ra: vectorFromArray([10.5, 200.25], new Float64()),
      dec: vectorFromArray([-30.125, 45.5], new Float64()),
      mjd: vectorFromArray([61000.6, 61000.7], new Float64())
    }).batches[0];
    const request = {
      filter: { language: 'sql', kind: 'yesno', source: 'xm_stars_count > 0' },
      crossmatch: [{ name: 'stars', radius_arcsec: 1 }]
    };
    try {
      await expect(service.backtest(request, [toIpcBytes(batch)])).rejects.toThrow(
        /No catalog store/
      );
      // the user loads a catalog, as the message says: a star on the first alert
      await writeFile(join(dir, 'stars.csv'), 'id,ra,dec\n7,10.5,-30.125\n');
      const store = await CatalogStore.open(catalogPath);
      await store.load('stars', join(dir, 'stars.csv'));
      store.close();
      const reply = await service.backtest(request, [toIpcBytes(batch)]);
      const outputs = reply.content.outputs as { name: string; count: number }[];
      expect(outputs.find(o => o.name === 'pass')?.count).toBe(1);
    } finally {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

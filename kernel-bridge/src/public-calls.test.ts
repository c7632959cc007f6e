/**
 * Every public request of the engine answers with a result, asserted here on real services
 * (sdkServices over a real DuckDB catalog store in a temp folder; memory topics for topics and
 * attach): topics, cone, crossmatch, and a backtest with cross-match columns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int64, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../sdk/src/catalog/store.js';
import { fromIpcBytes, fromIpcParts, toIpcBytes } from './arrow-ipc.js';
import { MemoryTopics } from './memory-topics.js';
import { sdkServices } from './sdk-services.js';
import { withEngine } from './test-helpers.js';

let dir = '';
let catalogPath = '';

/** Three stars; alerts sit 1″ and 30″ from the first and nowhere near the others. */
const STARS = new Table({
  id: vectorFromArray([101n, 102n, 103n], new Int64()),
  ra: vectorFromArray([10, 50, 200], new Float64()),
  dec: vectorFromArray([20, -30, 45], new Float64()),
  vmag: vectorFromArray([9.5, 11, 7.25], new Float64())
});
const ARCSEC = 1 / 3600;
const ALERTS = new Table({
  alertId: vectorFromArray([1n, 2n, 3n], new Int64()),
  ra: vectorFromArray([10 + ARCSEC / Math.cos((20 * Math.PI) / 180), 10, 120], new Float64()),
  dec: vectorFromArray([20, 20 + 30 * ARCSEC, -10], new Float64()),
  mag: vectorFromArray([18, 19, 20], new Float64())
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertlab-calls-'));
  catalogPath = join(dir, 'catalogs.duckdb');
  const store = await CatalogStore.open(catalogPath);
  try {
    await store.load('stars', { kind: 'arrow', table: STARS });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function engineServices() {
  const sdk = await sdkServices({ catalogPath });
  return new MemoryTopics().set('calls.alerts', ALERTS).instead(sdk);
}

describe('public engine calls', () => {
  it('topics lists the memory topics of a --no-sdk engine', async () => {
    await withEngine({ services: await engineServices() }, async (_e, client) => {
      const reply = await client.request('topics_request');
      expect(reply.content.topics).toEqual([{ name: 'calls.alerts', source: 'memory' }]);
    });
  });

  it('cone returns the catalog rows within the radius', async () => {
    await withEngine({ services: await engineServices() }, async (_e, client) => {
      const reply = await client.request('cone_request', {
        ra_deg: 10,
        dec_deg: 20,
        radius_arcsec: 5,
        catalog: 'stars'
      });
      const rows = fromIpcBytes(reply.buffers[0]);
      expect(reply.content.num_rows).toBe(1);
      expect(rows.getChild('catalogId')?.get(0)).toBe(101n);
      expect(rows.getChild('separationArcsec')?.get(0)).toBeCloseTo(0, 6);
    });
  });

  it('crossmatch pairs each alert with the stars within the radius', async () => {
    await withEngine({ services: await engineServices() }, async (_e, client) => {
      const reply = await client.request(
        'crossmatch_request',
        { catalogs: ['stars'], radius_arcsec: 2 },
        { buffers: [toIpcBytes(ALERTS)] }
      );
      const pairs = fromIpcParts(reply.buffers);
      expect(pairs.numRows).toBe(1);
      expect(pairs.getChild('alertRow')?.get(0)).toBe(0);
      expect(pairs.getChild('separationArcsec')?.get(0)).toBeCloseTo(1, 3);
    });
  });

  it('backtest adds the cross-match columns a stage would, and the filter reads them', async () => {
    await withEngine({ services: await engineServices() }, async (_e, client) => {
      const reply = await client.request(
        'backtest_request',
        {
          filter: { language: 'sql', kind: 'yesno', source: 'xm_stars_count > 0' },
          crossmatch: [{ name: 'stars', radius_arcsec: 40, columns: ['vmag'] }]
        },
        { buffers: [toIpcBytes(ALERTS)] }
      );
      const rows = fromIpcBytes(reply.buffers[0]);
      expect((reply.content.outputs as { count: number }[])[0].count).toBe(2);
      expect(rows.getChild('xm_stars_count')?.toArray()).toEqual(new Int32Array([1, 1, 0]));
      expect(rows.getChild('xm_stars_id')?.get(1)).toBe(101n);
      expect(rows.getChild('xm_stars_vmag')?.get(0)).toBe(9.5);
      expect(rows.getChild('_output')?.toArray()).toEqual(new Int32Array([0, 0, -1]));
    });
  });
});

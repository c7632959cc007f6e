import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticAlerts } from '../../sdk/src/filter/synthetic.js';
import { toIpcBytes } from './arrow-ipc.js';
import { backtestService } from './backtest-service.js';

const TS_FILTER = `import { defineFilter } from '@alertlab/sdk';
export default defineFilter({ kind: 'yesno', columns: ['mag'],
  fn: (batch, cols) => Array.from({ length: batch.numRows },
    (_, i) => ((cols.mag.get(i) as number | null) ?? 99) < 19) });
`;

let home: string;
let saved: string | undefined;
beforeEach(async () => {
  saved = process.env.ALERTLAB_HOME;
  home = await mkdtemp(join(tmpdir(), 'alertlab-home-')); // a home outside the repository
  process.env.ALERTLAB_HOME = home;
});
afterEach(async () => {
  if (saved === undefined) {
    delete process.env.ALERTLAB_HOME;
  } else {
    process.env.ALERTLAB_HOME = saved;
  }
  await rm(home, { recursive: true, force: true });
});

describe('backtest of a TypeScript filter', () => {
  it("resolves '@alertlab/sdk' when ALERTLAB_HOME is outside the repository", async () => {
    const { batch, rows } = syntheticAlerts(200, 5);
    const service = backtestService({ controllerDir: join(home, 'controller') });
    try {
      const reply = await service.backtest(
        { filter: { language: 'typescript', kind: 'yesno', source: TS_FILTER } },
        [toIpcBytes(batch)]
      );
      const outputs = reply.content.outputs as { name: string; count: number }[];
      const bright = rows.filter(r => (r.mag ?? 99) < 19).length;
      expect(bright).toBeGreaterThan(0);
      expect(outputs).toEqual([expect.objectContaining({ name: 'pass', count: bright })]);
    } finally {
      await service.close();
    }
  });
});

/**
 * Issue #15 part 3 (soak): batches through the sandboxed Python filter host must leave nothing
 * behind in the host. The soak's Python stage grew ~250 MB/hour: each batch's wait hung a reaction
 * on the worker's long-lived `exited` promise, which kept the race and its reply (~2 KB of heap and
 * ~4 KB of external buffers) until the worker ended. Heap plus external memory after a forced gc
 * are compared between batch 100 and batch 3,100.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './python/connection-file.js';
import { withPythonFilterHost } from './python-host.js';
import { syntheticAlerts } from './synthetic.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function heapAfterGcMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise(r => setImmediate(r));
  }
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
}

describe('Python filter host memory', () => {
  it('3,100 batches: host heap + external after gc stay flat', async () => {
    const python = join(repoRoot(), '.venv', 'bin', 'python');
    if (!existsSync(python)) {
      throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
    }
    const filter = `${join(repoRoot(), 'kernel-bridge', 'python', 'tests', 'sample_filters.py')}:by_mag`;
    await withPythonFilterHost({ filter, python, batchTimeoutMs: 20_000 }, async host => {
      // distinct batches, as a stage decodes a fresh one each time
      const batches = [1, 2, 3, 4, 5].map(s => syntheticAlerts(200, s).batch);
      let heap0 = 0;
      for (let i = 1; i <= 3100; i++) {
        const r = await host.evaluate(batches[i % batches.length]);
        expect(r.index.length).toBe(200);
        if (i === 100) {
          heap0 = await heapAfterGcMb();
        }
      }
      // before the fix: +8 MB here (~3 KB a batch of 200); after: flat within noise
      const growth = (await heapAfterGcMb()) - heap0;
      console.log(`python host: heap + external growth over 3,000 batches ${growth.toFixed(2)} MB`);
      expect(growth).toBeLessThan(3);
      expect(host.restarts).toBe(0);
    });
  }, 120_000);
});

/**
 * Issue #15 part 3 (soak): batches through the sandboxed TypeScript filter host must not leave
 * anything behind, neither in the host (frames, Arrow tables, listeners, promises per batch) nor
 * in the filter's child process. Heap plus external memory after a forced gc and the child's VmRSS are compared
 * between batch 100 and batch 600 (600,000 alerts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadTypeScriptFilter } from './factories.js';
import { syntheticAlerts } from './synthetic.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** VmRSS (MB) of every descendant of this process (one scan of /proc). */
async function childrenRssMb(): Promise<number> {
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (/^\d+$/.test(name)) {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      if (stat) {
        parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      }
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        return true;
      }
    }
    return false;
  };
  let sum = 0;
  for (const pid of parent.keys()) {
    if (isDescendant(pid)) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      sum += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    }
  }
  return sum;
}

async function heapAfterGcMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise(r => setImmediate(r));
  }
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20; // external includes ArrayBuffers (IPC frames)
}

describe('TypeScript filter host memory', () => {
  it('600 batches of 1,000 alerts: host heap + external and child RSS stay flat', async () => {
    const path = fileURLToPath(new URL('./fixtures/bright-switch.ts', import.meta.url));
    expect((await readFile(path, 'utf8')).length).toBeGreaterThan(0);
    const filter = await loadTypeScriptFilter(path);
    try {
      // distinct batches, as a stage decodes a fresh one each time
      const batches = [1, 2, 3, 4, 5].map(s => syntheticAlerts(1000, s).batch);
      let heap0 = 0;
      let child0 = 0;
      for (let i = 1; i <= 600; i++) {
        const r = await filter.evaluate(batches[i % batches.length]);
        expect(r.index.length).toBe(1000);
        if (i === 100) {
          heap0 = await heapAfterGcMb();
          child0 = await childrenRssMb();
        }
      }
      const heapGrowth = (await heapAfterGcMb()) - heap0;
      const childGrowth = (await childrenRssMb()) - child0;
      expect(child0).toBeGreaterThan(10); // the child was measured
      expect(heapGrowth).toBeLessThan(8);
      expect(childGrowth).toBeLessThan(32);
      expect(filter.restarts).toBe(0);
    } finally {
      await filter.close();
    }
  }, 120_000);
});

/**
 * The V8 setting the confluent consumer and the alert columns make (external-memory.ts), in processes of their own (a V8 flag is
 * process-wide): a stream of 240 KB Buffers, as the package hands over fetched alerts, with a
 * window of 50 alive, brings full mark-compacts under V8's default (one per 64 MB) and none or
 * far fewer with the setting — which is made only when the environment opts in.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

const SCRIPT = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { accountExternalMemoryInHeapLimit } from ${JSON.stringify(join(HERE, 'external-memory.ts'))};
const applied = accountExternalMemoryInHeapLimit();
let major = 0;
const obs = new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  }
});
obs.observe({ entryTypes: ['gc'] });
const alive = [];
for (let i = 0; i < 2000; i++) {
  const b = Buffer.alloc(240 * 1024);
  b[0] = 1;
  alive.push(b);
  if (alive.length > 50) alive.shift();
  if (i % 100 === 0) await new Promise(r => setImmediate(r));
}
await new Promise(r => setTimeout(r, 100));
obs.disconnect();
console.log(JSON.stringify({ applied, major, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
`;

async function churn(env: Record<string, string>) {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', SCRIPT],
    { cwd: HERE, env: { ...process.env, ...env } }
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
    applied: boolean;
    major: number;
    rssMb: number;
  };
}

describe('external memory in the heap limit', () => {
  it('470 MB of 240 KB Buffers: full collections under the default, far fewer with the setting', async () => {
    const [withFlag, without] = await Promise.all([
      churn({ ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT: '1' }),
      churn({ ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT: '' })
    ]);
    expect(withFlag.applied).toBe(true);
    expect(without.applied).toBe(false);
    expect(without.major).toBeGreaterThanOrEqual(3);
    // relative, not an absolute count (V8's heuristics vary): under half the default's collections
    expect(withFlag.major).toBeLessThan(without.major / 2);
    // memory stays bounded: the global limit still collects the dropped Buffers
    expect(withFlag.rssMb).toBeLessThan(without.rssMb + 200);
  }, 60_000);
});

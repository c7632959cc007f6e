/**
 * Focused soak of one sandboxed TypeScript filter host, without Kafka: sends --batches synthetic
 * batches of --rows through WorkerTypeScriptFilter and samples, every --every batches, the host's
 * heap (after a forced gc when run with --expose-gc) and the VmRSS of the host and of each
 * descendant (the sandboxed filter child) separately. Prints one JSON line per sample.
 *   node --expose-gc --import tsx bench/lib/soak-filter-probe.ts --batches 3000 --rows 1000
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadTypeScriptFilter } from '../../sdk/src/filter/factories.js';
import { syntheticAlerts } from '../../sdk/src/filter/synthetic.js';
import { processTree, rssMb } from './proc-rss.js';

const { values: a } = parseArgs({
  options: {
    batches: { type: 'string', default: '3000' },
    rows: { type: 'string', default: '1000' },
    every: { type: 'string', default: '250' },
    memory: { type: 'string' }
  }
});
const fixture = fileURLToPath(
  new URL('../../sdk/src/filter/fixtures/bright-switch.ts', import.meta.url)
);
const filter = await loadTypeScriptFilter(fixture, {
  ...(a.memory ? { memoryLimitMb: Number(a.memory) } : {})
});
const batches = [1, 2, 3, 4].map(s => syntheticAlerts(Number(a.rows), s).batch);
const gc = (globalThis as { gc?: () => void }).gc;
const t0 = Date.now();
for (let i = 0; i <= Number(a.batches); i++) {
  await filter.evaluate(batches[i % batches.length]);
  if (i % Number(a.every) === 0) {
    gc?.();
    const tree = (await processTree(process.pid)).filter(p => p !== process.pid);
    const kids = await Promise.all(tree.map(async p => Math.round(await rssMb(p))));
    const h = process.memoryUsage();
    console.log(
      JSON.stringify({
        batch: i,
        s: Math.round((Date.now() - t0) / 1000),
        hostRss: Math.round(h.rss / 2 ** 20),
        hostHeap: Math.round(h.heapUsed / 2 ** 20),
        hostExt: Math.round((h.external + h.arrayBuffers) / 2 ** 20),
        children: kids
      })
    );
  }
}
await filter.close();

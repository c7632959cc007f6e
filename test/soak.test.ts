/**
 * The soak machinery in short (bench/soak.ts runs it for 30 minutes): a controller deploys one
 * stage of every kind (SQL yes/no, SQL switch, cross-match, TypeScript and Python filters in their
 * sandboxes, aggregate windows, watchlist) as real worker processes on the simulator's feed at
 * 300 alerts/s; for ~35 s the RSS of every worker's process tree is sampled from /proc. Each stage
 * must consume the feed, and none may grow by more than {@link GROWTH_BOUND_MB} after a 15 s
 * warm-up (a stage keeping every alert it saw — 300/s of decoded alerts — passes that within the
 * run; V8's own heap growth at start stays well under it). The 30-minute slopes are in
 * bench/results/soak.json.
 */
import { describe, expect, it } from 'vitest';
import { runSoak, type SoakResult } from '../bench/lib/soak-rig.js';
import { bootstrapServers } from './buffer-helpers.js';

const GROWTH_BOUND_MB = 200;
const KINDS = [
  'sql-yesno',
  'sql-switch',
  'crossmatch',
  'typescript',
  'python',
  'aggregate',
  'watch'
];

describe('soak machinery (short)', () => {
  it('every kind of stage runs on the feed and its RSS stays bounded after warm-up', async () => {
    const lines: string[] = [];
    let result: SoakResult;
    try {
      result = await runSoak({
        ratePerSecond: 300,
        visitIntervalS: 3,
        durationS: 35,
        warmupS: 15,
        sampleEveryS: 5,
        watchlistSources: 2000,
        parallelDeploy: true,
        bootstrapServers: bootstrapServers().join(','),
        log: line => lines.push(line)
      });
    } catch (error) {
      throw new Error(`soak failed; its log:\n${lines.join('\n')}`, { cause: error });
    }
    const summary = result.stages.map(s => ({
      kind: s.kind,
      growthMb: s.growthAfterWarmupMb,
      records: s.samples[s.samples.length - 1].recordsIn
    }));
    console.log(`soak (short): produced ${result.produced}; ${JSON.stringify(summary)}`);
    expect(result.stages.map(s => s.kind)).toEqual(KINDS);
    expect(result.produced).toBeGreaterThan(5000);
    for (const s of result.stages) {
      const last = s.samples[s.samples.length - 1];
      // every worker (and its sandbox) was measured, and it consumed most of what was produced
      expect(
        s.samples.every(x => x.workerRssMb > 20),
        s.kind
      ).toBe(true);
      expect(last.recordsIn, `${s.kind}: ${JSON.stringify(summary)}`).toBeGreaterThan(
        result.produced / 4
      );
      expect(s.growthAfterWarmupMb, `${s.kind}: ${JSON.stringify(summary)}`).not.toBeNull();
      expect(s.growthAfterWarmupMb as number, `${s.kind}: ${JSON.stringify(summary)}`).toBeLessThan(
        GROWTH_BOUND_MB
      );
    }
    // the sandboxes are children of their workers and are counted in the tree
    const ts = result.stages.find(s => s.kind === 'typescript');
    const py = result.stages.find(s => s.kind === 'python');
    expect(ts?.samples.at(-1)?.processes).toBeGreaterThan(1);
    expect(py?.samples.at(-1)?.processes).toBeGreaterThan(1);
  }, 170_000);
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STAGE_HEAP_MB, stageHeapMb, workerCommand } from './worker.js';

describe('stage worker heap cap', () => {
  it('defaults, reads ALERTLAB_STAGE_HEAP_MB, and refuses what is not whole MiB in range', () => {
    expect(stageHeapMb({})).toBe(DEFAULT_STAGE_HEAP_MB);
    expect(stageHeapMb({ ALERTLAB_STAGE_HEAP_MB: '' })).toBe(DEFAULT_STAGE_HEAP_MB);
    expect(stageHeapMb({ ALERTLAB_STAGE_HEAP_MB: '2048' })).toBe(2048);
    for (const bad of ['abc', '12', '1.5', '-1', '99999']) {
      expect(() => stageHeapMb({ ALERTLAB_STAGE_HEAP_MB: bad })).toThrow(
        /whole MiB from 64 to 16384/
      );
    }
  });

  it('the worker command gives V8 that cap (heap_size_limit follows it)', () => {
    const limitMb = (heapMb: number): number => {
      const { command, args } = workerCommand('stage.json', 1000, heapMb);
      const flag = args.find(a => a.startsWith('--max-old-space-size='));
      expect(flag).toBe(`--max-old-space-size=${heapMb}`);
      const out = execFileSync(
        command,
        [flag!, '-p', "require('v8').getHeapStatistics().heap_size_limit"],
        { encoding: 'utf8' }
      );
      return Number(out) / 2 ** 20;
    };
    const small = limitMb(256);
    const large = limitMb(2048);
    // heap_size_limit = old space cap + young generation; the cap must move it by the difference.
    expect(small).toBeLessThan(256 + 256); // without the flag: a quarter of RAM (4 GiB here)
    expect(large - small).toBeGreaterThan(1700);
  });
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseStageManifest } from '../stage/manifest.js';
import { DEFAULT_STAGE_HEAP_MB, stageHeapMb, workerCommand, workerHeapMb } from './worker.js';

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

describe('which heap cap a stage gets', () => {
  it('manifest first; V8 own limit for object-state and aggregate stages; else ALERTLAB_STAGE_HEAP_MB, else 512', () => {
    expect(workerHeapMb({}, {})).toBe(DEFAULT_STAGE_HEAP_MB);
    expect(workerHeapMb({ objects: {} }, {})).toBeUndefined();
    expect(workerHeapMb({ objects: {} }, { ALERTLAB_STAGE_HEAP_MB: '3000' })).toBeUndefined();
    expect(workerHeapMb({ kind: 'aggregate' }, {})).toBeUndefined();
    expect(workerHeapMb({ kind: 'aggregate', worker: { heapMb: 4096 } }, {})).toBe(4096);
    expect(workerHeapMb({ objects: false }, {})).toBe(DEFAULT_STAGE_HEAP_MB);
    expect(workerHeapMb({}, { ALERTLAB_STAGE_HEAP_MB: '1024' })).toBe(1024);
    expect(workerHeapMb({ worker: { heapMb: 2048 } }, { ALERTLAB_STAGE_HEAP_MB: '1024' })).toBe(
      2048
    );
    expect(workerHeapMb({ worker: { heapMb: 96 }, objects: {} }, {})).toBe(96);
    expect(workerCommand('m.json', 1000, undefined).args.some(a => a.includes('max-old'))).toBe(
      false
    );
  });

  it('a manifest validates worker.heapMb', () => {
    const base = {
      id: 'heap-test',
      input: { topic: 'in' },
      filter: { language: 'sql', kind: 'yesno', source: 'SELECT alertId FROM alerts' },
      outputs: { pass: 'out' },
      deadLetterTopic: 'dlq'
    };
    expect(parseStageManifest({ ...base, worker: { heapMb: 1024 } }).worker).toEqual({
      heapMb: 1024
    });
    expect(parseStageManifest(base).worker).toBeUndefined();
    expect(() => parseStageManifest({ ...base, worker: { heapMb: 10 } })).toThrow(/worker\.heapMb/);
    expect(() => parseStageManifest({ ...base, worker: { heap: 1024 } })).toThrow(/heap/);
  });
});

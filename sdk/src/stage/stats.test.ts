import { describe, expect, it } from 'vitest';
import { CHUNK_PHASES, chunkPhases, startChunkTiming } from './chunk-timing.js';
import { StageCounters } from './stats.js';

function timing(handed: number, step: number) {
  const t = startChunkTiming(3, [], handed);
  const marks = [
    'startedAtMs',
    'decodedAtMs',
    'turnAtMs',
    'enrichedAtMs',
    'routedAtMs',
    'commitStartAtMs',
    'producedAtMs',
    'offsetsAtMs',
    'committedAtMs'
  ] as const;
  marks.forEach((m, i) => (t[m] = handed + (i + 1) * step));
  return t;
}

describe('chunk phases', () => {
  it('add up to handed-over → committed', () => {
    const t = timing(1000, 2);
    const d = chunkPhases(t);
    expect(Object.keys(d)).toEqual([...CHUNK_PHASES]);
    expect(Object.values(d).reduce((a, b) => a + b)).toBeCloseTo(t.committedAtMs - t.handedAtMs);
    expect(d.commit).toBeCloseTo(2);
  });

  it('StageCounters sums them per phase and tells listeners', () => {
    const c = new StageCounters('s', 'filter');
    const heard: number[] = [];
    const off = c.onChunk(t => heard.push(t.partition));
    c.observeChunk(timing(0, 1));
    c.observeChunk(timing(0, 3));
    off();
    c.observeChunk(timing(0, 5));
    expect(heard).toEqual([3, 3]);
    const s = c.snapshot();
    expect(s.phases.produce).toEqual({ chunks: 3, sumMs: 9, maxMs: 5 });
    expect(Object.keys(s.phases)).toEqual([...CHUNK_PHASES]);
  });
});

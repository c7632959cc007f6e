import { describe, expect, it } from 'vitest';
import { StageManifestError } from '../errors.js';
import { parseStageManifest, safeParseStageManifest } from './manifest.js';

const base = {
  id: 'bright-g',
  input: { topic: 'alerts' },
  filter: {
    language: 'sql',
    kind: 'switch',
    outputs: ['bright', 'other'],
    defaultOutput: 'other',
    source: "CASE WHEN mag < 19 THEN 'bright' END"
  },
  outputs: { bright: 'alerts-bright', other: 'alerts-other' },
  deadLetterTopic: 'alerts-dlq'
};

describe('stage manifest', () => {
  it('fills defaults', () => {
    const m = parseStageManifest(base);
    expect(m.kind).toBe('filter');
    expect(m.payload).toBe('full');
    expect(m.input.format).toBe('auto');
    expect(m.batch).toEqual({ maxRows: 5000, maxWaitMs: 500, maxBytes: 8 << 20 });
    expect(m.filter?.timeoutMs).toBe(2000);
    expect(m.filter?.memoryLimitMb).toBe(256);
    expect(m.filter?.threads).toBe(1);
    expect(m.consumer.groupProtocol).toBe('classic');
  });

  it('takes the KIP-848 consumer group protocol and refuses others', () => {
    const m = parseStageManifest({ ...base, consumer: { groupProtocol: 'consumer' } });
    expect(m.consumer.groupProtocol).toBe('consumer');
    const r = safeParseStageManifest({ ...base, consumer: { groupProtocol: 'eager' } });
    expect(r.ok ? [] : r.issues.map(i => i.path)).toEqual(['consumer.groupProtocol']);
  });

  it('bounds the SQL sandbox resources a manifest may ask for', () => {
    const r = safeParseStageManifest({
      ...base,
      filter: { ...base.filter, memoryLimitMb: 1_000_000, threads: 64 }
    });
    expect(r.ok ? [] : r.issues.map(i => i.path)).toEqual([
      'filter.memoryLimitMb',
      'filter.threads'
    ]);
    const ok = parseStageManifest({ ...base, filter: { ...base.filter, memoryLimitMb: 64 } });
    expect(ok.filter?.memoryLimitMb).toBe(64);
  });

  it('lists every issue with its path', () => {
    const r = safeParseStageManifest({
      ...base,
      id: 'bad id!',
      payload: 'fat',
      outputs: { bright: 'alerts-bright', extra: 'x' },
      batch: { maxRows: 0 },
      typo: 1
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map(i => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['id', 'payload', 'outputs', 'outputs.extra', 'batch.maxRows', 'typo'])
    );
  });

  it('throws a StageManifestError naming the fields', () => {
    expect(() =>
      parseStageManifest({ ...base, filter: { ...base.filter, source: undefined } })
    ).toThrow(StageManifestError);
    expect(() => parseStageManifest({ ...base, deadLetterTopic: undefined })).toThrow(
      /deadLetterTopic: is required/
    );
  });

  it('checks aggregate and archive sections', () => {
    const agg = safeParseStageManifest({
      id: 'w',
      kind: 'aggregate',
      input: { topic: 'a' },
      aggregate: { topic: 'w', windowSeconds: 60, hopSeconds: 120, groupBy: 'band', value: 'mag' },
      deadLetterTopic: 'd'
    });
    expect(agg.ok ? [] : agg.issues.map(i => i.path)).toEqual(['aggregate.hopSeconds']);
    const arc = parseStageManifest({
      id: 'a',
      kind: 'archive',
      input: { topic: 'a' },
      archive: { path: '/tmp/x' },
      deadLetterTopic: 'd'
    });
    expect(arc.archive).toEqual({
      path: '/tmp/x',
      partitionBy: 'night',
      flushRows: 10_000,
      maxIdleMs: 5000
    });
  });
});

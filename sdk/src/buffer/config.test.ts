import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferConfigError } from '../errors.js';
import {
  bufferSetOfTopic,
  loadBuffersConfig,
  parseBuffersConfig,
  safeParseBuffersConfig,
  selectBufferSet,
  topicConfigsOf
} from './config.js';

const good = {
  bufferSets: [
    {
      name: 'alerts',
      bootstrapServers: 'local',
      partitions: 6,
      replicationFactor: 1,
      retentionMs: 86_400_000,
      topics: ['rubin-raw', 'ztf-raw']
    },
    { name: 'remote', bootstrapServers: 'k1:9092, k2:9092', topics: ['x'] }
  ]
};

describe('buffer set config', () => {
  it('accepts a valid config and fills defaults', () => {
    const result = safeParseBuffersConfig(good);
    expect(result.ok).toBe(true);
    const config = parseBuffersConfig(good);
    expect(config.bufferSets[1]).toMatchObject({
      partitions: 1,
      replicationFactor: 1,
      configs: {}
    });
    expect(topicConfigsOf(config.bufferSets[0])).toEqual({ 'retention.ms': '86400000' });
    expect(bufferSetOfTopic(config, 'ztf-raw')?.name).toBe('alerts');
    expect(selectBufferSet(config, 'remote').topics).toEqual(['x']);
    expect(() => selectBufferSet(config)).toThrow(/--set/);
    expect(() => selectBufferSet(config, 'nope')).toThrow(
      /No buffer set "nope".*have: alerts, remote/
    );
  });

  it('takes a Kafka client per buffer set and rejects an unknown one', () => {
    const set = { name: 's', bootstrapServers: 'local', topics: ['t'] };
    const config = parseBuffersConfig({ bufferSets: [{ ...set, kafkaClient: 'confluent' }] });
    expect(config.bufferSets[0].kafkaClient).toBe('confluent');
    expect(parseBuffersConfig({ bufferSets: [set] }).bufferSets[0].kafkaClient).toBeUndefined();
    const bad = safeParseBuffersConfig({ bufferSets: [{ ...set, kafkaClient: 'rdkafka' }] });
    expect(bad.ok ? [] : bad.issues).toEqual([
      {
        path: 'bufferSets[0].kafkaClient',
        message: 'must be one of: kafkajs, confluent, platformatic'
      }
    ]);
  });

  it('reports every issue with its path', () => {
    const result = safeParseBuffersConfig({
      bufferSets: [
        {
          name: 'a b',
          bootstrapServers: 'nohost',
          partitions: 0,
          topics: ['ok', 'ok', 'bad/name'],
          extra: 1
        },
        { name: 'x', bootstrapServers: 'h:99999', replicationFactor: 1.5, topics: [] }
      ]
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map(i => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bufferSets[0].extra',
        'bufferSets[0].name',
        'bufferSets[0].bootstrapServers',
        'bufferSets[0].partitions',
        'bufferSets[0].topics[1]',
        'bufferSets[0].topics[2]',
        'bufferSets[1].bootstrapServers',
        'bufferSets[1].replicationFactor',
        'bufferSets[1].topics'
      ])
    );
  });

  it('rejects duplicate set names and a missing bufferSets array', () => {
    const dup = safeParseBuffersConfig({
      bufferSets: [
        { name: 'a', bootstrapServers: 'local', topics: ['t'] },
        { name: 'a', bootstrapServers: 'local', topics: ['u'] }
      ]
    });
    expect(dup.ok ? [] : dup.issues.map(i => i.message)).toEqual(['"a" is used twice']);
    expect(safeParseBuffersConfig({}).ok).toBe(false);
    expect(() => parseBuffersConfig([], 'test.json')).toThrow(BufferConfigError);
  });

  it('loads a file and says what is wrong with a broken one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-config-'));
    try {
      const path = join(dir, 'b.json');
      writeFileSync(path, JSON.stringify(good));
      expect((await loadBuffersConfig(path)).config.bufferSets).toHaveLength(2);
      writeFileSync(path, '{ not json');
      await expect(loadBuffersConfig(path)).rejects.toThrow(/not valid JSON/);
      await expect(loadBuffersConfig(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the repository default config is valid and has a local set', async () => {
    const path = join(import.meta.dirname, '..', '..', '..', 'alertlab.buffers.json');
    const { config } = await loadBuffersConfig(path);
    const local = selectBufferSet(config, 'local');
    expect(local.bootstrapServers).toBe('local');
    expect(local.topics).toEqual(
      expect.arrayContaining(['alerts-rubin', 'alerts-ztf', 'alerts-deadletter'])
    );
  });
});

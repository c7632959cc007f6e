/** `alertlab buffer create|list|describe` against the real broker, with a temporary config file. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withBuffer } from '../sdk/src/buffer/client.js';
import { collect } from './buffer-fixtures.js';
import { bootstrapServers, quietLogger, randomName } from './buffer-helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');

let dir: string;
let topics: string[];
let config: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(BIN, ['buffer', ...args], {
      env: { ...process.env, ALERTLAB_LOG_LEVEL: 'error' }
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertlab-buffer-cli-'));
  topics = [randomName('cli-a'), randomName('cli-b')];
  config = join(dir, 'alertlab.buffers.json');
  writeFileSync(
    config,
    JSON.stringify({
      bufferSets: [
        {
          name: 'test',
          bootstrapServers: bootstrapServers().join(','),
          partitions: 3,
          retentionMs: 3_600_000,
          topics
        }
      ]
    })
  );
});
afterEach(async () => {
  await withBuffer(c => c.deleteTopics(topics), {
    bootstrapServers: bootstrapServers(),
    logger: quietLogger
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('alertlab buffer', () => {
  it('creates a buffer set idempotently, lists it and describes a topic with its groups', async () => {
    const first = await cli('create', '--config', config);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`${topics[0]}\\s+created`));
    const again = await cli('create', '--config', config, '--json');
    expect(JSON.parse(again.stdout)).toEqual([{ set: 'test', created: [], existing: topics }]);

    const group = randomName('cli-g');
    await withBuffer(
      async c => {
        await c.produce(topics[0], ['a', 'b', 'c'], { partition: 1 });
        // not alerts: they come back as rejects, and a batch of rejects commits like any other
        const got = await collect(
          signal => c.attach(topics[0], { group, maxBatchRows: 1, signal }),
          1,
          { onBatch: b => b.commit() }
        );
        expect(got.rejects).toHaveLength(1);
      },
      { bootstrapServers: bootstrapServers(), logger: quietLogger }
    );

    const list = JSON.parse((await cli('list', '--config', config, '--json')).stdout) as Array<{
      topic: string;
      partitions: number;
      records: string;
    }>;
    expect(list.map(r => [r.topic, r.partitions, r.records])).toEqual([
      [topics[0], 3, '3'],
      [topics[1], 3, '0']
    ]);

    const text = await cli('describe', topics[0], '--config', config);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR\s+LOW\s+END/);
    expect(text.stdout).toContain(`Group ${group}`);
    const report = JSON.parse(
      (await cli('describe', topics[0], '--config', config, '--json')).stdout
    ) as {
      partitions: Array<{ partition: number; high: string }>;
      groups: Array<{
        groupId: string;
        partitions: Array<{ partition: number; committedOffset: string | null; lag: string }>;
      }>;
    };
    expect(report.partitions.map(p => p.high)).toEqual(['0', '3', '0']);
    const g = report.groups.find(x => x.groupId === group);
    expect(g?.partitions.find(p => p.partition === 1)).toMatchObject({
      committedOffset: '1',
      lag: '2'
    });
  });

  it('explains a bad config and a missing topic', async () => {
    writeFileSync(
      config,
      JSON.stringify({ bufferSets: [{ name: 'x', bootstrapServers: 'nohost', topics: [] }] })
    );
    const bad = await cli('create', '--config', config);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bufferSets\[0\]\.bootstrapServers/);
    expect(bad.stderr).toMatch(/bufferSets\[0\]\.topics/);
    const missing = await cli(
      'describe',
      randomName('nope'),
      '--bootstrap',
      bootstrapServers().join(',')
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});

/**
 * The local Kafka launcher against real JVMs, each suite in its own temporary ALERTLAB_HOME and
 * port range (29092.. and 29292..) so the shared local Kafka (19092) is never touched.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KafkaStartError, PortInUseError } from '../sdk/src/errors.js';
import { LocalKafka, probeMetadata, resolveBootstrap } from '../sdk/src/buffer/local/index.js';
import type { ClusterState } from '../sdk/src/buffer/local/index.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');

async function withTempHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'alertlab-kafka-test-'));
  try {
    return await fn(home);
  } finally {
    await LocalKafka.stop({ home, timeoutMs: 10_000 }); // never leave a JVM behind
    rmSync(home, { recursive: true, force: true });
  }
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(home: string, ...args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ALERTLAB_HOME: home };
  delete env.ALERTLAB_KAFKA_PORT;
  try {
    const { stdout, stderr } = await promisify(execFile)(BIN, ['kafka', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const readState = (home: string): ClusterState =>
  JSON.parse(readFileSync(join(home, 'kafka', 'state.json'), 'utf8')) as ClusterState;

describe('alertlab kafka (one node)', () => {
  it('starts, reports, refuses a second start politely, survives a crash, stops', async () => {
    await withTempHome(async home => {
      const started = await cli(home, 'start', '--port', '29092');
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toMatch(/started \(1 node, [\d.]+ s\): 127\.0\.0\.1:29092/);
      const state = readState(home);
      expect(state.nodes[0]).toMatchObject({ nodeId: 1, brokerPort: 29092, controllerPort: 29192 });
      expect(existsSync(state.nodes[0].logFile)).toBe(true);

      const meta = await probeMetadata('127.0.0.1', 29092);
      expect(meta.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: 29092 }]);
      expect(meta.clusterId).toBe(state.clusterId);
      expect(await resolveBootstrap('local', { home })).toBe('127.0.0.1:29092');

      const status = await cli(home, 'status', '--json');
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true, healthy: true });

      const again = await cli(home, 'start');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('already running (1 node): 127.0.0.1:29092');
      expect(again.stdout).toContain(join(home, 'kafka', 'state.json'));
      expect(readState(home).nodes[0].pid).toBe(state.nodes[0].pid);

      // A crash leaves a stale state file: status says so, stop clears it.
      process.kill(state.nodes[0].pid, 'SIGKILL');
      await expect.poll(async () => (await cli(home, 'status')).code, { timeout: 10_000 }).toBe(3);
      const cleared = await cli(home, 'stop');
      expect(cleared.code).toBe(0);
      expect(cleared.stdout).toContain('was not running');
      expect(existsSync(join(home, 'kafka', 'state.json'))).toBe(false);

      // Started again on the same data (same cluster id), then a clean stop.
      const restarted = await cli(home, 'start', '--port', '29092');
      expect(restarted.code, restarted.stderr).toBe(0);
      expect(readState(home).clusterId).toBe(state.clusterId);
      const stopped = await cli(home, 'stop');
      expect(stopped.stdout).toMatch(/node 1 \(pid \d+\): stopped/);
      expect(existsSync(join(home, 'kafka', 'state.json'))).toBe(false);
      await expect(probeMetadata('127.0.0.1', 29092, 500)).rejects.toThrow();
      expect((await cli(home, 'status')).code).toBe(3);
    });
  });

  it('refuses a busy port with a message that says what to do', async () => {
    const squatter = createServer();
    await new Promise<void>(resolve => squatter.listen(29592, '127.0.0.1', resolve));
    try {
      await withTempHome(async home => {
        const attempt = LocalKafka.start({ home, port: 29592 });
        await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
        await expect(attempt).rejects.toThrow(
          /29592 \(broker 1\).*--port \d+.*ALERTLAB_KAFKA_PORT/s
        );
        const viaCli = await cli(home, 'start', '--port', '29592');
        expect(viaCli.code).toBe(1);
        expect(viaCli.stderr).toContain('already in use');
        expect(existsSync(join(home, 'kafka', 'state.json'))).toBe(false);
      });
    } finally {
      await new Promise(resolve => squatter.close(resolve));
    }
  });
});

describe('alertlab kafka failures', () => {
  it('reports a node that dies during startup with its log and JVM output', async () => {
    await withTempHome(async home => {
      const attempt = LocalKafka.start({ home, port: 29692, heap: 'not-a-size' });
      await expect(attempt).rejects.toBeInstanceOf(KafkaStartError);
      await expect(attempt).rejects.toThrow(
        new RegExp(
          `exited during startup.*${join(home, 'kafka', 'node-1', 'server.log')}.*heap`,
          's'
        )
      );
      expect(existsSync(join(home, 'kafka', 'state.json'))).toBe(false);
    });
  });

  it('gives up after the timeout, names the log file and leaves no JVM behind', async () => {
    await withTempHome(async home => {
      const attempt = LocalKafka.start({ home, port: 29792, timeoutMs: 1 });
      await expect(attempt).rejects.toThrow(
        new RegExp(`did not answer within 0.001 s.*Read the log: .*node-1/server\\.log`, 's')
      );
      expect(existsSync(join(home, 'kafka', 'state.json'))).toBe(false);
      expect(await LocalKafka.find({ home })).toBeUndefined();
      await expect(probeMetadata('127.0.0.1', 29792, 500)).rejects.toThrow();
    });
  });
});

describe('alertlab kafka --nodes 3', () => {
  it('comes up with 3 brokers and survives stopping and restarting one node', async () => {
    await withTempHome(async home => {
      const t0 = Date.now();
      const kafka = await LocalKafka.start({ home, nodes: 3, port: 29292 });
      const startMs = Date.now() - t0;
      expect(kafka.alreadyRunning).toBe(false);
      expect(kafka.bootstrapServers).toBe('127.0.0.1:29292,127.0.0.1:29293,127.0.0.1:29294');
      const ids = async (): Promise<number[]> =>
        (await kafka.describeCluster()).brokers.map(b => b.nodeId);
      expect(await ids()).toEqual([1, 2, 3]);

      const t1 = Date.now();
      expect(await kafka.stopNode(3)).toBe('terminated');
      const stopMs = Date.now() - t1;
      expect(await ids()).toEqual([1, 2]);
      const down = await kafka.status();
      expect(down).toMatchObject({ running: true, healthy: false });
      expect(down.nodes.map(n => n.alive)).toEqual([true, true, false]);

      const t2 = Date.now();
      await kafka.startNode(3);
      const rejoinMs = Date.now() - t2;
      expect(await ids()).toEqual([1, 2, 3]);
      for (const port of [29292, 29293, 29294]) {
        const meta = await probeMetadata('127.0.0.1', port);
        expect(meta.brokers.map(b => b.port)).toEqual([29292, 29293, 29294]);
      }
      expect((await kafka.status()).healthy).toBe(true);
      const t3 = Date.now();
      await kafka.close();
      console.log(
        `3 nodes: start ${startMs} ms, stop node 3 ${stopMs} ms, rejoin ${rejoinMs} ms, ` +
          `stop all ${Date.now() - t3} ms`
      );
      expect(await LocalKafka.find({ home })).toBeUndefined();
    });
  });
});

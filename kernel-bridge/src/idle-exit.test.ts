import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BridgeClient } from './client.js';
import type { ConnectionInfo } from './connection.js';
import { watchIdle } from './idle-exit.js';
import type { StreamItem } from './services.js';
import { withEngine } from './test-helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) {
      return true;
    }
    await sleep(25);
  }
  return cond();
}

describe('engine idle exit (--idle-exit-ms)', () => {
  it('serves while a client pings, then exits once the client has been gone for the idle time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-idle-'));
    const file = join(dir, 'bridge.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(HERE, 'engine-main.ts'),
        '--no-sdk',
        '--quiet',
        '--idle-exit-ms',
        '1500',
        '--connection-file',
        file
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitedAt = 0;
    const exited = new Promise<number | null>(r =>
      child.on('exit', code => {
        exitedAt = Date.now();
        r(code);
      })
    );
    try {
      expect(await waitFor(() => existsSync(file), 30_000)).toBe(true);
      const info = JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo;
      const client = new BridgeClient(info);
      try {
        // 3.5 s of pings every 400 ms: longer than the idle time, so only the pings keep it up
        for (let i = 0; i < 9; i++) {
          const pong = await client.request('ping_request');
          expect(pong.content.pid).toBe(child.pid);
          await sleep(400);
        }
      } finally {
        await client.close();
      }
      const goneAt = Date.now();
      expect(exitedAt).toBe(0);
      expect(await exited).toBe(0);
      const waitedMs = exitedAt - goneAt;
      expect(waitedMs).toBeGreaterThanOrEqual(1000);
      expect(waitedMs).toBeLessThan(5000);
      expect(stderr).toContain('no client for 1500 ms');
      expect(existsSync(file)).toBe(false); // connection file removed on the way out
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an open stream keeps the engine up; once it is detached the idle time runs', async () => {
    const attach = (_topic: string, o: { signal: AbortSignal }): AsyncIterable<StreamItem> => ({
      async *[Symbol.asyncIterator]() {
        // a topic with no new alerts: the stream stays open until detached
        await new Promise<void>(r => o.signal.addEventListener('abort', () => r(), { once: true }));
      }
    });
    await withEngine({ services: { attach } }, async (engine, client) => {
      let last = Date.now();
      engine.options.onEvent = e => {
        if (e.type === 'request') {
          last = e.timestamp;
        }
      };
      let idleAt = 0;
      const watch = watchIdle(
        engine,
        300,
        () => last,
        () => (idleAt = Date.now())
      );
      try {
        const reply = await client.request('attach_request', { topic: 't', credit: 1 });
        const streamId = reply.content.stream_id as string;
        await sleep(1200); // four idle times without a message, but a stream is open
        expect(idleAt).toBe(0);
        await client.request('detach_request', { stream_id: streamId });
        const detachedAt = Date.now();
        expect(await waitFor(() => idleAt > 0, 3000)).toBe(true);
        expect(idleAt - detachedAt).toBeGreaterThanOrEqual(250);
      } finally {
        watch.stop();
      }
    });
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

describe('withFileLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serializes read-modify-write: 50 concurrent increments all count', async () => {
    const file = join(dir, 'n.txt');
    await writeFile(file, '0');
    await Promise.all(
      Array.from({ length: 50 }, () =>
        withFileLock(file, async () => {
          const n = Number(await readFile(file, 'utf8'));
          await new Promise(r => setTimeout(r, 1));
          await writeFile(file, String(n + 1));
        })
      )
    );
    expect(await readFile(file, 'utf8')).toBe('50');
  });

  it("breaks a dead holder's lock at once, waits for a live one and then times out", async () => {
    const file = join(dir, 'f');
    // a pid that has just exited
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await writeFile(`${file}.lock`, JSON.stringify({ pid: dead, host: hostname(), atMs: 0 }));
    const t0 = Date.now();
    expect(await withFileLock(file, async () => 'got it')).toBe('got it');
    expect(Date.now() - t0).toBeLessThan(2000);

    await writeFile(
      `${file}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), atMs: Date.now() })
    );
    await expect(withFileLock(file, async () => 1, { timeoutMs: 300 })).rejects.toThrow(
      /Could not lock .* within 300 ms/
    );
    // a live holder here is never broken by age; one of another host is, after staleMs
    await new Promise(r => setTimeout(r, 60));
    await expect(
      withFileLock(file, async () => 2, { staleMs: 50, timeoutMs: 200 })
    ).rejects.toThrow(/Could not lock/);
    await writeFile(
      `${file}.lock`,
      JSON.stringify({ pid: process.pid, host: 'elsewhere', atMs: Date.now() })
    );
    await new Promise(r => setTimeout(r, 60));
    expect(await withFileLock(file, async () => 3, { staleMs: 50 })).toBe(3);
  });
});

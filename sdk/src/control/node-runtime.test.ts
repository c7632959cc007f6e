import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerCommand } from './worker.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The lowest Node major version the root package.json's `engines.node` (">=N") accepts. */
function enginesMajor(): number {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
  };
  const m = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? '');
  if (!m) {
    throw new Error(`package.json engines.node is "${pkg.engines?.node}", expected ">=N"`);
  }
  return Number(m[1]);
}

const major = (version: string): number => Number(version.replace(/^v/, '').split('.')[0]);

describe('node runtime', () => {
  it('the tests run on the Node that package.json engines asks for (24 LTS or later)', () => {
    const want = enginesMajor();
    expect(want).toBeGreaterThanOrEqual(24);
    expect(
      major(process.versions.node),
      `vitest runs on ${process.execPath} (${process.version}); run it through scripts/test.sh or ` +
        `put .alertlab/node/bin first on PATH`
    ).toBeGreaterThanOrEqual(want);
  });

  it('stage workers run on the same Node binary as their controller', () => {
    const { command } = workerCommand('stage.json');
    expect(command).toBe(process.execPath);
    const version = execFileSync(command, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(process.version);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coneSearch } from '../crossmatch/cone.js';
import { createMatcher } from '../crossmatch/create.js';
import { CatalogStore } from './store.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs `alertlab catalog ...` in its own process; resolves with its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise(done => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'sdk/src/cli/main.ts'), 'catalog', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', code => done({ code, out }));
  });
}

function csv(path: string, rows: [number, number, number][]): string {
  writeFileSync(path, ['id,ra,dec', ...rows.map(r => r.join(','))].join('\n') + '\n');
  return path;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertlab-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('catalog store: loads swap in a new file while readers hold the store', () => {
  it('`catalog load` in another process succeeds while a reader holds the store; the reader then sees the new data', async () => {
    const path = join(dir, 'catalogs.duckdb');
    const writer = await CatalogStore.open(path);
    await writer.load('first', csv(join(dir, 'a.csv'), [[1, 10, 20]]));
    writer.close();

    const reader = await CatalogStore.open(path, { readOnly: true });
    const matcher = createMatcher(reader);
    try {
      const held = await reader.connect(); // a connection held across the swap (as matchers do)
      expect((await reader.list()).map(c => c.name)).toEqual(['first']);
      const before = await coneSearch(matcher, {
        raDeg: 10,
        decDeg: 20,
        radiusArcsec: 5,
        catalog: 'first'
      });
      expect(before.numRows).toBe(1);
      const version = reader.version;

      // another process: a new catalog, then `first` replaced by a star elsewhere
      const second = await cli([
        'load',
        'second',
        csv(join(dir, 'b.csv'), [
          [7, 50, -5],
          [8, 51, -5]
        ]),
        '--store',
        path
      ]);
      expect(second.out).not.toMatch(/lock/i);
      expect(second.code).toBe(0);
      const replaced = await cli([
        'load',
        'first',
        csv(join(dir, 'c.csv'), [[2, 100, 30]]),
        '--store',
        path
      ]);
      expect(replaced.code).toBe(0);

      expect(reader.version).not.toBe(version);
      expect((await reader.list()).map(c => [c.name, c.rows])).toEqual([
        ['first', 1],
        ['second', 2]
      ]);
      const con = await reader.connect();
      const ids = await (await con.run('SELECT id FROM cat_second ORDER BY id')).getRows();
      expect(ids.map(r => Number(r[0]))).toEqual([7, 8]);
      con.closeSync();
      // the in-memory matcher reloads: the old star is gone, the new one is found
      const old = await coneSearch(matcher, {
        raDeg: 10,
        decDeg: 20,
        radiusArcsec: 5,
        catalog: 'first'
      });
      expect(old.numRows).toBe(0);
      const now = await coneSearch(matcher, {
        raDeg: 100,
        decDeg: 30,
        radiusArcsec: 5,
        catalog: 'first'
      });
      expect(now.numRows).toBe(1);
      // the connection held across the swap still reads the version it opened
      const stale = await (await held.run('SELECT count(*) FROM cat_first')).getRows();
      expect(Number(stale[0][0])).toBe(1);
      held.closeSync();
    } finally {
      matcher.close();
      reader.close();
    }
    // no temp files, logs or lock left beside the store
    expect(
      readdirSync(dir)
        .filter(f => f.startsWith('catalogs.duckdb'))
        .sort()
    ).toEqual(['catalogs.duckdb']);
  });

  it('drop swaps too; a read-only handle refuses to load; a failed load leaves the store as it was', async () => {
    const path = join(dir, 'catalogs.duckdb');
    const store = await CatalogStore.open(path);
    const other = await CatalogStore.open(path, { readOnly: true });
    try {
      await store.load('a', csv(join(dir, 'a.csv'), [[1, 1, 1]]));
      await store.load('b', csv(join(dir, 'b.csv'), [[2, 2, 2]]));
      await store.drop('a');
      expect((await other.list()).map(c => c.name)).toEqual(['b']);
      await expect(other.load('c', join(dir, 'a.csv'))).rejects.toThrow(/read-only/);
      await expect(store.load('c', join(dir, 'missing.csv'))).rejects.toThrow();
      await expect(store.load('b', join(dir, 'a.csv'), { replace: false })).rejects.toThrow(
        /already loaded/
      );
      expect((await other.list()).map(c => c.name)).toEqual(['b']);
      expect(readdirSync(dir).filter(f => f.startsWith('catalogs.duckdb.'))).toEqual([]);
    } finally {
      other.close();
      store.close();
    }
  });

  it('takes over a load lock left by a process that is gone', async () => {
    const path = join(dir, 'catalogs.duckdb');
    writeFileSync(`${path}.lock`, '999999999'); // a pid that does not exist: stale
    const store = await CatalogStore.open(path);
    try {
      await store.load('a', csv(join(dir, 'a.csv'), [[1, 1, 1]]));
      expect((await store.list()).map(c => c.name)).toEqual(['a']);
    } finally {
      store.close();
    }
  });
});

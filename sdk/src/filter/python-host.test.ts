import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FilterWorkerError } from '../errors.js';
import { repoRoot } from './python/connection-file.js';
import { selectColumns, withPythonFilterHost, type PythonFilterHost } from './python-host.js';

const python = join(repoRoot(), '.venv', 'bin', 'python');
const samples = join(repoRoot(), 'kernel-bridge', 'python', 'tests', 'sample_filters.py');

function batchOf(mags: (number | null)[]): RecordBatch {
  const n = mags.length;
  return new Table({
    mag: vectorFromArray(mags, new Float64()),
    ra: vectorFromArray(
      Array.from({ length: n }, (_, i) => i),
      new Float64()
    )
  }).batches[0];
}

function host(name: string, fn: (h: PythonFilterHost) => Promise<void>, batchTimeoutMs = 20_000) {
  if (!existsSync(python)) {
    throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
  }
  return withPythonFilterHost({ filter: `${samples}:${name}`, python, batchTimeoutMs }, fn);
}

async function failure(p: Promise<unknown>): Promise<FilterWorkerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(FilterWorkerError);
  return err as FilterWorkerError;
}

describe('PythonFilterHost (real Python worker)', () => {
  it('routes a switch filter per row, with NaN and null going to the default output', async () => {
    await host('by_mag', async h => {
      expect(h.kind).toBe('switch');
      expect(h.outputs).toEqual(['bright', 'faint', 'default']);
      expect(h.requiredColumns).toEqual(['mag']);
      const r = await h.evaluate(batchOf([12, 19.5, Number.NaN, null, 17.99]));
      expect([...r.index]).toEqual([0, 1, 2, 2, 0]);
      const empty = await h.evaluate(batchOf([]));
      expect(empty.index.length).toBe(0);
    });
  });

  it('sends the declared columns even when they are not the first ones in the batch', async () => {
    const mags = [12, 19.5, 17];
    const batch = new Table({
      ra: vectorFromArray([1, 2, 3], new Float64()),
      dec: vectorFromArray([4, 5, 6], new Float64()),
      mag: vectorFromArray(mags, new Float64())
    }).batches[0];
    const picked = selectColumns(batch, ['mag', 'nope']);
    expect(picked.schema.fields.map(f => f.name)).toEqual(['mag']);
    expect(picked.data.children.length).toBe(1);
    expect([...(picked.getChild('mag')?.toArray() as Float64Array)]).toEqual(mags);
    await host('by_mag', async h => {
      expect([...(await h.evaluate(batch)).index]).toEqual([0, 1, 0]);
    });
  });

  it('runs pandas filters (yes/no drops rows with -1)', async () => {
    await host('bright_pandas', async h => {
      expect([...(await h.evaluate(batchOf([10, 20, 15]))).index]).toEqual([0, -1, 0]);
    });
  });

  it('reports an exception with its traceback and keeps the same worker', async () => {
    await host('moody', async h => {
      const pid = h.workerPid;
      const err = await failure(h.evaluate(batchOf([12, 13])));
      expect(err.code).toBe('remote-exception');
      expect(err.message).toMatch(/ValueError: unlucky magnitude 13/);
      expect(err.remoteTraceback.join('')).toMatch(/sample_filters\.py.*in moody/s);
      expect([...(await h.evaluate(batchOf([12, 20]))).index]).toEqual([0, -1]);
      expect(h.workerPid).toBe(pid);
      expect(h.restarts).toBe(0);
    });
  });

  it('kills a worker that hangs past the time limit and restarts it for the next batch', async () => {
    await host(
      'moody',
      async h => {
        // a cold worker's first batch has a grace period; the limit applies once it is warm
        await h.evaluate(batchOf([1]));
        const pid = h.workerPid;
        const started = Date.now();
        const err = await failure(h.evaluate(batchOf([666])));
        expect(err.code).toBe('timeout');
        expect(err.message).toMatch(/within 1500 ms/);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect([...(await h.evaluate(batchOf([1, 30]))).index]).toEqual([0, -1]);
        expect(h.workerPid).not.toBe(pid);
        expect(h.restarts).toBe(1);
      },
      1500
    );
  });

  it('reports a worker that exits mid-batch and restarts it', async () => {
    await host('moody', async h => {
      const err = await failure(h.evaluate(batchOf([999])));
      expect(err.code).toBe('worker-exited');
      expect(err.message).toMatch(/exited with code 7/);
      expect([...(await h.evaluate(batchOf([5]))).index]).toEqual([0]);
      expect(h.restarts).toBe(1);
    });
  });

  it('fails to start with a clear error for an undecorated function', async () => {
    const err = await failure(host('not_decorated', async () => undefined));
    expect(err.code).toBe('load-error');
    expect(err.message).toMatch(/decorate it with @alertlab\.filter/);
  });
});

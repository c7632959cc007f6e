/**
 * Atomic replacement of a DuckDB store file, so that loading never needs a lock readers hold.
 * A writer takes the store's load lock (`<path>.lock`, one writer at a time across processes),
 * builds the next version in a temp file beside the store, checkpoints and closes it, fsyncs it and
 * renames it over the store (atomic on POSIX), then fsyncs the folder. Readers keep reading the
 * file they opened (the old inode lives on while open) and notice the swap by the file's identity
 * (device + inode) changing: they reopen read-only.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogLoadError } from '../errors.js';
import { copyCatalogs, createMeta } from './zone-build.js';

/** What identifies one version of the store file: a swap gives it a new inode. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity of `path`, or undefined when it does not exist. */
export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding the store's load lock (`<path>.lock` holding the writer's pid). A lock left by
 * a process that is gone is taken over; a live writer is waited for, up to `timeoutMs`.
 */
export async function withLoadLock<T>(
  path: string,
  fn: () => Promise<T>,
  timeoutMs = 600_000
): Promise<T> {
  const lock = `${path}.lock`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o644);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        await unlink(lock).catch(() => undefined); // its writer died: the lock is stale
        continue;
      }
      if (Date.now() > until) {
        throw new CatalogLoadError(
          `Catalog store ${path} is being loaded by process ${holder || '?'} (lock ${lock}); wait for that load to finish and retry.`,
          { context: { path, lock, pid: holder }, retriable: true }
        );
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** A fresh temp path beside the store (same folder, so the rename stays on one file system). */
export function tempStorePath(path: string): string {
  return `${path}.next-${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Publishes a closed, checkpointed temp store as the store: fsync, rename over `path`, fsync the
 * folder. A write-ahead log left beside `path` by a crashed writer belonged to the old file (the
 * caller copied the old file through a read-only attach, which replays it): it is removed so it is
 * never replayed against the new one.
 */
export async function publishStore(temp: string, path: string): Promise<void> {
  if (existsSync(`${temp}.wal`)) {
    throw new CatalogLoadError(
      `Catalog store ${temp} still has a write-ahead log after its checkpoint; not publishing it.`,
      { context: { path, temp } }
    );
  }
  await fsyncPath(temp);
  await rm(`${path}.wal`, { force: true });
  await rename(temp, path);
  await fsyncPath(dirname(path));
}

/** Removes a temp store and its log (after a failed load). */
export async function discardTemp(temp: string): Promise<void> {
  await rm(temp, { force: true });
  await rm(`${temp}.wal`, { force: true });
}

/**
 * Writes the next version of the store file at `path`: under the load lock, a new file gets the
 * metadata table and every catalog of the current file but `skip`, then `build` runs on it, then
 * the file is checkpointed, closed and swapped in.
 */
export async function rewrite(
  path: string,
  build: (con: DuckDBConnection, previous: string[]) => Promise<void>,
  skip = ''
): Promise<void> {
  await withLoadLock(path, async () => {
    const temp = tempStorePath(path);
    const instance = await DuckDBInstance.create(temp);
    const con = await instance.connect();
    let open = true;
    try {
      await createMeta(con);
      const previous = existsSync(path) ? await copyCatalogs(con, path, skip) : [];
      await build(con, previous);
      await con.run('CHECKPOINT');
      con.closeSync();
      instance.closeSync();
      open = false;
      await publishStore(temp, path);
    } catch (err) {
      if (open) {
        con.closeSync();
        instance.closeSync();
      }
      await discardTemp(temp);
      throw err;
    }
  });
}

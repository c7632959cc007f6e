/**
 * An exclusive lock file for read-modify-write of small shared files (the users file, the watch
 * owners file) by several processes at once: `<file>.lock` is created with O_EXCL and holds the
 * holder's pid and start time. A lock whose holder is dead (same machine), or of another machine
 * and older than `staleMs`, is broken — under a second O_EXCL file (`<file>.lock.break`), so two waiters never
 * both break it and one of them remove the other's fresh lock.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this long (an error naming the lock file). @default 20000 */
  timeoutMs?: number;
  /** A lock of another host (or unreadable) older than this is taken as abandoned. @default 30000 */
  staleMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  atMs: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryCreate(path: string, body: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(body);
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw err;
  }
}

async function holderOf(lock: string): Promise<{ text: string; holder?: Holder } | undefined> {
  try {
    const text = await readFile(lock, 'utf8');
    try {
      return { text, holder: JSON.parse(text) as Holder };
    } catch {
      return { text }; // being written, or torn: judged by its age
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw err;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/** Breaks `lock` when its holder is gone; true when the caller should retry at once. */
async function breakIfStale(lock: string, staleMs: number): Promise<boolean> {
  const seen = await holderOf(lock);
  if (seen === undefined) {
    return true;
  }
  const h = seen.holder;
  const here = h !== undefined && h.host === hostname() && typeof h.pid === 'number';
  // a holder on this machine is judged by its pid alone (a long upload may hold the lock for
  // minutes); one elsewhere, or a lock file without a holder, by its age
  const abandoned = here ? !alive(h.pid) : (await ageMs(lock)) >= staleMs;
  if (!abandoned) {
    return false;
  }
  const breaker = `${lock}.break`;
  if (!(await tryCreate(breaker, String(process.pid)))) {
    if ((await ageMs(breaker)) > 10_000) {
      await rm(breaker, { force: true }); // a breaker that died while breaking
    }
    return false;
  }
  try {
    // still the same abandoned lock (not one taken since we looked)?
    if ((await holderOf(lock))?.text === seen.text) {
      await rm(lock, { force: true });
    }
  } finally {
    await rm(breaker, { force: true });
  }
  return true;
}

/** Runs `fn` holding `<file>.lock` (exclusive across processes); releases it afterwards. */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {}
): Promise<T> {
  const lock = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const staleMs = options.staleMs ?? 30_000;
  const body = JSON.stringify({ pid: process.pid, host: hostname(), atMs: Date.now() });
  const start = Date.now();
  let waitMs = 5;
  while (!(await tryCreate(lock, body))) {
    if (await breakIfStale(lock, staleMs)) {
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `Could not lock ${file} within ${timeoutMs} ms: ${lock} is held by a running process. Retry, or remove the lock file if no alertlab process is running.`
      );
    }
    await new Promise(r => setTimeout(r, waitMs + Math.random() * waitMs));
    waitMs = Math.min(waitMs * 2, 100);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

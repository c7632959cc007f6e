/**
 * Owners of watchlists and watchmaps (issue 15): which user added each, and whether they shared
 * it (then every user may read it and name it in a stage; only its owner and admins change it).
 * A JSON file edited under an exclusive lock (read, change, rename), each watch's changes under a
 * lock of its own; a watch with no record (added with the CLI, or before owners existed) belongs
 * to the admins.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../control/atomic.js';
import { withFileLock } from '../control/file-lock.js';

export type WatchKind = 'watchlist' | 'watchmap';

/** Who owns a watch. */
export interface WatchOwner {
  owner: string;
  shared: boolean;
  createdAt: string;
}

type Owners = Record<string, WatchOwner>;

const key = (kind: WatchKind, name: string): string => `${kind}/${name}`;

export class WatchOwnerStore {
  constructor(readonly file: string) {}

  private async read(): Promise<Owners> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { owners?: Owners };
      return parsed.owners ?? {};
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return {};
      }
      throw err;
    }
  }

  /** Every record of `kind`, by name. */
  async all(kind: WatchKind): Promise<Map<string, WatchOwner>> {
    const out = new Map<string, WatchOwner>();
    for (const [k, v] of Object.entries(await this.read())) {
      if (k.startsWith(`${kind}/`)) {
        out.set(k.slice(kind.length + 1), v);
      }
    }
    return out;
  }

  /** The owner record of one watch (undefined: none — admins only). */
  async get(kind: WatchKind, name: string): Promise<WatchOwner | undefined> {
    return (await this.read())[key(kind, name)];
  }

  /** The lock file of one watch's changes (`<owners file>.d/<kind>-<name>.lock`). */
  private watchLock(kind: WatchKind, name: string): string {
    return join(`${this.file}.d`, `${kind}-${name}`);
  }

  /**
   * Runs `fn` with the current record and stores what it returns (`null` removes the record,
   * `undefined` leaves it). Changes of one watch run one at a time (its own lock, held through
   * `fn`, e.g. a DuckDB upload); the owners file is locked only to read-modify-write it, so one
   * user's long upload does not hold up changes to other watches.
   */
  async update<T>(
    kind: WatchKind,
    name: string,
    fn: (current: WatchOwner | undefined) => Promise<{ next?: WatchOwner | null; result: T }>
  ): Promise<T> {
    await mkdir(`${this.file}.d`, { recursive: true });
    const k = key(kind, name);
    return withFileLock(
      this.watchLock(kind, name),
      async () => {
        // Only changes of this watch write its record, and they hold its lock: reading it without
        // the owners lock is safe (the file is replaced by atomic renames).
        const { next, result } = await fn((await this.read())[k]);
        if (next !== undefined) {
          await withFileLock(this.file, async () => {
            const owners = await this.read();
            if (next === null) {
              delete owners[k];
            } else {
              owners[k] = next;
            }
            await writeFileAtomic(this.file, `${JSON.stringify({ owners }, null, 2)}\n`, 0o600);
          });
        }
        return result;
      },
      { timeoutMs: 120_000 }
    );
  }
}

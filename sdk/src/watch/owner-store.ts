/**
 * Owners of watchlists and watchmaps (issue 15): which user added each, and whether they shared
 * it (then every user may read it and name it in a stage; only its owner and admins change it).
 * A JSON file edited under the same lock as the users file (read, change, rename); a watch with
 * no record (added with the CLI, or before owners existed) belongs to the admins.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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

  /**
   * Runs `fn` with the current record under the file's lock and stores what it returns
   * (`null` removes the record, `undefined` leaves it).
   */
  async update<T>(
    kind: WatchKind,
    name: string,
    fn: (current: WatchOwner | undefined) => Promise<{ next?: WatchOwner | null; result: T }>
  ): Promise<T> {
    await mkdir(dirname(this.file), { recursive: true });
    return withFileLock(
      this.file,
      async () => {
        const owners = await this.read();
        const { next, result } = await fn(owners[key(kind, name)]);
        if (next !== undefined) {
          if (next === null) {
            delete owners[key(kind, name)];
          } else {
            owners[key(kind, name)] = next;
          }
          await writeFileAtomic(this.file, `${JSON.stringify({ owners }, null, 2)}\n`, 0o600);
        }
        return result;
      },
      { timeoutMs: 120_000 }
    );
  }
}

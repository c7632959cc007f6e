/**
 * Watchmaps on disk: one MOC JSON file per map (`<dir>/<name>.moc.json`), written to a temp file
 * and renamed over the old one (atomic), so a stage reading the folder sees a whole map or none.
 * A {@link WatchmapSet} holds a stage's maps in memory and, before each batch, reloads the files
 * that changed (by size, mtime and inode) — the switch falls between batches.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { Moc } from './moc.js';
import { mocFromFits } from './moc-fits.js';
import { defaultWatchmapDir } from './paths.js';
import { checkWatchName } from './watchlist-store.js';

const SUFFIX = '.moc.json';

/** What the folder says about one map. */
export interface WatchmapInfo {
  name: string;
  depth: number;
  /** Covered fraction of the sky. */
  skyFraction: number;
  cells: number;
  /** mtime in ms: changes with every write. */
  version: number;
}

/** Reads a MOC from file bytes: FITS (starts with SIMPLE) or JSON. */
export function mocFromBytes(bytes: Uint8Array, file = '<upload>'): Moc {
  const head = new TextDecoder().decode(bytes.subarray(0, 6));
  if (head === 'SIMPLE') {
    return mocFromFits(bytes, file);
  }
  try {
    return Moc.fromJSON(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new ConfigError(`Watchmap ${file} is neither MOC FITS nor MOC JSON: ${err.message}`);
    }
    throw err;
  }
}

export class WatchmapStore {
  constructor(readonly dir: string = defaultWatchmapDir()) {}

  private file(name: string): string {
    return join(this.dir, `${checkWatchName(name, 'Watchmap')}${SUFFIX}`);
  }

  /** Writes (adds or replaces) a map. */
  async put(name: string, moc: Moc): Promise<WatchmapInfo> {
    const file = this.file(name);
    await mkdir(this.dir, { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, JSON.stringify(moc.toJSON()));
    await rename(temp, file);
    return this.info(name);
  }

  /** Removes a map; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const file = this.file(name);
    if (!existsSync(file)) {
      return false;
    }
    await rm(file);
    return true;
  }

  /** The map `name`. */
  async get(name: string): Promise<Moc> {
    const file = this.file(name);
    if (!existsSync(file)) {
      throw new ConfigError(
        `Watchmap "${name}" does not exist in ${this.dir}; add it with alertlab watchmap add ${name} <moc.json|moc.fits>.`,
        { context: { name } }
      );
    }
    return Moc.fromJSON(JSON.parse(await readFile(file, 'utf8')) as unknown);
  }

  names(): string[] {
    if (!existsSync(this.dir)) {
      return [];
    }
    return readdirSync(this.dir)
      .filter(f => f.endsWith(SUFFIX))
      .map(f => f.slice(0, -SUFFIX.length))
      .sort();
  }

  async info(name: string): Promise<WatchmapInfo> {
    const moc = await this.get(name);
    return {
      name,
      depth: moc.depth,
      skyFraction: moc.skyFraction(),
      cells: moc.cells().length,
      version: statSync(this.file(name)).mtimeMs
    };
  }

  async list(): Promise<WatchmapInfo[]> {
    return Promise.all(this.names().map(n => this.info(n)));
  }
}

/** A stage's watchmaps in memory, refreshed between batches. */
export class WatchmapSet {
  private maps = new Map<string, { moc: Moc; key: string }>();
  private readonly store: WatchmapStore;

  /** @param names the maps to test, or `'*'` for every map in the folder */
  constructor(
    dir: string,
    readonly names: readonly string[] | '*'
  ) {
    this.store = new WatchmapStore(dir);
  }

  /** Reloads maps whose files changed, drops removed ones. @returns true when anything changed */
  async refresh(): Promise<boolean> {
    const wanted = this.store.names().filter(n => this.names === '*' || this.names.includes(n));
    let changed = wanted.length !== this.maps.size;
    const next = new Map<string, { moc: Moc; key: string }>();
    for (const name of wanted) {
      const file = join(this.store.dir, `${name}${SUFFIX}`);
      let key: string;
      try {
        const s = statSync(file);
        key = `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        continue; // removed meanwhile
      }
      const old = this.maps.get(name);
      if (old?.key === key) {
        next.set(name, old);
        continue;
      }
      changed = true;
      next.set(name, { moc: await this.store.get(name), key });
    }
    this.maps = next;
    return changed;
  }

  /** Map names currently held, sorted. */
  get loaded(): string[] {
    return [...this.maps.keys()].sort();
  }

  /** Per position, the names of the maps containing it. */
  membership(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>): string[][] {
    const out: string[][] = Array.from({ length: raDeg.length }, () => []);
    for (const name of this.loaded) {
      const inside = (this.maps.get(name) as { moc: Moc }).moc.containsMany(raDeg, decDeg);
      for (let i = 0; i < inside.length; i++) {
        if (inside[i]) {
          out[i].push(name);
        }
      }
    }
    return out;
  }
}

/**
 * `alertlab watchlist add|replace|remove|list` and `alertlab watchmap add|remove|list`: the local
 * watchlist store and watchmap folder that stages on this machine read (the controller's REST
 * routes do the same remotely). Running stages pick up changes on their next batch.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { mocFromCone, mocFromHealpix, mocFromPolygon } from '../watch/moc-build.js';
import type { Moc } from '../watch/moc.js';
import { defaultWatchlistPath, defaultWatchmapDir } from '../watch/paths.js';
import { WatchmapStore, mocFromBytes } from '../watch/watchmap-store.js';
import { parseWatchlist } from '../watch/watchlist-source.js';
import { withWatchlistStore } from '../watch/watchlist-store.js';

const LIST_USAGE = `Usage:
  alertlab watchlist add <name> <file.csv|file.xml|file.vot|file.json> [--radius <arcsec>]
  alertlab watchlist replace <name> <file> [--radius <arcsec>]
  alertlab watchlist remove <name>
  alertlab watchlist list [--json]

Files have columns name, ra, dec (degrees) and optionally radius (arcsec; --radius is the
default, 2″ without it). At most 1,000,000 sources per list.
Options: --store <file> (default ${defaultWatchlistPath()})`;

const MAP_USAGE = `Usage:
  alertlab watchmap add <name> <moc.json|moc.fits>
  alertlab watchmap add <name> --cone <ra>,<dec>,<radiusDeg> [--depth 10]
  alertlab watchmap add <name> --polygon <ra1>,<dec1>,<ra2>,<dec2>,... [--depth 10]
  alertlab watchmap add <name> --healpix <order>:<ipix>,<ipix>,...
  alertlab watchmap remove <name>
  alertlab watchmap list [--json]
Options: --dir <folder> (default ${defaultWatchmapDir()})`;

function numbers(text: string, what: string): number[] {
  const v = text.split(',').map(Number);
  if (v.some(x => !Number.isFinite(x))) {
    throw new ConfigError(`${what} "${text}" is not a comma-separated list of numbers.`);
  }
  return v;
}

function print(value: unknown, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(value, null, 2));
    return;
  }
  for (const row of value as Array<Record<string, unknown>>) {
    console.log(
      Object.entries(row)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('  ')
    );
  }
}

async function watchlist(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      radius: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  const [action, name, file] = positionals;
  if (values.help || !action) {
    console.log(LIST_USAGE);
    return values.help ? 0 : 2;
  }
  const path = values.store ?? defaultWatchlistPath();
  if (action === 'list') {
    print(await withWatchlistStore(path, s => s.list()), values.json === true);
    return 0;
  }
  if (!name) {
    console.error(LIST_USAGE);
    return 2;
  }
  if (action === 'remove') {
    const removed = await withWatchlistStore(path, s => s.remove(name));
    console.log(removed ? `removed watchlist ${name}` : `no watchlist ${name}`);
    return removed ? 0 : 1;
  }
  if ((action === 'add' || action === 'replace') && file) {
    const rows = parseWatchlist(
      await readFile(file, 'utf8'),
      file.endsWith('.json') ? 'json' : '',
      {
        defaultRadiusArcsec: values.radius === undefined ? undefined : Number(values.radius)
      }
    );
    const started = performance.now();
    const info = await withWatchlistStore(path, async s => {
      if (action === 'add' && (await s.list()).some(l => l.name === name)) {
        throw new ConfigError(`Watchlist "${name}" exists; use alertlab watchlist replace.`);
      }
      return s.add(name, rows, { replace: true, source: basename(file) });
    });
    console.log(
      `${action === 'add' ? 'added' : 'replaced'} watchlist ${name}: ${info.sources} sources, version ${info.version}, max radius ${info.maxRadiusArcsec}″ (${((performance.now() - started) / 1000).toFixed(1)} s)`
    );
    return 0;
  }
  console.error(LIST_USAGE);
  return 2;
}

async function watchmap(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      cone: { type: 'string' },
      polygon: { type: 'string' },
      healpix: { type: 'string' },
      depth: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  const [action, name, file] = positionals;
  if (values.help || !action) {
    console.log(MAP_USAGE);
    return values.help ? 0 : 2;
  }
  const store = new WatchmapStore(values.dir ?? defaultWatchmapDir());
  if (action === 'list') {
    print(await store.list(), values.json === true);
    return 0;
  }
  if (!name) {
    console.error(MAP_USAGE);
    return 2;
  }
  if (action === 'remove') {
    const removed = await store.remove(name);
    console.log(removed ? `removed watchmap ${name}` : `no watchmap ${name}`);
    return removed ? 0 : 1;
  }
  if (action === 'add') {
    const depth = Number(values.depth ?? 10);
    let moc: Moc;
    if (values.cone) {
      const [ra, dec, r] = numbers(values.cone, '--cone');
      moc = mocFromCone(ra, dec, r, depth);
    } else if (values.polygon) {
      const v = numbers(values.polygon, '--polygon');
      moc = mocFromPolygon(
        Array.from({ length: v.length >> 1 }, (_, i) => [v[2 * i], v[2 * i + 1]] as const),
        depth
      );
    } else if (values.healpix) {
      const [order, cells] = values.healpix.split(':');
      moc = mocFromHealpix(Number(order), numbers(cells ?? '', '--healpix cells'));
    } else if (file) {
      moc = mocFromBytes(await readFile(file), file);
    } else {
      console.error(MAP_USAGE);
      return 2;
    }
    const info = await store.put(name, moc);
    console.log(
      `watchmap ${name}: depth ${info.depth}, ${info.cells} cells, ${(info.skyFraction * 41252.96).toFixed(4)} deg²`
    );
    return 0;
  }
  console.error(MAP_USAGE);
  return 2;
}

/** `alertlab watchlist ...` */
export const runWatchlist = watchlist;
/** `alertlab watchmap ...` */
export const runWatchmap = watchmap;

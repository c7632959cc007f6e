/**
 * Hipparcos stars and deep-sky objects from the `d3-celestial` npm package (GeoJSON points with
 * longitude −180..180; ra = lon mod 360). Stars: `data/stars.14.json` (118k Hipparcos stars to
 * mag 14; id = HIP number as bigint; columns mag, bv, name from `starnames.json`). DSOs:
 * `data/dsos.20.json` (89k objects to mag 20; id = designation string; columns type, mag (null when
 * the file says 999), dim, name from `dsonames.json`).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CatalogLoadError } from '../errors.js';
import type { ColumnarCatalog } from './columns.js';
import { normalizeRaDeg } from './sky.js';

interface Feature {
  id: number | string;
  properties: Record<string, string | number | undefined>;
  geometry: { coordinates: [number, number] };
}

/** Directory of the installed d3-celestial data files. */
export function celestialDataDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('d3-celestial/package.json')), 'data');
  } catch (cause) {
    throw new CatalogLoadError(
      'The d3-celestial package is not installed. Install it with: npm install -w sdk d3-celestial@0.7.35',
      { cause }
    );
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (cause) {
    throw new CatalogLoadError(`Cannot read ${file}: reinstall d3-celestial.`, {
      cause,
      context: { file }
    });
  }
}

function toNumber(v: string | number | undefined): number {
  if (v === undefined || v === '') {
    return NaN;
  }
  const n = typeof v === 'number' ? v : Number(v);
  return n >= 999 ? NaN : n;
}

function positions(features: Feature[]): { raDeg: Float64Array; decDeg: Float64Array } {
  const raDeg = new Float64Array(features.length);
  const decDeg = new Float64Array(features.length);
  features.forEach((f, i) => {
    raDeg[i] = normalizeRaDeg(f.geometry.coordinates[0]);
    decDeg[i] = f.geometry.coordinates[1];
  });
  return { raDeg, decDeg };
}

function numberColumn(features: Feature[], key: string): ColumnarCatalog['columns'][string] {
  const values = new Float64Array(features.length);
  const valid = new Uint8Array(features.length);
  features.forEach((f, i) => {
    values[i] = toNumber(f.properties[key]);
    valid[i] = Number.isNaN(values[i]) ? 0 : 1;
  });
  return { kind: 'double', values, valid };
}

/** Hipparcos stars (d3-celestial `stars.14.json`) with mag, bv and name. */
export async function readCelestialStars(dataDir = celestialDataDir()): Promise<ColumnarCatalog> {
  const fc = (await readJson(join(dataDir, 'stars.14.json'))) as { features: Feature[] };
  const names = (await readJson(join(dataDir, 'starnames.json'))) as Record<
    string,
    Record<string, string>
  >;
  const features = fc.features;
  const ids = new BigInt64Array(features.length);
  const name = features.map((f, i) => {
    ids[i] = BigInt(f.id);
    const n = names[String(f.id)];
    if (!n) {
      return null;
    }
    if (n.name) {
      return n.name;
    }
    return n.desig ? `${n.desig} ${n.c ?? ''}`.trim() : null;
  });
  return {
    ids,
    ...positions(features),
    columns: {
      mag: numberColumn(features, 'mag'),
      bv: numberColumn(features, 'bv'),
      name: { kind: 'string', values: name }
    }
  };
}

/** Deep-sky objects (d3-celestial `dsos.20.json`) with type, mag, dim and name. */
export async function readCelestialDsos(dataDir = celestialDataDir()): Promise<ColumnarCatalog> {
  const fc = (await readJson(join(dataDir, 'dsos.20.json'))) as { features: Feature[] };
  const names = (await readJson(join(dataDir, 'dsonames.json'))) as Record<
    string,
    Record<string, string>
  >;
  const features = fc.features;
  const str = (key: string): (string | null)[] =>
    features.map(f => {
      const v = f.properties[key];
      return v === undefined || v === '' ? null : String(v);
    });
  return {
    ids: features.map(f => String(f.id)),
    ...positions(features),
    columns: {
      type: { kind: 'string', values: str('type') },
      mag: numberColumn(features, 'mag'),
      dim: { kind: 'string', values: str('dim') },
      name: { kind: 'string', values: features.map(f => names[String(f.id)]?.name || null) }
    }
  };
}

/**
 * Every Rubin alert schema version that PyPI's `lsst-alert-packet` ships (schema/<major>/<minor>/
 * lsst.v<major>_<minor>.alert.avsc), found on disk — a new version is a new directory of .avsc
 * files, never new code — and the schema-registry id of each.
 *
 * Ids: Rubin's alert schema registry gives each version the id `int(f"{major}{minor:02d}")`
 * (lsst.v7_1 → 701, lsst.v10_0 → 1000, lsst.v11_1 → 1101): lsst-alert-packet,
 * `lsst/alert/packet/schema.py` `Schema.get_schema_id()`, used by its
 * `bin/syncAllSchemasToRegistry.py`, which uploads every version under that id (registry in
 * IMPORT mode, subject `alert-packet` and `lsst-alerts-v<major>.<minor>-value`); the alert
 * producer frames each Kafka message with it (Confluent wire format: magic byte 0, 4-byte id).
 * Rubin documents the rule for community brokers ("Schema 3.0 is 300, schema 7.2 is 702"):
 * github.com/lsst-dm/sample_alert_info, doc/alert_stream_integration_endpoint.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, SchemaNotFoundError } from '../errors.js';
import type { AvroType } from './avro/schema.js';
import { findRubinSchemaDir, loadRubinSchema } from './rubin-schema.js';

/** One schema version found in the package. */
export interface RubinSchemaVersion {
  major: number;
  minor: number;
  /** Its id in Rubin's schema registry (`major * 100 + minor`). */
  id: number;
  /** `lsst.v<major>_<minor>` */
  name: string;
  /** The directory holding its .avsc files. */
  dir: string;
}

/** The registry id of schema version major.minor (see the module comment for the source). */
export function rubinSchemaId(major: number, minor: number): number {
  return major * 100 + minor;
}

/**
 * The package's `schema` directory (holding `<major>/<minor>/`): `root` if given, else
 * `$ALERTLAB_RUBIN_SCHEMA_ROOT`, else two levels above the single-version directory that
 * findRubinSchemaDir finds (`$ALERTLAB_RUBIN_SCHEMA_DIR` or the .venv install).
 */
export function findRubinSchemaRoot(root?: string): string {
  const explicit = root ?? process.env.ALERTLAB_RUBIN_SCHEMA_ROOT;
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new SchemaNotFoundError(
        `Rubin schema root "${explicit}" does not exist. Point ALERTLAB_RUBIN_SCHEMA_ROOT (or the rubinSchemaRoot option) at lsst/alert/packet/schema.`,
        { context: { dir: explicit } }
      );
    }
    return explicit;
  }
  return resolve(findRubinSchemaDir(), '..', '..');
}

const cachedLists = new Map<string, RubinSchemaVersion[]>();

/** Every version under the schema root, oldest first (read from disk once per root). */
export function listRubinSchemaVersions(root?: string): RubinSchemaVersion[] {
  const base = findRubinSchemaRoot(root);
  const hit = cachedLists.get(base);
  if (hit) {
    return hit;
  }
  const out: RubinSchemaVersion[] = [];
  for (const ma of readdirSync(base).filter(n => /^\d+$/.test(n))) {
    for (const mi of readdirSync(join(base, ma)).filter(n => /^\d+$/.test(n))) {
      const name = `lsst.v${ma}_${mi}`;
      const dir = join(base, ma, mi);
      if (existsSync(join(dir, `${name}.alert.avsc`))) {
        const major = Number(ma);
        const minor = Number(mi);
        out.push({ major, minor, id: rubinSchemaId(major, minor), name, dir });
      }
    }
  }
  out.sort((a, b) => a.id - b.id);
  cachedLists.set(base, out);
  return out;
}

/**
 * The version named by `spec`: "11.1", "11_1", "v11_1", "lsst.v11_1", or "latest" (the highest
 * the package ships). Throws ConfigError naming the versions there are.
 */
export function resolveRubinSchemaVersion(spec: string, root?: string): RubinSchemaVersion {
  const versions = listRubinSchemaVersions(root);
  if (spec === 'latest' && versions.length > 0) {
    return versions[versions.length - 1];
  }
  const m = /^(?:lsst\.)?v?(\d+)[._](\d+)$/.exec(spec.trim());
  const found = m && versions.find(v => v.major === Number(m[1]) && v.minor === Number(m[2]));
  if (!found) {
    throw new ConfigError(
      `Rubin schema version "${spec}" is not in ${findRubinSchemaRoot(root)}. Use one of: ${versions.map(v => `${v.major}.${v.minor}`).join(', ')}, or latest.`,
      { context: { rubinSchemaVersion: spec } }
    );
  }
  return found;
}

/** Resolves registry ids to the package's schemas, each parsed once (per root). */
export class RubinSchemaCatalog {
  private readonly byId = new Map<number, RubinSchemaVersion>();
  private readonly types = new Map<number, AvroType | Error>();

  constructor(private readonly root?: string) {
    for (const v of listRubinSchemaVersions(root)) {
      this.byId.set(v.id, v);
    }
  }

  /** Whether `id` is a version the package ships. */
  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** The version with registry id `id`, if the package ships it. */
  version(id: number): RubinSchemaVersion | undefined {
    return this.byId.get(id);
  }

  /** The parsed schema of the version with registry id `id` (throws if unknown or unreadable). */
  type(id: number): AvroType {
    let t = this.types.get(id);
    if (t === undefined) {
      const v = this.byId.get(id);
      try {
        if (!v) {
          throw new SchemaNotFoundError(
            `Schema id ${id} is no Rubin schema version in ${findRubinSchemaRoot(this.root)} (ids there: ${[...this.byId.keys()].join(', ')}).`,
            { context: { schemaId: id } }
          );
        }
        t = loadRubinSchema(v.dir).type;
      } catch (e) {
        t = e as Error;
      }
      this.types.set(id, t);
    }
    if (t instanceof Error) {
      throw t;
    }
    return t;
  }
}

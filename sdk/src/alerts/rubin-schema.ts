/**
 * Finds and loads the official Rubin alert schema (lsst.v10_0, from PyPI's `lsst-alert-packet`):
 * the .avsc files of one version directory, with named-type references resolved between them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaNotFoundError } from '../errors.js';
import {
  collectNamedDefinitions,
  inlineExternalTypes,
  parseAvroSchema,
  type AvroJson,
  type AvroType
} from './avro/schema.js';

/** The Rubin schema version the `rubin` codec expects on schemaless records. */
export const RUBIN_SCHEMA_VERSION = { major: 10, minor: 0 } as const;

const PACKET_SUBDIR = ['lsst', 'alert', 'packet', 'schema'];

function venvCandidates(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (;;) {
    const lib = join(dir, '.venv', 'lib');
    if (existsSync(lib)) {
      for (const py of readdirSync(lib).filter(n => n.startsWith('python'))) {
        out.push(join(lib, py, 'site-packages', ...PACKET_SUBDIR));
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      return out;
    }
    dir = parent;
  }
}

/**
 * The directory holding `lsst.v10_0.*.avsc`: `dir` if given, else `$ALERTLAB_RUBIN_SCHEMA_DIR`,
 * else the `lsst-alert-packet` install in a `.venv` above the working directory or this module.
 */
export function findRubinSchemaDir(dir?: string): string {
  const explicit = dir ?? process.env.ALERTLAB_RUBIN_SCHEMA_DIR;
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new SchemaNotFoundError(
        `Rubin schema directory "${explicit}" does not exist. Point ALERTLAB_RUBIN_SCHEMA_DIR (or the schemaDir option) at lsst/alert/packet/schema/10/0.`,
        { context: { dir: explicit } }
      );
    }
    return explicit;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const { major, minor } = RUBIN_SCHEMA_VERSION;
  for (const base of [...venvCandidates(process.cwd()), ...venvCandidates(here)]) {
    const candidate = join(base, String(major), String(minor));
    if (existsSync(join(candidate, `lsst.v${major}_${minor}.alert.avsc`))) {
      return candidate;
    }
  }
  throw new SchemaNotFoundError(
    `Rubin alert schema lsst.v${major}_${minor} not found. Run "bash scripts/setup.sh" (installs lsst-alert-packet into .venv) or set ALERTLAB_RUBIN_SCHEMA_DIR to its schema/${major}/${minor} directory.`
  );
}

/**
 * Loads the Rubin alert schema from `dir` (see findRubinSchemaDir): the parsed type, and `text`,
 * the schema as one self-contained JSON document (named types inlined where first used).
 */
export function loadRubinSchema(dir?: string): { type: AvroType; text: string } {
  const found = findRubinSchemaDir(dir);
  const files = readdirSync(found).filter(f => f.endsWith('.avsc'));
  const named = new Map<string, AvroJson>();
  let root: AvroJson | undefined;
  for (const f of files) {
    const json = JSON.parse(readFileSync(join(found, f), 'utf8')) as AvroJson;
    collectNamedDefinitions(json, named);
    if (f.endsWith('.alert.avsc')) {
      root = json;
    }
  }
  if (root === undefined) {
    throw new SchemaNotFoundError(`No *.alert.avsc in Rubin schema directory "${found}".`, {
      context: { dir: found }
    });
  }
  return {
    type: parseAvroSchema(root, named),
    text: JSON.stringify(inlineExternalTypes(root, named))
  };
}

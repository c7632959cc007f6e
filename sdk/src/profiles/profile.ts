/**
 * Stream profiles: one JSON file per public alert stream naming its brokers, its security settings
 * (the shape of buffer/security.ts, which holds no secret — credentials come from the environment
 * variables or files it names) and its alert format:
 *
 *   { "name": "lasair-lsst", "title": "...", "documentation": "https://...",
 *     "brokers": ["host:port", ...],
 *     "security": { "protocol": "SASL_SSL", "sasl": { "mechanism": "SCRAM-SHA-512",
 *                   "usernameEnv": "X_USER", "passwordEnv": "X_PASSWORD" } },
 *     "format": { "kind": "avro" | "confluent" | "json" | "rubin",
 *                 "schemaRegistry": "https://...", "rubinSchemaVersion": "10.0" },
 *     "topics": "what the stream's topics are called", "$comment": "..." }
 *
 * `avro`: Avro with its schema in each message (an object container file); `confluent`: magic
 * byte 0 + 4-byte schema id (resolved by `schemaRegistry`, and Rubin ids by lsst-alert-packet);
 * `json`: one JSON alert per message; `rubin`: schemaless Rubin bodies of `rubinSchemaVersion`.
 * Profiles are looked up by name in $ALERTLAB_PROFILES (a path list), ~/.config/alertlab/profiles
 * and the profiles/ folder shipped with alertlab; a path to a .json file also works.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertFormat } from '../alerts/types.js';
import { safeParseSecurity, type KafkaSecurity } from '../buffer/security.js';
import { ConfigError } from '../errors.js';

export type ProfileFormatKind = 'avro' | 'confluent' | 'json' | 'rubin';

export interface ProfileFormat {
  kind: ProfileFormatKind;
  /** Confluent Schema Registry URL (`confluent`). @default none (Rubin ids still resolve) */
  schemaRegistry?: string;
  /** Version of schemaless Rubin bodies (`rubin`). @default "10.0" */
  rubinSchemaVersion?: string;
}

export interface StreamProfile {
  name: string;
  title?: string;
  /** Where the stream's endpoint, security and format are documented. */
  documentation: string;
  brokers: string[];
  security: KafkaSecurity;
  format: ProfileFormat;
  /** How the stream's topics are named (free text for people). */
  topics?: string;
  /**
   * What the broker requires consumer group ids to start with: a literal prefix, or "$username"
   * (the SASL user name, for brokers that allow each user only groups named after them).
   * @default none
   */
  consumerGroupPrefix?: string;
  /** The file it was read from. */
  file: string;
}

const KINDS: readonly ProfileFormatKind[] = ['avro', 'confluent', 'json', 'rubin'];
const KEYS = [
  '$comment',
  'name',
  'title',
  'documentation',
  'brokers',
  'security',
  'format',
  'topics',
  'consumerGroupPrefix'
];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const BROKER_RE = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a profile's JSON (throws ConfigError naming every problem and the file). */
export function parseProfile(raw: unknown, file: string): StreamProfile {
  const issues: string[] = [];
  if (!isObject(raw)) {
    throw new ConfigError(`Stream profile ${file} is not a JSON object.`, { context: { file } });
  }
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) {
      issues.push(`${key}: unknown key (allowed: ${KEYS.join(', ')})`);
    }
  }
  const name = raw.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    issues.push('name: letters, digits, ".", "_" and "-"');
  }
  const doc = raw.documentation;
  if (typeof doc !== 'string' || !/^https:\/\//.test(doc)) {
    issues.push('documentation: the https URL where the stream is documented');
  }
  const brokers = raw.brokers;
  if (
    !Array.isArray(brokers) ||
    brokers.length === 0 ||
    brokers.some(b => typeof b !== 'string' || !BROKER_RE.test(b))
  ) {
    issues.push('brokers: a non-empty list of "host:port"');
  }
  const sec = safeParseSecurity(raw.security ?? { protocol: 'PLAINTEXT' }, {
    baseDir: dirname(file)
  });
  if (!sec.ok) {
    issues.push(...sec.issues.map(i => `${i.path}: ${i.message}`));
  }
  const prefix = raw.consumerGroupPrefix;
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || !/^(\$username|[A-Za-z0-9._-]+)$/.test(prefix))
  ) {
    issues.push('consumerGroupPrefix: "$username" or letters, digits, ".", "_" and "-"');
  }
  if (
    prefix === '$username' &&
    sec.ok &&
    !sec.value.sasl?.username &&
    !sec.value.sasl?.usernameEnv
  ) {
    issues.push('consumerGroupPrefix: "$username" needs security.sasl.username or usernameEnv');
  }
  const format = parseFormat(raw.format, issues);
  if (issues.length > 0 || !sec.ok || !format) {
    throw new ConfigError(`Stream profile ${file} is invalid: ${issues.join('; ')}.`, {
      context: { file, issues }
    });
  }
  return {
    name: name as string,
    title: typeof raw.title === 'string' ? raw.title : undefined,
    documentation: doc as string,
    brokers: [...(brokers as string[])],
    security: sec.value,
    format,
    topics: typeof raw.topics === 'string' ? raw.topics : undefined,
    consumerGroupPrefix: typeof prefix === 'string' ? prefix : undefined,
    file
  };
}

function parseFormat(raw: unknown, issues: string[]): ProfileFormat | undefined {
  const spec = typeof raw === 'string' ? { kind: raw } : raw;
  if (!isObject(spec) || !KINDS.includes(spec.kind as ProfileFormatKind)) {
    issues.push(`format.kind: one of ${KINDS.join(', ')}`);
    return undefined;
  }
  const out: ProfileFormat = { kind: spec.kind as ProfileFormatKind };
  for (const key of Object.keys(spec)) {
    if (!['kind', 'schemaRegistry', 'rubinSchemaVersion'].includes(key)) {
      issues.push(`format.${key}: unknown key (allowed: kind, schemaRegistry, rubinSchemaVersion)`);
    }
  }
  if (spec.schemaRegistry !== undefined) {
    if (typeof spec.schemaRegistry !== 'string' || !/^https?:\/\//.test(spec.schemaRegistry)) {
      issues.push('format.schemaRegistry: an http(s) URL');
    } else {
      out.schemaRegistry = spec.schemaRegistry;
    }
  }
  if (spec.rubinSchemaVersion !== undefined) {
    if (typeof spec.rubinSchemaVersion !== 'string') {
      issues.push('format.rubinSchemaVersion: a version such as "10.0" or "latest"');
    } else {
      out.rubinSchemaVersion = spec.rubinSchemaVersion;
    }
  }
  return out;
}

/** The alert format and decoder options a profile's format means. */
export function decoderSettings(format: ProfileFormat): {
  format: AlertFormat;
  rubinSchemaVersion?: string;
} {
  switch (format.kind) {
    case 'avro':
      return { format: 'auto' };
    case 'confluent':
      return { format: 'confluent' };
    case 'json':
      return { format: 'json' };
    case 'rubin':
      return { format: 'rubin', rubinSchemaVersion: format.rubinSchemaVersion };
  }
}

/** The profiles/ folder shipped with alertlab (beside sdk/). */
export const SHIPPED_PROFILES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../profiles'
);

/** Where profiles are looked up, first match wins. */
export function profileDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.ALERTLAB_PROFILES ?? '').split(delimiter).filter(Boolean);
  return [...extra, join(homedir(), '.config', 'alertlab', 'profiles'), SHIPPED_PROFILES_DIR];
}

/** Loads the profile `nameOrPath` (a name looked up in profileDirs, or a .json path). */
export function loadProfile(
  nameOrPath: string,
  env: NodeJS.ProcessEnv = process.env
): StreamProfile {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  const candidates = isPath
    ? [resolve(nameOrPath)]
    : profileDirs(env).map(d => join(d, `${nameOrPath}.json`));
  const file = candidates.find(f => existsSync(f));
  if (!file) {
    const known = listProfiles(env).map(p => p.name);
    throw new ConfigError(
      `No stream profile "${nameOrPath}" (looked in ${isPath ? candidates[0] : profileDirs(env).join(', ')}). Known profiles: ${known.join(', ') || 'none'}; or give the path of a profile .json file.`,
      { context: { profile: nameOrPath } }
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`Stream profile ${file} is not valid JSON: ${(e as Error).message}`, {
      context: { file }
    });
  }
  return parseProfile(raw, file);
}

/** Every profile found (a name once, the first directory's copy), sorted by name. */
export function listProfiles(env: NodeJS.ProcessEnv = process.env): StreamProfile[] {
  const seen = new Map<string, StreamProfile>();
  for (const dir of profileDirs(env)) {
    if (!existsSync(dir)) {
      continue;
    }
    for (const f of readdirSync(dir).filter(n => n.endsWith('.json'))) {
      const name = f.slice(0, -'.json'.length);
      if (!seen.has(name)) {
        seen.set(name, loadProfile(join(dir, f), env));
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Buffer sets from a JSON config file (`alertlab.buffers.json`):
 * `{ "bufferSets": [{ "name", "bootstrapServers": "local" | "host:port,...", "partitions",
 * "replicationFactor", "retentionMs", "topics": [...], "kafkaClient", "security" }] }`. A buffer set is one Kafka
 * cluster and the topics it holds, all with the same partitioning and retention; `security` is
 * its TLS/SASL settings (security.ts: variable and file names, never a secret).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BufferConfigError } from '../errors.js';
import { parseSecurity, safeParseSecurity, type KafkaSecurity } from './security.js';
import { KAFKA_CLIENTS, isKafkaClientName, type KafkaClientName } from './transport.js';

/** The default config file name, looked up from the working directory upwards. */
export const BUFFERS_CONFIG_FILE = 'alertlab.buffers.json';

export interface BufferSetConfig {
  /** Letters, digits, `.`, `_`, `-`. */
  name: string;
  /** `'local'` (the broker started by `alertlab kafka start`) or `host:port,host:port`. */
  bootstrapServers: string;
  /** Partitions per topic (parallelism of a consumer group). @default 1 */
  partitions: number;
  /** Copies of each partition (<= number of brokers). @default 1 */
  replicationFactor: number;
  /** How long records are kept, in ms; -1 keeps them forever. @default undefined (broker default) */
  retentionMs?: number;
  /** Extra topic configs, e.g. `{ "compression.type": "zstd" }`. @default {} */
  configs: Record<string, string>;
  /** Topic names in this set. */
  topics: string[];
  /**
   * The Kafka client for this set's cluster (`kafkajs`, `confluent`).
   * @default undefined (ALERTLAB_KAFKA_CLIENT, else the default client; see transport.ts)
   */
  kafkaClient?: KafkaClientName;
  /**
   * TLS/SASL for this set's cluster (relative paths from the config file's folder).
   * @default a secured local cluster's own settings for 'local', else ALERTLAB_KAFKA_SECURITY
   */
  security?: KafkaSecurity;
}

export interface BuffersConfig {
  bufferSets: BufferSetConfig[];
}

export interface ConfigIssue {
  /** Where in the document, e.g. `bufferSets[0].partitions`. */
  path: string;
  message: string;
}

export type ParseResult<V> = { ok: true; value: V } | { ok: false; issues: ConfigIssue[] };

const NAME_RE = /^[A-Za-z0-9._-]+$/;
const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const HOST_PORT_RE = /^[A-Za-z0-9.-]+:(\d{1,5})$/;
const SET_KEYS = new Set([
  'name',
  'bootstrapServers',
  'partitions',
  'replicationFactor',
  'retentionMs',
  'configs',
  'topics',
  'kafkaClient',
  'security'
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkBootstrap(value: unknown, path: string, issues: ConfigIssue[]): string {
  if (typeof value !== 'string' || value.trim() === '') {
    issues.push({ path, message: 'must be "local" or a list "host:port,host:port"' });
    return '';
  }
  const v = value.trim();
  if (v === 'local') {
    return v;
  }
  for (const server of v.split(',').map(s => s.trim())) {
    const m = HOST_PORT_RE.exec(server);
    const port = m ? Number(m[1]) : 0;
    if (!m || port < 1 || port > 65535) {
      issues.push({ path, message: `"${server}" is not host:port (or use "local")` });
    }
  }
  return v;
}

function checkInt(value: unknown, path: string, min: number, max: number, issues: ConfigIssue[]) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ path, message: `must be an integer from ${min} to ${max}` });
    return min;
  }
  return value;
}

function parseSet(raw: unknown, path: string, issues: ConfigIssue[]): BufferSetConfig | undefined {
  if (!isObject(raw)) {
    issues.push({ path, message: 'must be an object with name, bootstrapServers and topics' });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!SET_KEYS.has(key)) {
      issues.push({
        path: `${path}.${key}`,
        message: `unknown key (allowed: ${[...SET_KEYS].join(', ')})`
      });
    }
  }
  const name = raw.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    issues.push({
      path: `${path}.name`,
      message: 'must be a non-empty name of letters, digits, ".", "_", "-"'
    });
  }
  const bootstrapServers = checkBootstrap(raw.bootstrapServers, `${path}.bootstrapServers`, issues);
  const partitions =
    raw.partitions === undefined
      ? 1
      : checkInt(raw.partitions, `${path}.partitions`, 1, 10_000, issues);
  const replicationFactor =
    raw.replicationFactor === undefined
      ? 1
      : checkInt(raw.replicationFactor, `${path}.replicationFactor`, 1, 32, issues);
  let retentionMs: number | undefined;
  if (raw.retentionMs !== undefined) {
    retentionMs = checkInt(
      raw.retentionMs,
      `${path}.retentionMs`,
      -1,
      Number.MAX_SAFE_INTEGER,
      issues
    );
  }
  const configs: Record<string, string> = {};
  if (raw.configs !== undefined) {
    if (!isObject(raw.configs)) {
      issues.push({ path: `${path}.configs`, message: 'must be an object of string values' });
    } else {
      for (const [k, v] of Object.entries(raw.configs)) {
        if (typeof v !== 'string') {
          issues.push({ path: `${path}.configs.${k}`, message: 'must be a string' });
        } else {
          configs[k] = v;
        }
      }
    }
  }
  const kafkaClient = raw.kafkaClient;
  if (kafkaClient !== undefined && !isKafkaClientName(kafkaClient)) {
    const message = `must be one of: ${KAFKA_CLIENTS.join(', ')}`;
    issues.push({ path: `${path}.kafkaClient`, message });
  }
  let security: KafkaSecurity | undefined;
  if (raw.security !== undefined) {
    const parsed = safeParseSecurity(raw.security, { path: `${path}.security` });
    if (parsed.ok) {
      security = parsed.value;
    } else {
      issues.push(...parsed.issues);
    }
  }
  const topics: string[] = [];
  if (!Array.isArray(raw.topics) || raw.topics.length === 0) {
    issues.push({ path: `${path}.topics`, message: 'must be a non-empty array of topic names' });
  } else {
    raw.topics.forEach((t: unknown, i: number) => {
      if (typeof t !== 'string' || !TOPIC_RE.test(t) || t === '.' || t === '..') {
        issues.push({
          path: `${path}.topics[${i}]`,
          message: 'must be a Kafka topic name (1-249 of letters, digits, ".", "_", "-")'
        });
      } else if (topics.includes(t)) {
        issues.push({ path: `${path}.topics[${i}]`, message: `"${t}" is listed twice` });
      } else {
        topics.push(t);
      }
    });
  }
  return {
    name: typeof name === 'string' ? name : '',
    bootstrapServers,
    partitions,
    replicationFactor,
    retentionMs,
    configs,
    topics,
    ...(isKafkaClientName(kafkaClient) ? { kafkaClient } : {}),
    ...(security ? { security } : {})
  };
}

/** Validates a parsed JSON document; never throws. */
export function safeParseBuffersConfig(input: unknown): ParseResult<BuffersConfig> {
  const issues: ConfigIssue[] = [];
  if (!isObject(input) || !Array.isArray(input.bufferSets)) {
    return {
      ok: false,
      issues: [{ path: 'bufferSets', message: 'must be an array of buffer sets' }]
    };
  }
  for (const key of Object.keys(input)) {
    if (key !== 'bufferSets' && key !== '$schema' && key !== 'description') {
      issues.push({ path: key, message: 'unknown key (allowed: bufferSets, description)' });
    }
  }
  const bufferSets: BufferSetConfig[] = [];
  input.bufferSets.forEach((raw: unknown, i: number) => {
    const set = parseSet(raw, `bufferSets[${i}]`, issues);
    if (set === undefined) {
      return;
    }
    if (bufferSets.some(s => s.name === set.name)) {
      issues.push({ path: `bufferSets[${i}].name`, message: `"${set.name}" is used twice` });
    }
    bufferSets.push(set);
  });
  if (bufferSets.length === 0 && issues.length === 0) {
    issues.push({ path: 'bufferSets', message: 'must hold at least one buffer set' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { bufferSets } };
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map(i => `  - ${i.path}: ${i.message}`).join('\n');
}

/** Validates a parsed JSON document; throws BufferConfigError listing every issue. */
export function parseBuffersConfig(input: unknown, source = 'buffer config'): BuffersConfig {
  const result = safeParseBuffersConfig(input);
  if (!result.ok) {
    throw new BufferConfigError(
      `Invalid ${source}:\n${formatIssues(result.issues)}\nFix these entries and run the command again.`,
      { context: { source, issues: result.issues } }
    );
  }
  return result.value;
}

/** The nearest `alertlab.buffers.json` from `fromDir` upwards, or undefined. */
export function findBuffersConfig(fromDir: string = process.cwd()): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, BUFFERS_CONFIG_FILE);
    if (existsSync(candidate)) {
      return candidate;
    }
    if (dirname(dir) === dir) {
      return undefined;
    }
  }
}

/** Reads and validates a config file (default: the nearest alertlab.buffers.json). */
export async function loadBuffersConfig(
  path?: string
): Promise<{ path: string; config: BuffersConfig }> {
  const file = path ?? findBuffersConfig();
  if (file === undefined) {
    throw new BufferConfigError(
      `No ${BUFFERS_CONFIG_FILE} found in ${process.cwd()} or its parents. ` +
        'Pass one with --config <file>.'
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BufferConfigError(`Cannot read buffer config ${file}. Check the path.`, {
      cause,
      context: { path: file }
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BufferConfigError(`Buffer config ${file} is not valid JSON: ${String(cause)}`, {
      cause,
      context: { path: file }
    });
  }
  const config = parseBuffersConfig(json, `buffer config ${file}`);
  for (const set of config.bufferSets) {
    if (set.security) {
      set.security = parseSecurity(set.security, { baseDir: dirname(resolve(file)) });
    }
  }
  return { path: file, config };
}

/** The named set; without a name, the only set (or an error listing the choices). */
export function selectBufferSet(config: BuffersConfig, name?: string): BufferSetConfig {
  const names = config.bufferSets.map(s => s.name).join(', ');
  if (name === undefined) {
    if (config.bufferSets.length === 1) {
      return config.bufferSets[0];
    }
    throw new BufferConfigError(
      `Several buffer sets are configured (${names}); pick one with --set.`
    );
  }
  const set = config.bufferSets.find(s => s.name === name);
  if (set === undefined) {
    throw new BufferConfigError(`No buffer set "${name}" in the config (have: ${names}).`, {
      context: { set: name }
    });
  }
  return set;
}

/** The set that lists `topic`, if any. */
export function bufferSetOfTopic(
  config: BuffersConfig,
  topic: string
): BufferSetConfig | undefined {
  return config.bufferSets.find(s => s.topics.includes(topic));
}

/** Kafka topic configs for a set (retention plus extras). */
export function topicConfigsOf(set: BufferSetConfig): Record<string, string> {
  return {
    ...(set.retentionMs === undefined ? {} : { 'retention.ms': String(set.retentionMs) }),
    ...set.configs
  };
}

/** How to connect to a set's cluster (its brokers, Kafka client and security settings). */
export function connectionOf(set: BufferSetConfig): {
  bootstrapServers: string;
  kafkaClient?: KafkaClientName;
  security?: KafkaSecurity;
} {
  return {
    bootstrapServers: set.bootstrapServers,
    ...(set.kafkaClient ? { kafkaClient: set.kafkaClient } : {}),
    ...(set.security ? { security: set.security } : {})
  };
}

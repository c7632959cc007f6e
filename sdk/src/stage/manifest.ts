/**
 * Parsing and validating stage manifests: `safeParseStageManifest(json)` → `{ ok, value }` or
 * `{ ok: false, issues }` (every problem with its path), `parseStageManifest` throws
 * {@link StageManifestError} listing them, `loadStageManifest(path)` reads a JSON file and resolves
 * relative paths (filter, archive, store) against the manifest's folder.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigIssue, ParseResult } from '../buffer/config.js';
import { parseSecurity, safeParseSecurity, type KafkaSecurity } from '../buffer/security.js';
import { resolveOutputs } from '../filter/outputs.js';
import { DEFAULT_WORKER_MEMORY_MB } from '../filter/python/sandbox.js';
import { DEFAULT_SQL_MEMORY_LIMIT_MB, DEFAULT_SQL_THREADS } from '../filter/sql-sandbox.js';
import { MATCHER_KINDS } from '../crossmatch/create.js';
import { StageManifestError } from '../errors.js';
import { parseAggregate } from './manifest-aggregate.js';
import { parseObjects } from '../state/manifest.js';
import { parseNotifications } from '../notify/manifest.js';
import { parseWatch } from '../watch/manifest-watch.js';
import { FieldReader, ID_RE, TOPIC_RE, isObject } from './manifest-check.js';
import {
  DEFAULT_THIN_COLUMNS,
  type StageArchive,
  type StageCrossmatch,
  type StageFilter,
  type StageManifest
} from './manifest-types.js';

const TOPIC = { re: TOPIC_RE, hint: 'topic names use letters, digits, ".", "_", "-"' };
const TOP_KEYS = [
  'id',
  'kind',
  'input',
  'crossmatch',
  'filter',
  'outputs',
  'payload',
  'thinColumns',
  'deadLetterTopic',
  'batch',
  'consumer',
  'aggregate',
  'archive',
  'objects',
  'watch',
  'notifications',
  'worker'
];

function parseCrossmatch(r: FieldReader): StageCrossmatch | undefined {
  r.onlyKeys(['catalogs', 'mode', 'storePath', 'matcher', 'includeMovingObjects']);
  const list = r.raw.catalogs;
  if (!Array.isArray(list) || list.length === 0) {
    return r.fail('catalogs', 'must be a non-empty array of { name, radiusArcsec, columns? }');
  }
  const catalogs = list.map((c: unknown, i) => {
    if (!isObject(c)) {
      r.fail(`catalogs[${i}]`, 'must be an object { name, radiusArcsec, columns? }');
      return { name: '', radiusArcsec: 1, columns: [] };
    }
    const cr = new FieldReader(c, r.at(`catalogs[${i}]`), r.issues);
    cr.onlyKeys(['name', 'radiusArcsec', 'columns']);
    return {
      name: cr.string('name', { required: true }) ?? '',
      radiusArcsec: cr.number('radiusArcsec', 1e-6, 36_000) ?? 1,
      columns: cr.strings('columns', [])
    };
  });
  return {
    catalogs,
    mode: r.oneOf('mode', ['all', 'nearest'] as const, 'nearest') ?? 'nearest',
    storePath: r.string('storePath'),
    matcher: r.oneOf('matcher', MATCHER_KINDS, 'memory-zones') ?? 'memory-zones',
    includeMovingObjects: r.boolean('includeMovingObjects', false)
  };
}

function parseFilter(r: FieldReader, id: string): StageFilter | undefined {
  r.onlyKeys([
    'language',
    'kind',
    'outputs',
    'defaultOutput',
    'source',
    'path',
    'entry',
    'columns',
    'timeoutMs',
    'memoryLimitMb',
    'threads'
  ]);
  const language = r.oneOf('language', ['sql', 'typescript', 'python'] as const);
  const kind = r.oneOf('kind', ['yesno', 'leftright', 'switch'] as const);
  const source = r.string('source');
  const path = r.string('path');
  if ((source === undefined) === (path === undefined)) {
    r.fail('source', 'give exactly one of "source" (inline text) or "path" (a file)');
  }
  const entry = r.string('entry');
  if (language === 'python' && source !== undefined && entry === undefined) {
    r.fail('entry', 'is required with a Python "source": the @alertlab.filter function name');
  }
  const outputs = r.has('outputs') ? r.strings('outputs', []) : undefined;
  const defaultOutput = r.string('defaultOutput');
  if (kind !== undefined) {
    try {
      resolveOutputs({ id, kind, outputs, defaultOutput });
    } catch (error) {
      r.fail('outputs', (error as Error).message);
    }
  }
  if (language === undefined || kind === undefined) {
    return undefined;
  }
  const memoryDefault = language === 'sql' ? DEFAULT_SQL_MEMORY_LIMIT_MB : DEFAULT_WORKER_MEMORY_MB;
  return {
    language,
    kind,
    outputs,
    defaultOutput,
    source,
    path,
    entry,
    columns: r.strings('columns', []),
    timeoutMs: r.int('timeoutMs', 1, 3_600_000, 2000) ?? 2000,
    memoryLimitMb: r.int('memoryLimitMb', 16, 16_384, memoryDefault) ?? memoryDefault,
    threads: r.int('threads', 1, 8, DEFAULT_SQL_THREADS) ?? DEFAULT_SQL_THREADS
  };
}

function parseArchive(r: FieldReader): StageArchive | undefined {
  r.onlyKeys(['path', 'partitionBy', 'flushRows', 'maxIdleMs']);
  const path = r.string('path', { required: true });
  const partitionBy = r.oneOf('partitionBy', ['night', 'exposure-day'] as const, 'night');
  const flushRows = r.int('flushRows', 1, 10_000_000, 10_000) ?? 10_000;
  const maxIdleMs = r.int('maxIdleMs', 1, 86_400_000, 5000) ?? 5000;
  return path === undefined || partitionBy === undefined
    ? undefined
    : { path, partitionBy, flushRows, maxIdleMs };
}

function parseOutputs(r: FieldReader | undefined, filter: StageFilter | undefined, id: string) {
  const outputs: Record<string, string> = {};
  if (r === undefined) {
    return outputs;
  }
  for (const [name, topic] of Object.entries(r.raw)) {
    if (typeof topic !== 'string' || !TOPIC_RE.test(topic)) {
      r.fail(name, 'must be a topic name (letters, digits, ".", "_", "-")');
    } else {
      outputs[name] = topic;
    }
  }
  if (filter !== undefined) {
    const names = resolveOutputs({ id, ...filter }).outputs;
    const missing = names.filter(n => outputs[n] === undefined);
    if (missing.length > 0) {
      r.fail('', `needs a topic for filter output(s) ${missing.join(', ')}`);
    }
    for (const n of Object.keys(outputs).filter(n => !names.includes(n))) {
      r.fail(n, `is not an output of the filter (outputs: ${names.join(', ')})`);
    }
  }
  return outputs;
}

function parseInputSecurity(raw: unknown, issues: ConfigIssue[]): KafkaSecurity | undefined {
  if (raw === undefined) {
    return undefined;
  }
  const result = safeParseSecurity(raw, { path: 'input.security' });
  if (!result.ok) {
    issues.push(...result.issues);
    return undefined;
  }
  return result.value;
}

/** Validates a parsed JSON value as a stage manifest, collecting every issue. */
export function safeParseStageManifest(raw: unknown): ParseResult<StageManifest> {
  const issues: ConfigIssue[] = [];
  if (!isObject(raw)) {
    return { ok: false, issues: [{ path: '', message: 'a stage manifest is a JSON object' }] };
  }
  const r = new FieldReader(raw, '', issues);
  r.onlyKeys(TOP_KEYS);
  const id = r.string('id', { required: true, re: ID_RE, hint: 'letters, digits, ".", "_", "-"' });
  const kind = r.oneOf('kind', ['filter', 'aggregate', 'archive'] as const, 'filter');
  const input = r.object('input', true);
  input?.onlyKeys(['topic', 'bootstrapServers', 'security', 'format', 'fromBeginning']);
  const security = isObject(raw.input) ? parseInputSecurity(raw.input.security, issues) : undefined;
  const topic = input?.string('topic', { required: true, ...TOPIC });
  const format = input?.oneOf('format', ['rubin', 'ztf', 'confluent', 'json', 'auto'], 'auto');
  const xr = r.object('crossmatch', false);
  const crossmatch = xr === undefined ? undefined : parseCrossmatch(xr);
  const wr = r.object('watch', false);
  const watch = wr === undefined ? undefined : parseWatch(wr);
  if (kind !== 'filter' && r.has('filter')) {
    r.fail(
      'filter',
      `a ${kind} stage runs no filter; remove "filter" (filter stages use kind "filter")`
    );
  }
  const fr = r.object('filter', kind === 'filter');
  const filter = fr === undefined ? undefined : parseFilter(fr, id ?? 'stage');
  const outputs = parseOutputs(r.object('outputs', kind === 'filter'), filter, id ?? 'stage');
  const ar = r.object('aggregate', kind === 'aggregate');
  const aggregate = ar === undefined ? undefined : parseAggregate(ar);
  const sr = r.object('archive', kind === 'archive');
  const archive = sr === undefined ? undefined : parseArchive(sr);
  const batch = r.object('batch', false);
  batch?.onlyKeys(['maxRows', 'maxWaitMs', 'maxBytes']);
  const consumer = r.object('consumer', false);
  consumer?.onlyKeys(['sessionTimeoutMs', 'heartbeatIntervalMs', 'groupProtocol']);
  const worker = r.object('worker', false);
  worker?.onlyKeys(['heapMb']);
  const heapMb = worker?.int('heapMb', 64, 16_384);
  const value: Partial<StageManifest> = {
    id,
    kind,
    input: {
      topic: topic ?? '',
      bootstrapServers: input?.string('bootstrapServers'),
      ...(security ? { security } : {}),
      format: format ?? 'auto',
      fromBeginning: input?.boolean('fromBeginning', true) ?? true
    },
    crossmatch,
    watch,
    filter,
    outputs,
    payload: r.oneOf('payload', ['full', 'thin', 'annotated'] as const, 'full'),
    thinColumns: r.strings('thinColumns', DEFAULT_THIN_COLUMNS),
    deadLetterTopic: r.string('deadLetterTopic', { required: true, ...TOPIC }),
    batch: {
      maxRows: batch?.int('maxRows', 1, 1_000_000, 5000) ?? 5000,
      maxWaitMs: batch?.int('maxWaitMs', 0, 60_000, 500) ?? 500,
      maxBytes: batch?.int('maxBytes', 1024, 1 << 30, 8 << 20) ?? 8 << 20
    },
    consumer: {
      sessionTimeoutMs: consumer?.int('sessionTimeoutMs', 6000, 3_600_000, 10_000) ?? 10_000,
      heartbeatIntervalMs: consumer?.int('heartbeatIntervalMs', 100, 60_000, 1000) ?? 1000,
      groupProtocol:
        consumer?.oneOf('groupProtocol', ['classic', 'consumer'], 'classic') ?? 'classic'
    },
    aggregate,
    archive,
    objects: parseObjects(raw.objects, r, id ?? 'stage', kind ?? 'filter'),
    notifications: parseNotifications(raw.notifications, r, Object.keys(outputs ?? {})),
    ...(heapMb !== undefined ? { worker: { heapMb } } : {})
  };
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as StageManifest };
}

/** Like {@link safeParseStageManifest}, throwing a StageManifestError that lists every issue. */
export function parseStageManifest(raw: unknown, source = 'stage manifest'): StageManifest {
  const result = safeParseStageManifest(raw);
  if (!result.ok) {
    const lines = result.issues.map(i => `  - ${i.path || '(top level)'}: ${i.message}`);
    throw new StageManifestError(
      `Invalid ${source}:\n${lines.join('\n')}\nFix these fields and run the stage again.`,
      { context: { source, issues: result.issues } }
    );
  }
  return result.value;
}

/** Reads and validates a manifest file; relative paths inside resolve against its folder. */
export async function loadStageManifest(path: string): Promise<StageManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new StageManifestError(`Cannot read stage manifest ${path}. Check the path.`, {
      cause,
      context: { path }
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new StageManifestError(
      `Stage manifest ${path} is not valid JSON: ${(cause as Error).message}`,
      { cause, context: { path } }
    );
  }
  const manifest = parseStageManifest(raw, `stage manifest ${path}`);
  const base = dirname(resolve(path));
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  if (manifest.filter?.path !== undefined) {
    const p = manifest.filter.path;
    const isPyModule = manifest.filter.language === 'python' && !p.split(':')[0].endsWith('.py');
    manifest.filter.path = isPyModule ? p : abs(p);
  }
  if (manifest.archive) {
    manifest.archive.path = abs(manifest.archive.path);
  }
  if (manifest.input.security) {
    manifest.input.security = parseSecurity(manifest.input.security, { baseDir: base });
  }
  if (manifest.crossmatch?.storePath !== undefined) {
    manifest.crossmatch.storePath = abs(manifest.crossmatch.storePath);
  }
  return manifest;
}

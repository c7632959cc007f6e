/**
 * Where the Confluent wire format's schema ids are resolved: a map, a directory of `<id>.json` /
 * `<id>.avsc` files, or an HTTP Schema Registry (`GET {url}/schemas/ids/{id}`). The directory and
 * registry sources cache schema texts within a byte budget (schema-cache.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaNotFoundError } from '../errors.js';
import { ByteLru, DEFAULT_SCHEMA_TEXT_CACHE_BYTES, textBytes } from './schema-cache.js';

export interface SchemaSource {
  /** The schema JSON text for `id` when known without I/O (in memory, on disk or cached). */
  peek(id: number): string | undefined;
  /** Loads the schema for `id`, doing I/O if needed; rejects with SchemaNotFoundError. */
  load(id: number): Promise<string>;
  close(): Promise<void>;
  /** What the source's cache holds (sources that cache). */
  cacheStats?(): SchemaCacheStats;
}

/** Entries and accounted bytes of a bounded cache, and how many it evicted. */
export interface SchemaCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
}

function notFound(id: number, where: string, cause?: unknown): SchemaNotFoundError {
  return new SchemaNotFoundError(
    `Schema id ${id} is not in ${where}. Register the writer schema there, or point the decoder at the schema source the producer used.`,
    { cause, context: { schemaId: id, source: where }, retriable: where.startsWith('http') }
  );
}

/** A fixed id → schema map (schema values as JSON text or objects). */
export function mapSchemaSource(
  schemas: ReadonlyMap<number, string | object> | Record<number, string | object>
): SchemaSource {
  const entries =
    schemas instanceof Map
      ? [...schemas]
      : Object.entries(schemas).map(([k, v]) => [Number(k), v] as const);
  const map = new Map<number, string>(
    entries.map(([id, s]) => [id, typeof s === 'string' ? s : JSON.stringify(s)])
  );
  return {
    peek: id => map.get(id),
    load: async id => {
      const s = map.get(id);
      if (s === undefined) {
        throw notFound(id, 'the schema map');
      }
      return s;
    },
    close: async () => undefined
  };
}

/**
 * A directory of `<id>.json` or `<id>.avsc` files. A `.json` file may be a Schema Registry
 * response (`{"schema": "..."}`) or the schema itself.
 */
export function dirSchemaSource(dir: string, options: { cacheBytes?: number } = {}): SchemaSource {
  const cache = new ByteLru<number, string>(options.cacheBytes ?? DEFAULT_SCHEMA_TEXT_CACHE_BYTES);
  const peek = (id: number): string | undefined => {
    const hit = cache.get(id);
    if (hit !== undefined) {
      return hit;
    }
    for (const ext of ['json', 'avsc']) {
      const file = join(dir, `${id}.${ext}`);
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        const parsed = JSON.parse(text) as unknown;
        const schema =
          typeof parsed === 'object' &&
          parsed !== null &&
          'schema' in parsed &&
          typeof parsed.schema === 'string'
            ? parsed.schema
            : text;
        cache.set(id, schema, textBytes(schema));
        return schema;
      }
    }
    return undefined;
  };
  return {
    peek,
    load: async id => {
      const s = peek(id);
      if (s === undefined) {
        throw notFound(id, `directory ${dir}`);
      }
      return s;
    },
    close: async () => undefined,
    cacheStats: () => cache.stats()
  };
}

/** Options of httpSchemaSource. */
export interface HttpSchemaSourceOptions {
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Extra request headers (e.g. Authorization). @default {} */
  headers?: Record<string, string>;
  /** How long an id the registry did not have is not asked for again. @default 30000 */
  missingRetryMs?: number;
  /**
   * Bytes of schema text kept (least recently used evicted; an evicted id is fetched again by
   * the next prepare). @default 16 MiB
   */
  cacheBytes?: number;
}

/**
 * A Confluent-compatible Schema Registry at `url`. Schemas are immutable per id, so a cached one
 * stays right; they are cached within `cacheBytes`, and ids the registry lacked within 1 MiB.
 */
export function httpSchemaSource(url: string, options: HttpSchemaSourceOptions = {}): SchemaSource {
  const cache = new ByteLru<number, string>(options.cacheBytes ?? DEFAULT_SCHEMA_TEXT_CACHE_BYTES);
  const pending = new Map<number, Promise<string>>(); // bounded by the requests in flight
  const missing = new ByteLru<number, { until: number; error: unknown }>(1024 * 1024);
  const base = url.replace(/\/+$/, '');
  const fetchSchema = async (id: number): Promise<string> => {
    const where = `${base}/schemas/ids/${id}`;
    let res: Response;
    try {
      res = await fetch(where, {
        headers: { Accept: 'application/vnd.schemaregistry.v1+json', ...options.headers },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
      });
    } catch (cause) {
      throw notFound(id, where, cause);
    }
    if (!res.ok) {
      throw notFound(id, `${where} (HTTP ${res.status})`);
    }
    const body = (await res.json()) as { schema?: unknown };
    if (typeof body.schema !== 'string') {
      throw notFound(id, `${where} (no "schema" in the response)`);
    }
    cache.set(id, body.schema, textBytes(body.schema));
    return body.schema;
  };
  return {
    peek: id => cache.get(id),
    load: id => {
      const hit = cache.get(id);
      if (hit !== undefined) {
        return Promise.resolve(hit);
      }
      const miss = missing.peek(id);
      if (miss && miss.until > Date.now()) {
        return Promise.reject(miss.error);
      }
      let p = pending.get(id);
      if (!p) {
        p = fetchSchema(id)
          .catch((error: unknown) => {
            const until = Date.now() + (options.missingRetryMs ?? 30_000);
            missing.set(id, { until, error }, 512);
            throw error;
          })
          .finally(() => pending.delete(id));
        pending.set(id, p);
      }
      return p;
    },
    close: async () => {
      cache.clear();
      missing.clear();
    },
    cacheStats: () => cache.stats()
  };
}

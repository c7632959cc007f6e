/**
 * Where the Confluent wire format's schema ids are resolved: a map, a directory of `<id>.json` /
 * `<id>.avsc` files, or an HTTP Schema Registry (`GET {url}/schemas/ids/{id}`), each cached.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaNotFoundError } from '../errors.js';
function notFound(id, where, cause) {
    return new SchemaNotFoundError(`Schema id ${id} is not in ${where}. Register the writer schema there, or point the decoder at the schema source the producer used.`, { cause, context: { schemaId: id, source: where }, retriable: where.startsWith('http') });
}
/** A fixed id → schema map (schema values as JSON text or objects). */
export function mapSchemaSource(schemas) {
    const entries = schemas instanceof Map
        ? [...schemas]
        : Object.entries(schemas).map(([k, v]) => [Number(k), v]);
    const map = new Map(entries.map(([id, s]) => [id, typeof s === 'string' ? s : JSON.stringify(s)]));
    return {
        peek: id => map.get(id),
        load: async (id) => {
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
export function dirSchemaSource(dir) {
    const cache = new Map();
    const peek = (id) => {
        const hit = cache.get(id);
        if (hit !== undefined) {
            return hit;
        }
        for (const ext of ['json', 'avsc']) {
            const file = join(dir, `${id}.${ext}`);
            if (existsSync(file)) {
                const text = readFileSync(file, 'utf8');
                const parsed = JSON.parse(text);
                const schema = typeof parsed === 'object' &&
                    parsed !== null &&
                    'schema' in parsed &&
                    typeof parsed.schema === 'string'
                    ? parsed.schema
                    : text;
                cache.set(id, schema);
                return schema;
            }
        }
        return undefined;
    };
    return {
        peek,
        load: async (id) => {
            const s = peek(id);
            if (s === undefined) {
                throw notFound(id, `directory ${dir}`);
            }
            return s;
        },
        close: async () => undefined
    };
}
/** A Confluent-compatible Schema Registry at `url`; schemas are immutable per id, so cached forever. */
export function httpSchemaSource(url, options = {}) {
    const cache = new Map();
    const pending = new Map();
    const base = url.replace(/\/+$/, '');
    const fetchSchema = async (id) => {
        const where = `${base}/schemas/ids/${id}`;
        let res;
        try {
            res = await fetch(where, {
                headers: { Accept: 'application/vnd.schemaregistry.v1+json', ...options.headers },
                signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
            });
        }
        catch (cause) {
            throw notFound(id, where, cause);
        }
        if (!res.ok) {
            throw notFound(id, `${where} (HTTP ${res.status})`);
        }
        const body = (await res.json());
        if (typeof body.schema !== 'string') {
            throw notFound(id, `${where} (no "schema" in the response)`);
        }
        cache.set(id, body.schema);
        return body.schema;
    };
    return {
        peek: id => cache.get(id),
        load: id => {
            const hit = cache.get(id);
            if (hit !== undefined) {
                return Promise.resolve(hit);
            }
            let p = pending.get(id);
            if (!p) {
                p = fetchSchema(id).finally(() => pending.delete(id));
                pending.set(id, p);
            }
            return p;
        },
        close: async () => {
            cache.clear();
        }
    };
}

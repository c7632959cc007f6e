/**
 * Writing alerts to buffer topics: serialized values or alert objects (as JSON), Avro container
 * files split into one record per alert, and rejected records to a dead-letter topic with their
 * original bytes, key and headers plus where and why they failed.
 */
import { readFile } from 'node:fs/promises';
import { toDeadLetters } from '../alerts/index.js';
import { ConfigError, KafkaTransportError } from '../errors.js';
import { ocfToRecordValues, surveyOfSchema } from './ocf.js';
const encoder = new TextEncoder();
function jsonBytes(value) {
    const marks = [];
    const text = JSON.stringify(value, (_k, v) => {
        if (typeof v === 'bigint') {
            marks.push(v.toString());
            return `\u0000big${marks.length - 1}\u0000`;
        }
        return v;
    });
    // bigints become bare JSON integers (exact), not strings or rounded numbers
    const exact = text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i) => marks[Number(i)]);
    return encoder.encode(exact);
}
/** The bytes a value is sent as. */
export function toValueBytes(value) {
    if (value instanceof Uint8Array) {
        return value;
    }
    return typeof value === 'string' ? encoder.encode(value) : jsonBytes(value);
}
/** Builds the records for `values` (no I/O). */
export function toRecords(topic, values, options = {}) {
    return values.map((v, i) => ({
        topic,
        value: toValueBytes(v),
        key: typeof options.key === 'function' ? options.key(v, i) : (options.key ?? null),
        partition: options.partition,
        headers: options.headers,
        timestampMs: typeof options.timestampMs === 'function' ? options.timestampMs(i) : options.timestampMs
    }));
}
function isTooLarge(error) {
    if (!(error instanceof KafkaTransportError)) {
        return false;
    }
    const code = error.context.code;
    return code === 'MESSAGE_TOO_LARGE' || code === 'RECORD_LIST_TOO_LARGE';
}
async function sendSplitting(producer, records, out) {
    try {
        out.push(...(await producer.send(records)));
    }
    catch (error) {
        if (!isTooLarge(error) || records.length === 1) {
            throw error;
        }
        const half = Math.ceil(records.length / 2);
        await sendSplitting(producer, records.slice(0, half), out);
        await sendSplitting(producer, records.slice(half), out);
    }
}
/**
 * Sends records in requests of at most `maxRequestBytes` of values; a request the broker finds
 * too large is split in halves and resent.
 */
export async function sendRecords(producer, records, maxRequestBytes = 4 * 1024 * 1024) {
    const results = [];
    let bytes = 0;
    let chunk = [];
    let chunkBytes = 0;
    for (const r of records) {
        const size = r.value?.length ?? 0;
        if (chunk.length > 0 && chunkBytes + size > maxRequestBytes) {
            await sendSplitting(producer, chunk, results);
            chunk = [];
            chunkBytes = 0;
        }
        chunk.push(r);
        chunkBytes += size;
        bytes += size;
    }
    if (chunk.length > 0) {
        await sendSplitting(producer, chunk, results);
    }
    return { records: records.length, bytes, results };
}
/** Reads an Avro container file and returns one record value per alert, framed as asked. */
export async function readAlertFile(path, framing = 'auto') {
    let bytes;
    try {
        bytes = new Uint8Array(await readFile(path));
    }
    catch (cause) {
        throw new ConfigError(`Cannot read alert file ${path}. Check the path.`, {
            cause,
            context: { path }
        });
    }
    const split = ocfToRecordValues(bytes, framing);
    return { ...split, survey: surveyOfSchema(split.schema) };
}
/**
 * Dead-letter records: the original value, key, headers and timestamp, plus the alerts module's
 * `alertlab-*` headers saying why and where (reason, code, source topic/partition/offset).
 */
export function deadLetterRecords(topic, rejects) {
    const letters = toDeadLetters(rejects.map((r, i) => ({ ...r, index: i })), rejects.map(r => r.value), i => rejects[i]);
    return rejects.map((r, i) => {
        const headers = {};
        for (const [k, v] of Object.entries(r.headers ?? {})) {
            if (v !== undefined) {
                headers[k] = v;
            }
        }
        Object.assign(headers, letters[i].headers);
        return { topic, value: letters[i].value, key: r.key, headers, timestampMs: r.timestampMs };
    });
}

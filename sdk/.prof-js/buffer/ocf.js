/**
 * Framing alerts from an Avro container file (OCF) as Kafka record values, one per alert, the way
 * surveys publish them: ZTF a one-record container file (schema inside), Rubin the bare Avro body
 * (schema known to readers) or the Confluent wire format (magic 0 + 4-byte schema id + body).
 * Splitting the file is the alerts module's `splitOcfRecords`.
 */
import { splitOcfRecords } from '../alerts/index.js';
import { ConfigError } from '../errors.js';
const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01); // "Obj\x01"
/** Encodes a long as an Avro zig-zag varint. */
export function encodeLong(value) {
    let n = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    const out = [];
    while (n >= 0x80n) {
        out.push(Number(n & 0x7fn) | 0x80);
        n >>= 7n;
    }
    out.push(Number(n));
    return Uint8Array.from(out);
}
function avroBytes(b) {
    return [encodeLong(BigInt(b.length)), b];
}
/** A container file holding `bodies` in one uncompressed block. */
export function writeOcf(schemaJson, bodies, sync) {
    const marker = sync ?? Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256));
    const enc = new TextEncoder();
    const size = bodies.reduce((n, b) => n + b.length, 0);
    return new Uint8Array(Buffer.concat([
        MAGIC,
        encodeLong(2n),
        ...avroBytes(enc.encode('avro.schema')),
        ...avroBytes(enc.encode(schemaJson)),
        ...avroBytes(enc.encode('avro.codec')),
        ...avroBytes(enc.encode('null')),
        encodeLong(0n),
        marker,
        encodeLong(BigInt(bodies.length)),
        encodeLong(BigInt(size)),
        ...bodies,
        marker
    ]));
}
/** Prefixes a body with the Confluent wire-format header (magic 0, schema id big-endian). */
export function confluentFrame(schemaId, body) {
    if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
        throw new ConfigError(`Confluent schema id must be an integer from 0 to 2^31-1, got ${schemaId}.`);
    }
    const out = new Uint8Array(5 + body.length);
    new DataView(out.buffer).setUint32(1, schemaId);
    out.set(body, 5);
    return out;
}
/** Which survey a writer schema belongs to, from its top-level fields. */
export function surveyOfSchema(schemaJson) {
    const schema = JSON.parse(schemaJson);
    const fields = (schema.fields ?? []).map(f => f.name);
    if (fields.includes('diaSource')) {
        return 'rubin';
    }
    return fields.includes('candidate') && fields.includes('candid') ? 'ztf' : 'unknown';
}
/** True for Rubin's own published alert schema (`lsst.vX_Y.alert`), which readers know. */
export function isOfficialRubinSchema(schemaJson) {
    const s = JSON.parse(schemaJson);
    const full = s.name?.includes('.') ? s.name : `${s.namespace ?? ''}.${s.name ?? ''}`;
    return /^lsst\.v\d+_\d+\.alert$/.test(full);
}
/**
 * The framing `'auto'` picks: ZTF → 'ocf'; Rubin with the official schema → 'body'; anything
 * else → 'ocf' (a bare body would be unreadable without its non-standard schema).
 */
export function autoFraming(schemaJson) {
    return surveyOfSchema(schemaJson) === 'rubin' && isOfficialRubinSchema(schemaJson)
        ? 'body'
        : 'ocf';
}
/** Splits a container file into Kafka record values, one per alert. */
export function ocfToRecordValues(file, framing = 'auto') {
    const { schema, records } = splitOcfRecords(file);
    const chosen = framing === 'auto' ? autoFraming(schema) : framing;
    let values;
    if (chosen === 'body') {
        values = records;
    }
    else if (chosen === 'ocf') {
        values = records.map(r => writeOcf(schema, [r]));
    }
    else {
        values = records.map(r => confluentFrame(chosen.confluentSchemaId, r));
    }
    return { values, schema, framing: chosen };
}

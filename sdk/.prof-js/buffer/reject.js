/** Attaches Kafka coordinates and original bytes to decoder rejects (`index` into `records`). */
export function toBufferRejects(topic, partition, records, rejects) {
    return rejects.map(r => {
        const rec = records[r.index];
        return {
            ...r,
            topic,
            partition,
            offset: rec.offset,
            timestampMs: rec.timestampMs,
            key: rec.key,
            value: rec.value,
            headers: rec.headers
        };
    });
}
/** Every record as a reject with one reason (used when a decoder fails on a whole batch). */
export function rejectAll(topic, partition, records, code, reason) {
    return toBufferRejects(topic, partition, records, records.map((_r, index) => ({ index, code, reason })));
}

/** Thrown inside a codec to reject one input with a stable code. */
export class RejectError extends Error {
    code;
    name = 'RejectError';
    constructor(code, message) {
        super(message);
        this.code = code;
    }
}
/** Turns anything thrown while decoding input `index` into a DecodeReject. */
export function toReject(index, e) {
    if (e instanceof RejectError) {
        return { index, code: e.code, reason: e.message };
    }
    const message = e instanceof Error ? e.message : String(e);
    return {
        index,
        code: 'decode-error',
        reason: e instanceof RangeError ? `Avro record is truncated or corrupt: ${message}.` : message
    };
}
/** Header names written on dead-letter records. */
export const DEAD_LETTER_HEADERS = {
    reason: 'alertlab-reason',
    code: 'alertlab-code',
    topic: 'alertlab-source-topic',
    partition: 'alertlab-source-partition',
    offset: 'alertlab-source-offset',
    record: 'alertlab-source-record'
};
/**
 * Builds one dead-letter record per reject, carrying the original value and its coordinates
 * (`source` is indexed like `values`, or a function of the index). Pure: producing is the buffer
 * layer's job.
 */
export function toDeadLetters(rejects, values, source) {
    const at = typeof source === 'function' ? source : (i) => source[i];
    return rejects.map(r => {
        const c = at(r.index);
        const headers = {
            [DEAD_LETTER_HEADERS.reason]: r.reason,
            [DEAD_LETTER_HEADERS.code]: r.code,
            [DEAD_LETTER_HEADERS.topic]: c.topic,
            [DEAD_LETTER_HEADERS.partition]: String(c.partition),
            [DEAD_LETTER_HEADERS.offset]: String(c.offset)
        };
        if (r.record !== undefined) {
            headers[DEAD_LETTER_HEADERS.record] = String(r.record);
        }
        return { value: values[r.index] ?? null, headers };
    });
}

/**
 * `attach(topic, options)`: a buffer topic as an AsyncIterable of Arrow alert batches. Each fetched
 * Kafka batch is decoded whole (one `decodeBatch` call) and gets its Kafka coordinates as columns.
 *
 * Offsets: nothing is committed unless the caller calls `batch.commit()` (at-least-once: after a
 * restart or rebalance, a group resumes after its last commit). With `group`, committed offsets
 * win over `from: 'earliest' | 'latest'` (those only say where a group without commits starts);
 * `{ offset }` and `{ timestamp }` reposition every partition once, when first assigned.
 * Without `group`, attach reads through an ephemeral group (`alertlab-attach-<uuid>`) that owns
 * every partition and never commits: `commit()` then resolves without doing anything.
 */
import { randomUUID } from 'node:crypto';
import { Field, Float64, Int32, Int64, RecordBatch, Schema, Struct, Utf8, makeData } from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import { ConfigError } from '../errors.js';
import { coordinatesOf, withKafkaColumns } from './coordinates.js';
import { getDefaultLogger } from './log.js';
import { HandoffQueue } from './queue.js';
import { rejectAll, toBufferRejects } from './reject.js';
function emptyBatch() {
    const fields = [
        new Field('kafkaTopic', new Utf8(), false),
        new Field('kafkaPartition', new Int32(), false),
        new Field('kafkaOffset', new Int64(), false),
        new Field('kafkaTimestampMs', new Float64(), false)
    ];
    const schema = new Schema(fields);
    const children = fields.map(f => makeData({ type: f.type, length: 0 }));
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: 0, children }));
}
function checkOptions(options) {
    const rows = options.maxBatchRows;
    if (rows !== undefined && (!Number.isInteger(rows) || rows < 1)) {
        throw new ConfigError(`attach: maxBatchRows must be a positive integer, got ${rows}.`);
    }
    const from = options.from;
    if (typeof from === 'object' && 'offset' in from && BigInt(from.offset) < 0n) {
        throw new ConfigError(`attach: from.offset must be >= 0, got ${from.offset}.`);
    }
}
async function startPositions(transport, topic, from) {
    const admin = await transport.admin();
    try {
        const [info] = await admin.describeTopics([topic]);
        if (typeof from !== 'object') {
            return undefined;
        }
        if ('offset' in from) {
            const offset = BigInt(from.offset);
            return new Map(info.partitions.map(p => [p.partition, offset]));
        }
        const ms = from.timestamp instanceof Date ? from.timestamp.getTime() : from.timestamp;
        const offsets = await admin.offsetsForTimestamp(topic, ms);
        return new Map(offsets.map(o => [o.partition, o.offset]));
    }
    finally {
        await admin.close();
    }
}
/** Decodes one chunk of records of one partition into an AlertBatch. */
export async function decodeChunk(ctx, partition, records) {
    let batch;
    let rejects;
    const values = records.map(r => r.value);
    // I/O failures here (a schema registry down) are not the records' fault: they fail the fetch,
    // and the Kafka client retries it, instead of sending good records to the dead letters.
    await ctx.decoder.prepare?.(values);
    try {
        const decoded = ctx.decoder.decodeBatch(values, { includeCutouts: ctx.includeCutouts });
        const coords = coordinatesOf(ctx.topic, partition, records, decoded.rowIndex);
        batch = withKafkaColumns(decoded.batch, coords);
        rejects = toBufferRejects(ctx.topic, partition, records, decoded.rejects);
    }
    catch (error) {
        ctx.logger.warn('decoder failed on a whole batch; all its records go to rejects', {
            topic: ctx.topic,
            partition,
            error: String(error)
        });
        batch = emptyBatch();
        rejects = rejectAll(ctx.topic, partition, records, 'decode-error', `Decoder failed: ${String(error)}`);
    }
    const firstOffset = records[0].offset;
    const lastOffset = records[records.length - 1].offset;
    return {
        topic: ctx.topic,
        partition,
        batch,
        rejects,
        firstOffset,
        lastOffset,
        commit: () => ctx.commit(partition, lastOffset + 1n)
    };
}
/** attach() on an existing transport; the transport stays open when iteration ends. */
export async function* attachWith(transport, topic, options = {}) {
    checkOptions(options);
    const { signal, group } = options;
    if (signal?.aborted) {
        return;
    }
    const from = options.from ?? 'earliest';
    const logger = options.logger ?? getDefaultLogger();
    const targets = await startPositions(transport, topic, from);
    const decoder = options.decoder ?? createDecoder(options.format ?? 'auto');
    const queue = new HandoffQueue(options.prefetchBatches ?? 2);
    const maxRows = options.maxBatchRows ?? 10_000;
    const committed = new Map();
    let consumer;
    const ctx = {
        topic,
        decoder,
        includeCutouts: options.includeCutouts ?? false,
        logger,
        commit: async (partition, nextOffset) => {
            if (group === undefined || consumer === undefined) {
                return;
            }
            if ((committed.get(partition) ?? -1n) >= nextOffset) {
                return;
            }
            await consumer.commit([{ topic, partition, offset: nextOffset }]);
            if ((committed.get(partition) ?? -1n) < nextOffset) {
                committed.set(partition, nextOffset);
            }
        }
    };
    const handler = async (fb) => {
        if (fb.topic !== topic) {
            return;
        }
        const all = fb.records;
        for (let start = 0; start < all.length; start += maxRows) {
            if (!fb.isRunning() || fb.isStale() || queue.isClosed) {
                return;
            }
            const chunk = all.length <= maxRows ? all : all.slice(start, start + maxRows);
            const item = await decodeChunk(ctx, fb.partition, chunk);
            if (!(await queue.push(item, { onWait: () => fb.heartbeat() }))) {
                return;
            }
            fb.resolveOffset(item.lastOffset);
        }
    };
    const onAbort = () => queue.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
        consumer = await transport.consumer({
            ...options.consumer,
            groupId: group ?? `alertlab-attach-${randomUUID()}`
        });
        const positioned = new Set();
        const c = consumer;
        c.onAssignment(assignment => {
            const mine = assignment[topic] ?? [];
            for (const p of mine) {
                const target = targets?.get(p);
                if (target !== undefined && !positioned.has(p)) {
                    c.seek(topic, p, target);
                    positioned.add(p);
                }
            }
            queue.drop(item => !mine.includes(item.partition));
            options.onAssignment?.([...mine].sort((a, b) => a - b));
        });
        // the transport (or a BufferClient) closed under us: end the iteration instead of hanging
        c.onDisconnect(() => queue.close());
        c.onCrash((error, restarting) => {
            if (!restarting) {
                queue.fail(error);
            }
            else {
                logger.warn('Kafka consumer crashed and is rejoining', { topic, error: error.message });
            }
        });
        await c.subscribe([topic], { fromBeginning: from !== 'latest' });
        await c.run(handler);
        for (;;) {
            const next = await queue.next(signal);
            if (next.done) {
                return;
            }
            yield next.value;
        }
    }
    finally {
        signal?.removeEventListener('abort', onAbort);
        queue.close();
        await consumer?.close();
    }
}

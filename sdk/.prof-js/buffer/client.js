/**
 * `BufferClient`: one connection to a buffer set's brokers, with attach, lag, produce and topic
 * admin on it. `withBuffer(fn)` opens one and closes it in `finally`; the free functions
 * (`attach`, `lag`, `produce`, ...) open a short-lived client per call, for notebooks and scripts.
 */
import { attachWith } from './attach.js';
import { resolveBootstrapServers } from './bootstrap.js';
import { deadLetterRecords, readAlertFile, sendRecords, toRecords } from './produce.js';
import { DEFAULT_TOPIC_CONFIGS, describeTopic, lagOf } from './topics.js';
import { createTransport } from './transport.js';
export class BufferClient {
    transport;
    adminClient;
    producerClient;
    closed = false;
    constructor(transport) {
        this.transport = transport;
    }
    /** Resolves the brokers and prepares a client (connections open on first use). */
    static async create(options = {}) {
        const bootstrapServers = await resolveBootstrapServers(options.bootstrapServers);
        return new BufferClient(createTransport({ bootstrapServers, clientId: options.clientId, logger: options.logger }));
    }
    get bootstrapServers() {
        return this.transport.bootstrapServers;
    }
    /** The shared admin client (connected on first use, closed with this client). */
    admin() {
        this.adminClient ??= this.transport.admin();
        return this.adminClient;
    }
    /** The shared idempotent producer (connected on first use, closed with this client). */
    producer() {
        this.producerClient ??= this.transport.producer({ idempotent: true });
        return this.producerClient;
    }
    /** Alert batches from `topic`; see attachWith. Each attach has its own consumer. */
    attach(topic, options = {}) {
        return attachWith(this.transport, topic, options);
    }
    async lag(topic, group) {
        return lagOf(await this.admin(), topic, group);
    }
    async describeTopic(topic) {
        return describeTopic(await this.admin(), topic);
    }
    /** Creates topics (alerts-sized `max.message.bytes` unless given); existing ones are reported. */
    async createTopics(specs) {
        const admin = await this.admin();
        return admin.createTopics(specs.map(s => ({ ...s, configs: { ...DEFAULT_TOPIC_CONFIGS, ...s.configs } })));
    }
    async deleteTopics(topics) {
        await (await this.admin()).deleteTopics(topics);
    }
    /** Sends serialized alerts (or alert objects as JSON) to `topic`. */
    async produce(topic, values, options = {}) {
        return sendRecords(await this.producer(), toRecords(topic, values, options), options.maxRequestBytes);
    }
    /** Splits an Avro container file into one record per alert and sends them to `topic`. */
    async produceFile(topic, path, options = {}) {
        const { values, framing, survey } = await readAlertFile(path, options.framing);
        return { ...(await this.produce(topic, values, options)), framing, survey };
    }
    /** Writes rejects to a dead-letter topic with their original bytes, key and headers. */
    async writeDeadLetters(topic, rejects) {
        if (rejects.length === 0) {
            return { records: 0, bytes: 0, results: [] };
        }
        return sendRecords(await this.producer(), deadLetterRecords(topic, rejects));
    }
    async close() {
        if (this.closed) {
            return;
        }
        this.closed = true;
        await this.transport.close();
    }
}
/** Runs `fn` with a client and closes it afterwards, whatever happens. */
export async function withBuffer(fn, options = {}) {
    const client = await BufferClient.create(options);
    try {
        return await fn(client);
    }
    finally {
        await client.close();
    }
}
/**
 * Alert batches from `topic` on its own connection, closed when the iteration ends (break,
 * return, error or `signal` abort).
 */
export async function* attach(topic, options = {}) {
    const client = await BufferClient.create(options);
    try {
        yield* client.attach(topic, options);
    }
    finally {
        await client.close();
    }
}
/** Lag of `group` on each partition of `topic`. */
export function lag(topic, group, options = {}) {
    return withBuffer(c => c.lag(topic, group), options);
}
/** Sends alerts to `topic` on a short-lived connection. */
export function produce(topic, values, options = {}) {
    return withBuffer(c => c.produce(topic, values, options), options);
}
/** Sends the alerts of an Avro container file to `topic`, one record per alert. */
export function produceFile(topic, path, options = {}) {
    return withBuffer(c => c.produceFile(topic, path, options), options);
}
/** Writes rejects to a dead-letter topic. */
export function writeDeadLetters(topic, rejects, options = {}) {
    return withBuffer(c => c.writeDeadLetters(topic, rejects), options);
}

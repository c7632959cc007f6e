/**
 * Kafka buffer sets and topics → AsyncIterable of Arrow alert batches. The only module that talks
 * to Kafka; kafkajs itself is imported in transport.ts alone.
 */
export { BufferClient, withBuffer, attach, lag, produce, produceFile, writeDeadLetters } from './client.js';
export { attachWith } from './attach.js';
export { deadLetterRecords, readAlertFile, toValueBytes } from './produce.js';
export { DEFAULT_TOPIC_CONFIGS, createBufferSetTopics, describeTopic, lagOf, summarizeTopics } from './topics.js';
export { BUFFERS_CONFIG_FILE, bufferSetOfTopic, findBuffersConfig, loadBuffersConfig, parseBuffersConfig, safeParseBuffersConfig, selectBufferSet } from './config.js';
export { resolveBootstrapServers } from './bootstrap.js';
export { KAFKA_COLUMNS } from './coordinates.js';
export { createTransport } from './transport.js';
export { createRetry, isRetriableError } from './retry.js';
export { createLogger } from './log.js';
export { confluentFrame, ocfToRecordValues, writeOcf } from './ocf.js';

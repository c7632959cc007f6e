/**
 * Kafka buffer sets and topics → AsyncIterable of Arrow alert batches. The only module that talks
 * to Kafka; each client is imported in its own folder alone (see transport.ts).
 */
export {
  BufferClient,
  withBuffer,
  attach,
  lag,
  produce,
  produceFile,
  writeDeadLetters,
  type BufferOptions
} from './client.js';
export { attachWith, type AlertBatch, type AttachFrom, type AttachOptions } from './attach.js';
export type { BufferReject } from './reject.js';
export {
  deadLetterRecords,
  readAlertFile,
  toValueBytes,
  type AlertValue,
  type ProduceFileOptions,
  type ProduceOptions,
  type ProduceSummary
} from './produce.js';
export {
  DEFAULT_TOPIC_CONFIGS,
  createBufferSetTopics,
  describeTopic,
  lagOf,
  summarizeTopics,
  type GroupOnTopic,
  type PartitionLag,
  type TopicReport,
  type TopicSummary
} from './topics.js';
export {
  BUFFERS_CONFIG_FILE,
  bufferSetOfTopic,
  connectionOf,
  findBuffersConfig,
  loadBuffersConfig,
  parseBuffersConfig,
  safeParseBuffersConfig,
  selectBufferSet,
  type BufferSetConfig,
  type BuffersConfig,
  type ConfigIssue,
  type ParseResult
} from './config.js';
export {
  resolveBootstrapServers,
  resolveKafkaConnection,
  type BootstrapSetting,
  type KafkaConnection
} from './bootstrap.js';
export {
  parseSecurity,
  safeParseSecurity,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  type KafkaSecurity,
  type SaslMechanism,
  type SaslSettings,
  type SecurityProtocol,
  type TlsSettings
} from './security.js';
export { describeSecurity, loadSecurityFile, securityFromEnv } from './security-sources.js';
export { resolveSecurity, Secret, scrubSecrets } from './security-secrets.js';
export { KAFKA_COLUMNS } from './coordinates.js';
export { createTransport } from './transport.js';
export type * from './transport-types.js';
export { createRetry, isRetriableError, type RetryOptions, type Retrier } from './retry.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
export { confluentFrame, ocfToRecordValues, writeOcf, type OcfFraming } from './ocf.js';

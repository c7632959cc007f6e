/** The local Kafka launcher: public surface. */
export { LocalKafka, withLocalKafka } from './local-kafka.js';
export { resolveBootstrap, splitBootstrap } from './bootstrap.js';
export { DEFAULT_BROKER_PORT, CONTROLLER_PORT_OFFSET } from './config.js';
export { probeMetadata } from './probe.js';

/** The local Kafka launcher: public surface. */
export { LocalKafka, withLocalKafka } from './local-kafka.js';
export type {
  LocalKafkaHomeOptions,
  LocalKafkaStartOptions,
  LocalKafkaStopOptions
} from './local-kafka.js';
export { resolveBootstrap, splitBootstrap } from './bootstrap.js';
export type { ResolveBootstrapOptions } from './bootstrap.js';
export type { LocalKafkaStatus, NodeStatus } from './status.js';
export type { StopClusterResult } from './cluster.js';
export type { ClusterState, NodeState } from './state.js';
export type { NodeCount } from './config.js';
export { DEFAULT_BROKER_PORT, CONTROLLER_PORT_OFFSET } from './config.js';
export { probeMetadata } from './probe.js';
export type { ProbeMetadata, ProbeBroker } from './probe.js';

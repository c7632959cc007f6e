export * from './errors.js';
export * from './alerts/types.js';
export * from './alerts/index.js';
export * from './duck/index.js';
export * from './filter/index.js';
export { LocalKafka, withLocalKafka, resolveBootstrap } from './buffer/local/index.js';
export type {
  LocalKafkaStartOptions,
  LocalKafkaStopOptions,
  LocalKafkaStatus,
  NodeStatus,
  NodeState,
  NodeCount
} from './buffer/local/index.js';
export * from './buffer/index.js';
export * from './catalog/index.js';
export * from './crossmatch/index.js';
export * from './stage/index.js';
export * from './simulate/index.js';
export * from './control/index.js';
export * from './objects/index.js';
export * from './profiles/index.js';

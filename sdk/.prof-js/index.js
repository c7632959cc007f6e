export * from './errors.js';
export * from './alerts/types.js';
export * from './alerts/index.js';
export * from './duck/index.js';
export * from './filter/index.js';
export { LocalKafka, withLocalKafka, resolveBootstrap } from './buffer/local/index.js';
export * from './buffer/index.js';

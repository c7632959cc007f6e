/** @alertlab/kernel-bridge: the Node engine side of the ZeroMQ bridge to Python. */
export { fromIpcBytes, fromIpcParts, toIpcBytes, toIpcParts } from './arrow-ipc.js';
export { BridgeClient, withBridgeClient, type RequestOptions } from './client.js';
export {
  alertlabHome,
  defaultConnectionFile,
  endpointOf,
  readConnectionFile,
  writeConnectionFile,
  type ConnectionInfo
} from './connection.js';
export {
  BridgeEngine,
  type BridgeEngineOptions,
  type EngineEvent,
  type StreamEntry
} from './engine.js';
export {
  BridgeNotReadyError,
  BridgeTimeoutError,
  FilterWorkerError,
  ProtocolError,
  RemoteError
} from './errors.js';
export type { EngineContext, Handler, HandlerResult, RequestContext } from './handler-kit.js';
export { MemoryTopics } from './memory-topics.js';
export {
  BRIDGE_PROTOCOL_VERSION,
  DELIMITER,
  MESSAGE_TYPES,
  replyTypeOf,
  type BridgeErrorCode,
  type MessageType
} from './messages.js';
export {
  PythonFilterHost,
  withPythonFilterHost,
  type PythonFilterHostOptions,
  type PythonRouting,
  type WorkerFilterSpec
} from './python-filter-host.js';
export { sdkServices } from './sdk-services.js';
export type {
  AttachOptions,
  BridgeServices,
  ConeOptions,
  CrossmatchOptions,
  ServiceReply,
  StreamItem,
  TopicInfo
} from './services.js';
export { CreditGate, type StreamStats } from './stream.js';
export {
  decodeMessage,
  encodeMessage,
  makeHeader,
  sign,
  type BridgeMessage,
  type Header
} from './wire.js';

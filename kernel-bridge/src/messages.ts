/**
 * The bridge's message types, declared once. Python mirrors this table in
 * `alertlab/_messages.py` (a unit test checks both agree). Every request type names its reply type;
 * one-way messages have `reply: null`. Handlers are looked up by type in a dispatch map, so a type
 * missing from the map gets an `unknown-type` error reply instead of a crash. Promotion is not a
 * bridge message: Python speaks to the controller's REST API itself (`alertlab/controller.py`).
 */

/** Protocol version and delimiter frame: defined with the wire format (in the SDK). */
export { BRIDGE_PROTOCOL_VERSION, DELIMITER } from '../../sdk/src/filter/python/frames.js';

export interface MessageSpec {
  /** The reply's msg_type, or null for one-way messages. */
  reply: string | null;
  /** Who sends it: a notebook client to the engine, the engine to a client, or a filter host to a worker. */
  from: 'client' | 'engine' | 'host' | 'worker';
  summary: string;
}

export const MESSAGE_TYPES = {
  ping_request: {
    reply: 'ping_reply',
    from: 'client',
    summary: 'heartbeat; engine pid and uptime'
  },
  topics_request: { reply: 'topics_reply', from: 'client', summary: 'list buffer topics' },
  attach_request: {
    reply: 'attach_reply',
    from: 'client',
    summary: 'open a batch stream on a topic with an initial credit'
  },
  stream_ack: {
    reply: null,
    from: 'client',
    summary: 'acknowledge batches up to seq; returns that many credits (and optional extra)'
  },
  detach_request: { reply: 'detach_reply', from: 'client', summary: 'stop a batch stream' },
  stream_batch: { reply: null, from: 'engine', summary: 'one Arrow IPC batch of a stream' },
  stream_end: { reply: null, from: 'engine', summary: 'a stream finished, was detached or failed' },
  echo_request: {
    reply: 'echo_reply',
    from: 'client',
    summary: 'decode the Arrow buffers in Node and send them back re-encoded'
  },
  crossmatch_request: {
    reply: 'crossmatch_reply',
    from: 'client',
    summary:
      'cross-match an Arrow table (raDeg, decDeg) against catalogs; the reply is one Arrow IPC stream split over its buffers (concatenate them)'
  },
  cone_request: { reply: 'cone_reply', from: 'client', summary: 'cone search one catalog' },
  lightcurve_request: {
    reply: 'lightcurve_reply',
    from: 'client',
    summary: 'lightcurve rows of one object'
  },
  backtest_request: {
    reply: 'backtest_reply',
    from: 'client',
    summary:
      "run a filter with a stage's semantics over Arrow batches or an archive span; counts, routed rows, dead letters, yield"
  },
  shutdown_request: { reply: 'shutdown_reply', from: 'client', summary: 'stop the engine' },
  worker_hello: {
    reply: 'worker_welcome',
    from: 'worker',
    summary: 'a Python filter worker announces its filter (kind, outputs, columns)'
  },
  filter_batch_request: {
    reply: 'filter_batch_reply',
    from: 'host',
    summary: 'evaluate the filter on one Arrow IPC batch; reply has Int32 routing bytes'
  },
  error: { reply: null, from: 'engine', summary: 'error reply to an unknown or unreadable message' }
} as const satisfies Record<string, MessageSpec>;

export type MessageType = keyof typeof MESSAGE_TYPES;

/** Machine codes carried in `content.code` of error replies. */
export type BridgeErrorCode =
  | 'bad-signature'
  | 'malformed'
  | 'unknown-type'
  | 'bad-request'
  | 'not-found'
  | 'remote-exception'
  | 'timeout'
  | 'worker-exited';

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGE_TYPES, type);
}

/** The reply type for a request type, or `error` when the type is unknown or one-way. */
export function replyTypeOf(type: string): string {
  return isMessageType(type) ? (MESSAGE_TYPES[type].reply ?? 'error') : 'error';
}

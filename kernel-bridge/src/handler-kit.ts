/**
 * Shared pieces for handlers: what a handler sees of the engine ({@link EngineContext}), the
 * handler type and request-field readers. Handlers depend on this module only — never on the
 * engine class, which imports them.
 */
import { RemoteError } from './errors.js';
import type { IpcBufferPool } from './ipc-pool.js';
import type { BridgeServices, StreamItem } from './services.js';
import type { CreditGate } from './stream.js';
import type { BridgeMessage, Header, JsonObject } from './wire.js';

/** A sent, unacknowledged batch: the item (to commit on ack) and its pooled IPC buffer. */
export interface SentBatch {
  item: StreamItem;
  lease: Buffer;
}

/** One attached stream, as the handlers and the engine see it. */
export interface StreamEntry {
  id: string;
  identities: Buffer[];
  gate: CreditGate<SentBatch>;
  abort: AbortController;
  ended: boolean;
}

/** The engine as its handlers use it (implemented by `BridgeEngine`). */
export interface EngineContext {
  readonly streams: Map<string, StreamEntry>;
  readonly startedAt: number;
  /** Buffers for stream batches, reused once the client acknowledged them. */
  readonly ipcPool: IpcBufferPool;
  readonly services: BridgeServices;
  /** A stream with no credit for this long is stopped (ms). */
  readonly creditTimeoutMs: number;
  /** Sends one message to a peer; rejects if the peer is gone. */
  send(
    identities: Buffer[],
    msgType: string,
    content: JsonObject,
    buffers?: Uint8Array[],
    parent?: Partial<Header>
  ): Promise<void>;
  /** Instrumentation event. */
  emit(type: string, payload: JsonObject): void;
  /** What `shutdown_request` does once its reply is sent. */
  shutdown(): void;
}

export interface RequestContext {
  message: BridgeMessage;
  engine: EngineContext;
}

export interface HandlerResult {
  content: JsonObject;
  buffers?: Uint8Array[];
  /** Runs after the reply is sent (e.g. start pumping a stream). */
  after?: () => Promise<void>;
}

/** Returns a reply, or nothing for one-way messages. */
export type Handler = (ctx: RequestContext) => Promise<HandlerResult | void>;

/** The engine's service `name`, bound to its services object. */
export function service<K extends keyof BridgeServices>(
  engine: EngineContext,
  name: K
): BridgeServices[K] {
  const fn = engine.services[name] as (...args: never[]) => unknown;
  return fn.bind(engine.services) as BridgeServices[K];
}

export function str(content: JsonObject, field: string): string {
  const v = content[field];
  if (typeof v !== 'string' || v === '') {
    throw new RemoteError(`Request needs a non-empty string "${field}".`, 'bad-request');
  }
  return v;
}

export function num(content: JsonObject, field: string, fallback?: number): number {
  const v = content[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RemoteError(
      `Request needs a finite number "${field}" (got ${String(v)}).`,
      'bad-request'
    );
  }
  return v;
}

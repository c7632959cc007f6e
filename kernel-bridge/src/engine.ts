/**
 * The Node side of the bridge: a ROUTER socket, a dispatch map from message type to handler, and
 * the streams it serves. Every request gets a reply — an unknown type, a bad signature or a
 * throwing handler become `status: 'error'` replies; nothing that arrives can crash the engine.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'zeromq';
import {
  defaultConnectionFile,
  endpointOf,
  newKey,
  removeConnectionFile,
  writeConnectionFile,
  type ConnectionInfo
} from './connection.js';
import { errorContent } from './error-content.js';
import type { EngineContext, Handler, HandlerResult, StreamEntry } from './handler-kit.js';
import { defaultHandlers } from './handlers.js';
import { IpcBufferPool } from './ipc-pool.js';
import { BRIDGE_PROTOCOL_VERSION, replyTypeOf } from './messages.js';
import { sdkServices } from './sdk-services.js';
import { SendQueue } from './send-queue.js';
import type { BridgeServices } from './services.js';
import {
  decodeMessage,
  encodeMessage,
  makeHeader,
  type BridgeMessage,
  type Header,
  type JsonObject
} from './wire.js';

export interface EngineEvent {
  type: string;
  timestamp: number;
  payload: JsonObject;
}

export interface BridgeEngineOptions {
  /** Where to write the connection file; `null` writes none. @default `$ALERTLAB_HOME/bridge.json` */
  connectionFile?: string | null;
  /** @default 'tcp' */
  transport?: 'tcp' | 'ipc';
  /** Host for tcp, path prefix for ipc. @default '127.0.0.1' (tcp), `$ALERTLAB_HOME/bridge` (ipc) */
  ip?: string;
  /** @default 0 (an ephemeral port chosen by the OS) */
  port?: number;
  /** HMAC key. @default 32 random bytes, hex */
  key?: string;
  /**
   * Services that replace the default ones (tests replace `attach`, engine-main serves memory
   * topics); every other service is `sdkServices()`'s (Kafka, catalogs, filters; loaded on use).
   * @default {}
   */
  services?: Partial<BridgeServices>;
  /** Extra or replacement handlers, by message type. @default {} */
  handlers?: Record<string, Handler>;
  /** A stream with no credit for this long is stopped. @default 600_000 */
  creditTimeoutMs?: number;
  /** Called on `shutdown_request` after the reply is sent. @default closes the engine */
  onShutdown?: () => void;
  /** Instrumentation (requests, errors, stream ends). @default none */
  onEvent?: (event: EngineEvent) => void;
}

export type { SentBatch, StreamEntry } from './handler-kit.js';

export class BridgeEngine implements EngineContext {
  readonly streams = new Map<string, StreamEntry>();
  readonly session = randomUUID();
  readonly startedAt = Date.now();
  /** Buffers for stream batches, reused once the client acknowledged them. */
  readonly ipcPool = new IpcBufferPool();
  private readonly queue: SendQueue;
  private readonly key: Buffer;
  private readonly handlers: Record<string, Handler>;
  private closed = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly socket: Router,
    readonly info: ConnectionInfo,
    readonly connectionFile: string | null,
    readonly services: BridgeServices,
    readonly options: BridgeEngineOptions
  ) {
    this.queue = new SendQueue(socket);
    this.key = Buffer.from(info.key);
    this.handlers = { ...defaultHandlers(), ...(options.handlers ?? {}) };
  }

  /** Binds the ROUTER socket, writes the connection file and starts serving. */
  static async create(options: BridgeEngineOptions = {}): Promise<BridgeEngine> {
    const transport = options.transport ?? 'tcp';
    const connectionFile =
      options.connectionFile === undefined ? defaultConnectionFile() : options.connectionFile;
    const ip =
      options.ip ??
      (transport === 'ipc'
        ? `${(connectionFile ?? defaultConnectionFile()).replace(/\.json$/, '')}`
        : '127.0.0.1');
    const socket = new Router({ mandatory: true, linger: 0, sendHighWaterMark: 1000 });
    const port = options.port ?? (transport === 'ipc' ? process.pid : 0);
    await socket.bind(
      transport === 'tcp'
        ? `tcp://${ip}:${port === 0 ? '*' : port}`
        : endpointOf({ transport, ip, shell_port: port })
    );
    const bound = socket.lastEndpoint ?? '';
    const info: ConnectionInfo = {
      transport,
      ip,
      shell_port: transport === 'tcp' ? Number(bound.slice(bound.lastIndexOf(':') + 1)) : port,
      key: options.key ?? newKey(),
      signature_scheme: 'hmac-sha256',
      pid: process.pid,
      protocol_version: BRIDGE_PROTOCOL_VERSION
    };
    const services = withOverrides(await sdkServices(), options.services ?? {});
    const engine = new BridgeEngine(socket, info, connectionFile, services, options);
    if (connectionFile) {
      await writeConnectionFile(connectionFile, info);
    }
    engine.loop = engine.receiveLoop();
    return engine;
  }

  get creditTimeoutMs(): number {
    return this.options.creditTimeoutMs ?? 600_000;
  }

  shutdown(): void {
    (this.options.onShutdown ?? (() => void this.close()))();
  }

  get endpoint(): string {
    return endpointOf(this.info);
  }

  emit(type: string, payload: JsonObject): void {
    this.options.onEvent?.({ type, timestamp: Date.now(), payload });
  }

  /** Sends one message to a peer; rejects if the peer is gone (ROUTER mandatory). */
  send(
    identities: Buffer[],
    msgType: string,
    content: JsonObject,
    buffers: Uint8Array[] = [],
    parent: Partial<Header> = {}
  ): Promise<void> {
    const frames = encodeMessage(this.key, {
      identities,
      header: makeHeader(msgType, this.session),
      parent_header: parent,
      metadata: {},
      content,
      buffers
    });
    return this.queue.send(frames);
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        void this.handle(frames as Buffer[]);
      }
    } catch (err) {
      if (!this.closed) {
        this.emit('socket-error', { message: (err as Error).message });
      }
    }
  }

  private async handle(frames: Buffer[]): Promise<void> {
    const decoded = decodeMessage(this.key, frames);
    if (!decoded.ok) {
      this.emit('rejected', { code: decoded.code, reason: decoded.reason });
      if (decoded.identities.length > 0) {
        const parent = decoded.header ?? {};
        const what = parent.msg_type
          ? `"${parent.msg_type}" (msg_id ${parent.msg_id})`
          : 'a message';
        await this.send(
          decoded.identities,
          'error',
          errorContent(
            decoded.code,
            'ProtocolError',
            `The engine rejected ${what}: ${decoded.reason}. Reconnect with the key from the current connection file.`
          ),
          [],
          decoded.code === 'bad-signature' ? pick(parent) : parent
        ).catch(() => undefined);
      }
      return;
    }
    await this.dispatch(decoded.message);
  }

  private async dispatch(msg: BridgeMessage): Promise<void> {
    const type = msg.header.msg_type;
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, type)
      ? this.handlers[type]
      : undefined;
    const started = Date.now();
    let result: HandlerResult | void;
    if (!handler) {
      result = {
        content: errorContent(
          'unknown-type',
          'ProtocolError',
          `Unknown message type "${type}". Known types: ${Object.keys(this.handlers).sort().join(', ')}.`
        )
      };
    } else {
      try {
        result = await handler({ message: msg, engine: this });
      } catch (err) {
        result = { content: errorContent(err) };
      }
    }
    this.emit('request', {
      msg_type: type,
      msg_id: msg.header.msg_id,
      elapsed_ms: Date.now() - started
    });
    if (!result) {
      return;
    }
    const replyType = handler ? replyTypeOf(type) : 'error';
    const content = { status: 'ok', ...result.content };
    try {
      await this.send(msg.identities, replyType, content, result.buffers ?? [], msg.header);
      await result.after?.();
    } catch (err) {
      this.emit('send-error', { msg_type: replyType, message: (err as Error).message });
    }
  }

  /** Stops streams, closes the socket and removes the connection file. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const s of this.streams.values()) {
      s.abort.abort();
    }
    this.socket.close();
    await this.loop;
    await this.services
      .close()
      .catch((err: unknown) => this.emit('close-error', { message: (err as Error).message }));
    if (this.connectionFile) {
      await removeConnectionFile(this.connectionFile);
    }
  }
}

/** `base` with some services replaced; `close` closes both. */
function withOverrides(base: BridgeServices, overrides: Partial<BridgeServices>): BridgeServices {
  return {
    ...base,
    ...overrides,
    close: async () => {
      await overrides.close?.();
      await base.close();
    }
  };
}

/** Only the ids of an unverified header are echoed back. */
function pick(h: Partial<Header>): Partial<Header> {
  return { msg_id: h.msg_id, msg_type: h.msg_type };
}

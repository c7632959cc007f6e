/**
 * A Node DEALER client for the bridge (tests, benchmarks, tools). Requests are matched to replies
 * by `parent_header.msg_id`; stream batches go to per-stream queues; timeouts name the request.
 */
import { randomUUID } from 'node:crypto';
import { Dealer } from 'zeromq';
import { endpointOf, type ConnectionInfo } from './connection.js';
import { BridgeTimeoutError, RemoteError } from './errors.js';
import { SendQueue } from './send-queue.js';
import {
  decodeMessage,
  encodeMessage,
  makeHeader,
  type BridgeMessage,
  type JsonObject
} from './wire.js';

export interface RequestOptions {
  /** @default 30_000 */
  timeoutMs?: number;
  buffers?: Uint8Array[];
}

type Waiter = (msg: BridgeMessage) => void;

export class BridgeClient {
  readonly session = randomUUID();
  private readonly socket: Dealer;
  private readonly queue: SendQueue;
  private readonly waiters = new Map<string, Waiter>();
  private readonly streamListeners = new Map<string, Waiter>();
  private readonly early = new Map<string, BridgeMessage[]>();
  private readonly key: Buffer;
  private loop: Promise<void>;
  /** Messages nobody waited for (e.g. error replies to malformed frames). */
  readonly unmatched: BridgeMessage[] = [];

  constructor(readonly info: ConnectionInfo) {
    this.key = Buffer.from(info.key);
    this.socket = new Dealer({ linger: 0 });
    this.socket.connect(endpointOf(info));
    this.queue = new SendQueue(this.socket);
    this.loop = this.receiveLoop();
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const d = decodeMessage(this.key, frames as Buffer[]);
        if (!d.ok) {
          continue;
        }
        const msg = d.message;
        const streamId = msg.content.stream_id;
        const isStream = typeof streamId === 'string' && msg.header.msg_type.startsWith('stream_');
        const listener = isStream ? this.streamListeners.get(streamId) : undefined;
        const waiter = this.waiters.get(msg.parent_header.msg_id ?? '');
        if (listener) {
          listener(msg);
        } else if (isStream) {
          this.early.set(streamId, [...(this.early.get(streamId) ?? []), msg]);
        } else if (waiter) {
          this.waiters.delete(msg.parent_header.msg_id ?? '');
          waiter(msg);
        } else {
          this.unmatched.push(msg);
        }
      }
    } catch {
      // socket closed
    }
  }

  /** Sends raw frames (tests use this to send bad signatures or broken messages). */
  sendFrames(frames: Uint8Array[]): Promise<void> {
    return this.queue.send(frames);
  }

  /** Sends a one-way message. */
  async notify(msgType: string, content: JsonObject, buffers: Uint8Array[] = []): Promise<string> {
    const header = makeHeader(msgType, this.session);
    const frames = encodeMessage(this.key, {
      header,
      parent_header: {},
      metadata: {},
      content,
      buffers
    });
    await this.queue.send(frames);
    return header.msg_id;
  }

  /** Sends a request and resolves with its reply; a `status: 'error'` reply rejects with RemoteError. */
  async request(
    msgType: string,
    content: JsonObject = {},
    options: RequestOptions = {}
  ): Promise<BridgeMessage> {
    const msg = await this.requestRaw(msgType, content, options);
    const c = msg.content;
    if (c.status === 'error') {
      throw new RemoteError(
        `${msgType} failed: ${String(c.ename)}: ${String(c.evalue)}`,
        String(c.code ?? 'remote-exception'),
        Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        { msgType }
      );
    }
    return msg;
  }

  /** Like `request` but returns error replies instead of throwing. */
  requestRaw(
    msgType: string,
    content: JsonObject = {},
    options: RequestOptions = {}
  ): Promise<BridgeMessage> {
    const header = makeHeader(msgType, this.session);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const started = Date.now();
    return new Promise<BridgeMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(header.msg_id);
        const elapsedMs = Date.now() - started;
        reject(
          new BridgeTimeoutError(
            `No reply to ${msgType} (msg_id ${header.msg_id}) after ${elapsedMs} ms. Check the engine is running (ping) and not overloaded.`,
            { retriable: true, context: { msgType, msgId: header.msg_id, elapsedMs } }
          )
        );
      }, timeoutMs);
      this.waiters.set(header.msg_id, m => {
        clearTimeout(timer);
        resolve(m);
      });
      const frames = encodeMessage(this.key, {
        header,
        parent_header: {},
        metadata: {},
        content,
        buffers: options.buffers ?? []
      });
      this.queue.send(frames).catch((err: unknown) => {
        clearTimeout(timer);
        this.waiters.delete(header.msg_id);
        reject(err);
      });
    });
  }

  /** Routes stream messages (`stream_batch`, `stream_end`) of `streamId` to `listener`. */
  onStream(streamId: string, listener: Waiter | null): void {
    if (listener) {
      this.streamListeners.set(streamId, listener);
      const early = this.early.get(streamId) ?? [];
      this.early.delete(streamId);
      early.forEach(listener);
    } else {
      this.streamListeners.delete(streamId);
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}

/** Runs `fn` with a connected client and closes it afterwards. */
export async function withBridgeClient<T>(
  info: ConnectionInfo,
  fn: (client: BridgeClient) => Promise<T>
): Promise<T> {
  const client = new BridgeClient(info);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

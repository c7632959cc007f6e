/**
 * The host end of the filter-worker protocol on a ROUTER socket: waits for `worker_hello`, sends
 * `filter_batch_request`s to the current worker and races each reply against a time limit and the
 * worker's exit.
 */
import type { Router } from 'zeromq';
import { FilterWorkerError } from '../../errors.js';
import {
  decodeMessage,
  encodeMessage,
  makeHeader,
  type BridgeMessage,
  type JsonObject
} from './frames.js';
import type { SendQueue } from './send-queue.js';
import type { WorkerProcess } from './worker-process.js';

/** What a worker announces about its filter (Python's `Filter.spec()`). */
export interface WorkerFilterSpec {
  name: string;
  kind: string;
  outputs: string[];
  columns?: string[] | null;
  input?: string;
  source?: string;
  default_output?: string | null;
}

export type Outcome =
  { kind: 'reply'; reply: BridgeMessage } | { kind: 'timeout' } | { kind: 'exited' };

export class WorkerChannel {
  readonly session = 'filter-host';
  private identities: Buffer[] = [];
  private hello: ((m: BridgeMessage) => void) | null = null;
  private readonly pending = new Map<string, (m: BridgeMessage) => void>();
  private readonly loop: Promise<void>;

  constructor(
    private readonly socket: Router,
    private readonly queue: SendQueue,
    private readonly key: Buffer
  ) {
    this.loop = this.receive();
  }

  private send(
    identities: Buffer[],
    msgType: string,
    content: JsonObject,
    buffers: Uint8Array[] = [],
    parent = {}
  ) {
    const header = makeHeader(msgType, this.session);
    const frames = encodeMessage(this.key, {
      identities,
      header,
      parent_header: parent,
      metadata: {},
      content,
      buffers
    });
    return { msgId: header.msg_id, sent: this.queue.send(frames) };
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const d = decodeMessage(this.key, frames as Buffer[]);
        if (!d.ok) {
          const content = {
            status: 'error',
            code: d.code,
            ename: 'ProtocolError',
            evalue: d.reason,
            traceback: []
          };
          void this.send(d.identities, 'error', content).sent.catch(() => undefined);
          continue;
        }
        const msg = d.message;
        const waiter = this.pending.get(msg.parent_header.msg_id ?? '');
        if (msg.header.msg_type === 'worker_hello') {
          this.hello?.(msg);
        } else if (waiter) {
          this.pending.delete(msg.parent_header.msg_id ?? '');
          waiter(msg);
        }
      }
    } catch {
      // socket closed
    }
  }

  /** Waits for the worker's hello; resolves with its filter spec or rejects with why it failed. */
  async awaitHello(
    worker: WorkerProcess,
    timeoutMs: number,
    filter: string
  ): Promise<WorkerFilterSpec> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      new Promise<BridgeMessage>(resolve => (this.hello = resolve)),
      worker.exited.then(() => 'exited' as const),
      new Promise<'timeout'>(resolve => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
    ]).finally(() => {
      clearTimeout(timer);
      this.hello = null;
    });
    if (outcome === 'timeout' || outcome === 'exited') {
      await worker.kill();
      throw new FilterWorkerError(
        `Python filter worker for ${filter} ${outcome === 'timeout' ? `did not start within ${timeoutMs} ms` : worker.describeExit()} before announcing its filter. Check that .venv has the alertlab package (bash scripts/setup.sh). Its output:\n${worker.outputTail()}`,
        outcome === 'timeout' ? 'timeout' : 'worker-exited',
        worker.outputTail().split('\n'),
        { filter }
      );
    }
    const c = outcome.content;
    if (c.status !== 'ok') {
      await worker.kill();
      throw new FilterWorkerError(
        `Python filter ${filter} could not be loaded: ${String(c.ename)}: ${String(c.evalue)}`,
        'load-error',
        Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        { filter }
      );
    }
    this.identities = outcome.identities;
    await this.send(this.identities, 'worker_welcome', { status: 'ok' }, [], outcome.header).sent;
    return c.filter as unknown as WorkerFilterSpec;
  }

  /** Sends one batch and waits for the routing reply, the time limit or the worker's exit. */
  async evaluate(worker: WorkerProcess, ipc: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const { msgId, sent } = this.send(this.identities, 'filter_batch_request', {}, [ipc]);
    let timer: NodeJS.Timeout | undefined;
    let forget = (): void => undefined;
    try {
      return await Promise.race([
        new Promise<Outcome>(resolve =>
          this.pending.set(msgId, reply => resolve({ kind: 'reply', reply }))
        ),
        // not worker.exited.then(...): that would hold this race and its reply until the exit
        new Promise<Outcome>(
          resolve => (forget = worker.onExit(() => resolve({ kind: 'exited' })))
        ),
        sent.then(
          () =>
            new Promise<Outcome>(
              resolve => (timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs))
            ),
          (): Outcome => ({ kind: 'exited' })
        )
      ]);
    } finally {
      clearTimeout(timer);
      forget();
      this.pending.delete(msgId);
    }
  }

  close(): void {
    this.pending.clear();
    void this.loop;
  }
}

/**
 * Decoding on a second core: a worker thread runs the alert decoder for a stage, so the main
 * thread (which also runs the Kafka client: fetch parsing, produce encoding, transactions) spends
 * on each chunk only a copy of its values out and an Arrow IPC read of the batch back, a fifth of
 * the decode itself. The worker's batches are the decoder's batches, through Arrow IPC (same
 * schema, metadata and values). A worker that dies is replaced on the next batch.
 */
import { Worker } from 'node:worker_threads';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import type { AlertFormat, DecodeResult } from '../alerts/types.js';
import { workerBootstrap } from '../worker-bootstrap.js';
import type { DecodeReply, DecodeRequest } from './decode-worker-entry.js';

/** The values end to end in one buffer (one copy, transferred), with where each ends. */
export function packValues(values: ReadonlyArray<Uint8Array | null>): DecodeRequest {
  let total = 0;
  for (const v of values) {
    total += v?.length ?? 0;
  }
  const bytes = new Uint8Array(total);
  const ends = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    if (v === null) {
      ends[i] = -1;
      return;
    }
    bytes.set(v, at);
    at += v.length;
    ends[i] = at;
  });
  return { seq: 0, bytes, ends };
}

/** The decoder itself threw on a batch (in the worker): the batch is undecodable as a whole. */
export class DecoderFailure extends Error {
  override readonly name = 'DecoderFailure';
}

interface Pending {
  resolve(result: DecodeResult): void;
  reject(error: Error): void;
}

export class DecodeWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  constructor(private readonly format: AlertFormat) {}

  /** Batches sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  private start(): Worker {
    const worker = new Worker(workerBootstrap(import.meta.url, 'decode-worker-entry'), {
      eval: true,
      workerData: { format: this.format }
    });
    worker.unref();
    worker.on('message', (reply: DecodeReply) => {
      const p = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      if (p === undefined) {
        return;
      }
      if ('error' in reply) {
        p.reject(new DecoderFailure(reply.error));
        return;
      }
      const batch = tableFromIPC(reply.ipc).batches[0] as RecordBatch;
      p.resolve({ batch, rowIndex: reply.rowIndex, rejects: reply.rejects });
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) {
        this.worker = undefined;
      }
      for (const p of this.pending.values()) {
        p.reject(error);
      }
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', code => fail(new Error(`Decode worker exited with code ${code}.`)));
    return worker;
  }

  /**
   * Decodes `values` in the worker. Rejects with {@link DecoderFailure} when the decoder throws on
   * the batch, with another error when the worker died (the next call starts a new one).
   */
  decode(values: ReadonlyArray<Uint8Array | null>): Promise<DecodeResult> {
    this.worker ??= this.start();
    const request = packValues(values);
    request.seq = ++this.seq;
    const done = new Promise<DecodeResult>((resolve, reject) => {
      this.pending.set(request.seq, { resolve, reject });
    });
    this.worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    return done;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

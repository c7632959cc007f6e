/**
 * Arrow IPC encoding into reusable buffers. `tableToIPC` joins the writer's chunks into a freshly
 * allocated array, and for large batches most of that cost is faulting in new memory. Streams
 * encode into pooled buffers instead and give each back when the client acknowledges the batch —
 * by then ZeroMQ (which sends buffers zero-copy) has transmitted it, so reuse is safe.
 */
import { RecordBatch, RecordBatchStreamWriter, Table } from 'apache-arrow';

export interface IpcBufferPoolOptions {
  /** Most free buffers kept for reuse. @default 4 */
  maxFree?: number;
  /** Most bytes kept in free buffers. @default 268_435_456 (256 MiB) */
  maxFreeBytes?: number;
}

export class IpcBufferPool {
  private free: Buffer[] = [];
  private readonly maxFree: number;
  private readonly maxFreeBytes: number;

  constructor(options: IpcBufferPoolOptions = {}) {
    this.maxFree = options.maxFree ?? 4;
    this.maxFreeBytes = options.maxFreeBytes ?? 256 * 2 ** 20;
  }

  /** A buffer of at least `size` bytes (the smallest free one that fits, or a new one). */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const len = this.free[i].byteLength;
      if (len >= size && len <= size * 2 && (best < 0 || len < this.free[best].byteLength)) {
        best = i;
      }
    }
    if (best >= 0) {
      return this.free.splice(best, 1)[0];
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Returns a buffer that is no longer referenced by a pending send. */
  give(buffer: Buffer): void {
    this.free.push(buffer);
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    let bytes = this.free.reduce((n, b) => n + b.byteLength, 0);
    while (this.free.length > this.maxFree || bytes > this.maxFreeBytes) {
      bytes -= (this.free.shift() as Buffer).byteLength;
    }
  }

  get freeBuffers(): number {
    return this.free.length;
  }
}

/** Encoded IPC bytes and the pooled buffer behind them (give it back once transmitted). */
export interface PooledIpc {
  bytes: Uint8Array;
  lease: Buffer;
}

/** Encodes one Arrow IPC stream into a pooled buffer. */
export async function encodeIpcPooled(
  data: Table | RecordBatch,
  pool: IpcBufferPool
): Promise<PooledIpc> {
  const table = data instanceof Table ? data : new Table(data);
  const writer = RecordBatchStreamWriter.writeAll(table);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of writer) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const lease = pool.take(size);
  let at = 0;
  for (const chunk of chunks) {
    lease.set(chunk, at);
    at += chunk.byteLength;
  }
  return { bytes: lease.subarray(0, size), lease };
}

/**
 * Worker thread that decodes alert records for a stage (see decode-worker.ts). In: `{ seq, bytes,
 * ends }` — the record values end to end in one buffer, `ends[i]` where value i stops (-1: null
 * value). Out: `{ seq, ipc, rowIndex, rejects }` (the batch as Arrow IPC stream bytes) or
 * `{ seq, error }` when the decoder throws on the batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Table, tableToIPC } from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import type { AlertFormat, DecodeReject } from '../alerts/types.js';

export interface DecodeRequest {
  seq: number;
  bytes: Uint8Array;
  ends: Int32Array;
}

export type DecodeReply =
  | { seq: number; ipc: Uint8Array; rowIndex: Int32Array; rejects: DecodeReject[] }
  | { seq: number; error: string };

/** Splits `bytes` back into the values `ends` describes. */
export function unpackValues(bytes: Uint8Array, ends: Int32Array): (Uint8Array | null)[] {
  const values: (Uint8Array | null)[] = [];
  let start = 0;
  for (const end of ends) {
    if (end < 0) {
      values.push(null);
    } else {
      values.push(bytes.subarray(start, end));
      start = end;
    }
  }
  return values;
}

const port = parentPort;
if (port !== null) {
  const decoder = createDecoder((workerData as { format: AlertFormat }).format);
  let queue: Promise<void> = Promise.resolve();
  const handle = async ({ seq, bytes, ends }: DecodeRequest): Promise<void> => {
    try {
      const values = unpackValues(bytes, ends);
      await decoder.prepare?.(values);
      const decoded = decoder.decodeBatch(values);
      const ipc = tableToIPC(new Table([decoded.batch]), 'stream');
      const reply: DecodeReply = {
        seq,
        ipc,
        rowIndex: decoded.rowIndex,
        rejects: decoded.rejects
      };
      port.postMessage(reply, [ipc.buffer as ArrayBuffer, decoded.rowIndex.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ seq, error: String(error) } satisfies DecodeReply);
    }
  };
  // one batch at a time, in order (prepare may await a schema registry)
  port.on('message', (request: DecodeRequest) => {
    queue = queue.then(() => handle(request));
  });
}

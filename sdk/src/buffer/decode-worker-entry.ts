/**
 * Worker thread that decodes alert records (see decode-worker.ts). In: `{ seq, bytes, ends,
 * includeCutouts, schemas }` — the record values end to end in one buffer, `ends[i]` where value
 * i stops (-1: null value), and the Confluent schemas this worker has not been sent before. Out:
 * `{ seq, batch, rowIndex, rejects }` (the batch as a Data tree with its buffers transferred,
 * arrow-transfer.ts, or as Arrow IPC bytes when it holds dictionaries) or `{ seq, error }` when the
 * decoder throws on the batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Table, tableToIPC } from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import type { SchemaSource } from '../alerts/schema-source.js';
import type { DecodeReject, DecoderSpec } from '../alerts/types.js';
import { BatchSender, type BatchTransfer } from './arrow-transfer.js';

export interface DecodeRequest {
  seq: number;
  bytes: Uint8Array;
  ends: Int32Array;
  includeCutouts?: boolean;
  /** Schema id → writer schema text, for ids the worker has not received yet. */
  schemas?: Array<[number, string]>;
  /** Ids to drop after this batch is decoded (the caller keeps what was sent within a budget). */
  forget?: number[];
}

export type DecodeReply =
  | {
      seq: number;
      /** The batch's Data tree (arrow-transfer.ts), or IPC stream bytes when it cannot be. */
      batch: { tree: BatchTransfer } | { ipc: Uint8Array };
      rowIndex: Int32Array;
      rejects: DecodeReject[];
    }
  | { seq: number; error: string };

/** What crosses to the worker at start: the decoder spec without its schema source. */
export type WorkerDecoderData = Omit<DecoderSpec, 'schemaSource'> & { hasSchemaSource: boolean };

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

/** The schemas the caller's thread resolved and sent; an id it could not resolve is unknown. */
function receivedSchemas(known: Map<number, string>): SchemaSource {
  return {
    peek: id => known.get(id),
    load: async id => {
      const text = known.get(id);
      if (text === undefined) {
        throw new Error(`Schema id ${id} was not sent to the decode worker.`);
      }
      return text;
    },
    close: async () => undefined
  };
}

const port = parentPort;
if (port !== null) {
  const data = workerData as WorkerDecoderData;
  const known = new Map<number, string>();
  const sender = new BatchSender();
  const decoder = createDecoder(data.format, {
    ...data.options,
    schemaSource: data.hasSchemaSource ? receivedSchemas(known) : undefined
  });
  port.on('message', ({ seq, bytes, ends, includeCutouts, schemas, forget }: DecodeRequest) => {
    let packed: ReturnType<BatchSender['pack']>;
    try {
      for (const [id, text] of schemas ?? []) {
        known.set(id, text);
      }
      const decoded = decoder.decodeBatch(unpackValues(bytes, ends), { includeCutouts });
      packed = sender.pack(decoded.batch);
      const ipc = packed ? undefined : tableToIPC(new Table([decoded.batch]), 'stream');
      const reply: DecodeReply = {
        seq,
        batch: packed ? { tree: packed.message } : { ipc: ipc as Uint8Array },
        rowIndex: decoded.rowIndex,
        rejects: decoded.rejects
      };
      port.postMessage(reply, [
        ...(packed ? packed.transfer : [(ipc as Uint8Array).buffer as ArrayBuffer]),
        decoded.rowIndex.buffer as ArrayBuffer
      ]);
    } catch (error) {
      if (packed !== undefined) {
        sender.forget(packed.message); // not delivered: its schema, if new, goes with the next
      }
      port.postMessage({ seq, error: String(error) } satisfies DecodeReply);
    } finally {
      for (const id of forget ?? []) {
        known.delete(id);
      }
    }
  });
}

/**
 * Decoding on a second core: a worker thread runs the alert decoder, so the caller's thread (which
 * also runs the Kafka client: fetch parsing, produce encoding, transactions) spends on each chunk
 * only a copy of its values out and a rebuild of the batch from the buffers the worker transfers
 * back (arrow-transfer.ts), and fetches the next chunk while this one decodes. Used by stages and
 * by attach. The worker's batches are the decoder's batches (same schema, metadata and values).
 * Confluent schema ids are resolved on the caller's thread, through the caller's schema source,
 * and each schema's text is sent to the worker once while it is within `sentSchemaBytes` (least
 * recently used past it are forgotten by both sides and sent again when seen again: a stream where
 * every message has its own schema does not grow either thread). A worker that dies is replaced
 * on the next batch.
 */
import { Worker } from 'node:worker_threads';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import type { AlertDecoder, AlertFormat, DecodeResult, DecoderSpec } from '../alerts/types.js';
import { ByteLru, DEFAULT_SCHEMA_TEXT_CACHE_BYTES, textBytes } from '../alerts/schema-cache.js';
import { workerBootstrap } from '../worker-bootstrap.js';
import { BatchReceiver } from './arrow-transfer.js';
import type { DecodeReply, DecodeRequest, WorkerDecoderData } from './decode-worker-entry.js';

const CONFLUENT_MAGIC = 0;

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
  private readonly spec: DecoderSpec;
  /** Schema ids whose text the current worker has (or has been sent), within sentSchemaBytes. */
  private sent: ByteLru<number, true>;
  /** Ids evicted from `sent`: the next request tells the worker to drop them (after its decode). */
  private forget = new Set<number>();
  private readonly sentSchemaBytes: number;
  /** Schemas the current worker has sent with its batches. */
  private receiver = new BatchReceiver();

  /** @param spec a format, or a decoder's {@link DecoderSpec} (see AlertDecoder.workerSpec) */
  constructor(spec: AlertFormat | DecoderSpec, options: { sentSchemaBytes?: number } = {}) {
    this.spec = typeof spec === 'string' ? { format: spec, options: {} } : spec;
    this.sentSchemaBytes = options.sentSchemaBytes ?? DEFAULT_SCHEMA_TEXT_CACHE_BYTES;
    this.sent = this.freshSent();
  }

  /** An empty record of what a (new) worker has been sent. */
  private freshSent(): ByteLru<number, true> {
    this.forget = new Set();
    return new ByteLru<number, true>(this.sentSchemaBytes, id => this.forget.add(id));
  }

  /** What the record of schemas sent to the worker holds. */
  sentSchemaStats(): ReturnType<ByteLru<number, true>['stats']> {
    return this.sent.stats();
  }

  /** Set by close(): the pending batches were abandoned on purpose. */
  closed = false;

  /** Batches sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Starts the worker thread now instead of on the first batch, so that it loads its modules and
   * builds its decoder while the caller does other work (a stage joins its group meanwhile; its
   * first chunk decoded ~200 ms later without this). A no-op once started or closed.
   */
  warm(): void {
    if (!this.closed) {
      this.worker ??= this.start();
    }
  }

  private start(): Worker {
    const data: WorkerDecoderData = {
      format: this.spec.format,
      options: this.spec.options,
      hasSchemaSource: this.spec.schemaSource !== undefined
    };
    const worker = new Worker(workerBootstrap(import.meta.url, 'decode-worker-entry'), {
      eval: true,
      workerData: data
    });
    this.sent = this.freshSent();
    this.receiver = new BatchReceiver();
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
      try {
        const batch =
          'tree' in reply.batch
            ? this.receiver.unpack(reply.batch.tree)
            : (tableFromIPC(reply.batch.ipc).batches[0] as RecordBatch);
        p.resolve({ batch, rowIndex: reply.rowIndex, rejects: reply.rejects });
      } catch (error) {
        p.reject(error as Error); // not a DecoderFailure: the caller decodes the batch itself
      }
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.sent = this.freshSent(); // the next worker has been sent nothing
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
   * Schemas of the Confluent records in `values` that the worker lacks, resolved here (an id the
   * source cannot resolve is left out: the worker rejects its records as unknown-schema).
   */
  private async schemasFor(
    values: ReadonlyArray<Uint8Array | null>
  ): Promise<Array<[number, string]> | undefined> {
    const source = this.spec.schemaSource;
    const f = this.spec.format;
    if (source === undefined || (f !== 'confluent' && f !== 'auto')) {
      return undefined;
    }
    const ids = new Set<number>();
    for (const v of values) {
      if (v !== null && v.length >= 5 && v[0] === CONFLUENT_MAGIC) {
        const id = new DataView(v.buffer, v.byteOffset, 5).getInt32(1);
        if (this.sent.get(id) === undefined) {
          ids.add(id);
        }
      }
    }
    if (ids.size === 0) {
      return undefined;
    }
    const found = await Promise.all(
      [...ids].map(async id => {
        const text = source.peek(id) ?? (await source.load(id).catch(() => undefined));
        return text === undefined ? undefined : ([id, text] as [number, string]);
      })
    );
    return found.filter(e => e !== undefined);
  }

  /** `schemas` plus the texts of ids in `values` that are neither in it nor in `sent` any more. */
  private missingNow(
    values: ReadonlyArray<Uint8Array | null>,
    schemas: Array<[number, string]> | undefined
  ): Array<[number, string]> | undefined {
    const source = this.spec.schemaSource;
    const f = this.spec.format;
    if (source === undefined || (f !== 'confluent' && f !== 'auto')) {
      return schemas;
    }
    const out = new Map(schemas);
    for (const v of values) {
      if (v !== null && v.length >= 5 && v[0] === CONFLUENT_MAGIC) {
        const id = new DataView(v.buffer, v.byteOffset, 5).getInt32(1);
        if (!out.has(id) && !this.sent.has(id)) {
          const text = source.peek(id);
          if (text !== undefined) {
            out.set(id, text);
          }
        }
      }
    }
    return out.size === 0 ? undefined : [...out];
  }

  /**
   * Decodes `values` in the worker. Rejects with {@link DecoderFailure} when the decoder throws on
   * the batch, with another error when the worker died (the next call starts a new one).
   */
  async decode(
    values: ReadonlyArray<Uint8Array | null>,
    options: { includeCutouts?: boolean } = {}
  ): Promise<DecodeResult> {
    const worker = (this.worker ??= this.start());
    const schemas = await this.schemasFor(values);
    if (this.closed) {
      throw new Error('The decode worker was closed.');
    }
    if (this.worker !== worker) {
      return this.decode(values, options); // it died meanwhile: what it was sent is gone with it
    }
    const request = packValues(values);
    request.seq = ++this.seq;
    request.includeCutouts = options.includeCutouts;
    // Ids this batch uses that were forgotten while its schemas were being resolved go again.
    const all = this.missingNow(values, schemas);
    request.schemas = all;
    for (const [id] of all ?? []) {
      this.forget.delete(id);
    }
    for (const [id, text] of all ?? []) {
      this.sent.set(id, true, textBytes(text)); // may evict: into `forget`, dropped after this decode
    }
    if (this.forget.size > 0) {
      request.forget = [...this.forget];
      this.forget.clear();
    }
    const done = new Promise<DecodeResult>((resolve, reject) => {
      this.pending.set(request.seq, { resolve, reject });
    });
    worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

/**
 * Mean record size above which {@link decodeWithFallback} decodes a batch on the caller's thread
 * although it has a worker (a stage's pipeline, attach). Handing a chunk to a worker copies every byte into one transferable buffer on the
 * caller's thread (packValues), which for real-size alerts costs more than decoding them there:
 * 1,000 realistic Rubin alerts (237 KB, cutouts skipped) took 145 ms to pack and 75–90 ms to
 * decode inline (their worker round trip 255 ms). The realistic stage bench ran at the same rate
 * either way, at 864–1,098 µs of CPU per alert inline against 1,289–1,333 with the worker. Small
 * alerts (a few KB: packing ~1 µs, decoding tens of µs) still go to the worker.
 */
export const INLINE_DECODE_MEAN_BYTES = 64 * 1024;

function meanBytes(values: ReadonlyArray<Uint8Array | null>): number {
  let total = 0;
  for (const v of values) {
    total += v?.length ?? 0;
  }
  return values.length === 0 ? 0 : total / values.length;
}

/**
 * `values` decoded by `worker`, or on this thread by `decoder` (built like the worker's) when they
 * are real-size alerts (see {@link INLINE_DECODE_MEAN_BYTES}) or the worker is lost and
 * `inline(error)` agrees. A batch the decoder itself threw on rejects with {@link DecoderFailure}
 * either way.
 */
export async function decodeWithFallback(
  worker: DecodeWorker,
  decoder: AlertDecoder,
  values: ReadonlyArray<Uint8Array | null>,
  options: { includeCutouts?: boolean },
  inline: (error: unknown) => boolean
): Promise<DecodeResult> {
  if (meanBytes(values) <= INLINE_DECODE_MEAN_BYTES) {
    try {
      return await worker.decode(values, options);
    } catch (error) {
      if (error instanceof DecoderFailure || !inline(error)) {
        throw error;
      }
    }
  }
  await decoder.prepare?.(values);
  return decoder.decodeBatch(values, options);
}

/**
 * attach / stream_ack / detach: batch streams with credit-based flow control. The engine pulls the
 * next batch from the source only when the client has granted a credit.
 */
import { encodeIpcPooled } from './ipc-pool.js';
import { errorContent } from './error-content.js';
import { RemoteError } from './errors.js';
import {
  num,
  service,
  str,
  type EngineContext,
  type Handler,
  type SentBatch,
  type StreamEntry
} from './handler-kit.js';
import type { AttachOptions, StreamItem } from './services.js';
import { CreditGate } from './stream.js';
import type { JsonObject } from './wire.js';

/** Largest initial credit a client may ask for. */
export const MAX_CREDIT = 64;

function optional(content: JsonObject, field: string): number | undefined {
  return content[field] === undefined || content[field] === null ? undefined : num(content, field);
}

function lookup(engine: EngineContext, content: JsonObject, identities: Buffer[]): StreamEntry {
  const id = str(content, 'stream_id');
  const entry = engine.streams.get(id);
  if (!entry || Buffer.compare(Buffer.concat(entry.identities), Buffer.concat(identities)) !== 0) {
    throw new RemoteError(`No open stream "${id}" for this client.`, 'not-found', [], {
      streamId: id
    });
  }
  return entry;
}

async function pump(
  engine: EngineContext,
  entry: StreamEntry,
  source: AsyncIterable<StreamItem>
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  const timeoutMs = engine.creditTimeoutMs;
  let seq = 0;
  let end: JsonObject = { reason: 'end' };
  try {
    for (;;) {
      if (!(await entry.gate.acquire(entry.abort.signal, timeoutMs))) {
        end = { reason: entry.abort.signal.aborted ? 'detached' : 'credit-timeout' };
        break;
      }
      const next = await it.next();
      if (next.done) {
        break;
      }
      const { batch, rejects } = next.value;
      const { bytes, lease } = await encodeIpcPooled(batch, engine.ipcPool);
      // serialized (copied into the lease): its decode buffers can serve a later batch
      next.value.release?.();
      entry.gate.sent(seq, { item: next.value, lease });
      await engine.send(
        entry.identities,
        'stream_batch',
        {
          stream_id: entry.id,
          seq,
          num_rows: batch.numRows,
          rejects: (rejects ?? []).slice(0, 100) as JsonObject[],
          num_rejects: rejects?.length ?? 0
        },
        [bytes]
      );
      seq += 1;
    }
  } catch (err) {
    end = { reason: 'error', ...errorContent(err) };
  } finally {
    entry.ended = true;
    await it.return?.().catch(() => undefined);
  }
  const stats = entry.gate.stats;
  engine.emit('stream-end', { stream_id: entry.id, ...end, sent: stats.sent });
  await engine
    .send(entry.identities, 'stream_end', {
      stream_id: entry.id,
      batches: seq,
      max_outstanding: stats.maxOutstanding,
      ...end
    })
    .catch(() => undefined);
  if (entry.gate.outstanding === 0) {
    engine.streams.delete(entry.id);
  }
}

export function attachHandlers(): Record<string, Handler> {
  return {
    attach_request: async ({ engine, message }) => {
      const c = message.content;
      const topic = str(c, 'topic');
      const credit = num(c, 'credit', 4);
      if (!Number.isInteger(credit) || credit < 1 || credit > MAX_CREDIT) {
        throw new RemoteError(`"credit" must be an integer 1..${MAX_CREDIT}.`, 'bad-request');
      }
      const abort = new AbortController();
      const options: AttachOptions = {
        group: typeof c.group === 'string' ? c.group : undefined,
        fromBeginning: c.from_beginning !== false,
        maxRows: optional(c, 'max_rows'),
        idleTimeoutMs: optional(c, 'idle_timeout_ms'),
        profile: typeof c.profile === 'string' ? c.profile : undefined,
        resetTo:
          typeof c.reset_to === 'string' || typeof c.reset_to === 'number' ? c.reset_to : undefined,
        ...(c.bootstrap_servers !== undefined ||
        c.security !== undefined ||
        c.security_file !== undefined
          ? {
              connection: {
                bootstrapServers:
                  typeof c.bootstrap_servers === 'string' ? c.bootstrap_servers : undefined,
                security: c.security,
                securityFile: typeof c.security_file === 'string' ? c.security_file : undefined
              }
            }
          : {}),
        signal: abort.signal
      };
      const source = service(engine, 'attach')(topic, options);
      const entry: StreamEntry = {
        id: message.header.msg_id,
        identities: message.identities,
        gate: new CreditGate<SentBatch>(credit),
        abort,
        ended: false
      };
      engine.streams.set(entry.id, entry);
      return {
        content: { stream_id: entry.id, topic, credit },
        after: async () => void pump(engine, entry, source)
      };
    },
    stream_ack: async ({ engine, message }) => {
      const c = message.content;
      let entry: StreamEntry;
      try {
        entry = lookup(engine, c, message.identities);
      } catch {
        return; // acks for finished streams are harmless
      }
      const done = entry.gate.ack(num(c, 'seq'), optional(c, 'credit') ?? 0);
      for (const { item, lease } of done) {
        engine.ipcPool.give(lease); // acknowledged, so received: no send still holds it
        await item
          .commit?.()
          .catch((err: unknown) =>
            engine.emit('commit-error', { stream_id: entry.id, message: (err as Error).message })
          );
      }
      if (entry.ended && entry.gate.outstanding === 0) {
        engine.streams.delete(entry.id);
      }
    },
    detach_request: async ({ engine, message }) => {
      const entry = lookup(engine, message.content, message.identities);
      entry.abort.abort();
      engine.streams.delete(entry.id);
      return { content: { stream_id: entry.id, sent: entry.gate.stats.sent } };
    }
  };
}

/**
 * The kafkajs 2.2.x internals this transport replaces, and kafkajs itself, loaded after them. Only
 * the kafkajs transport imports this module: no other client is affected, and choosing another
 * client (ALERTLAB_KAFKA_CLIENT) never loads it.
 *
 * - Message grouping: kafkajs groups a send's messages by partition with `[...current, message]`
 *   per message, quadratic in the messages of a partition (a stage sends thousands per request).
 *   Its module is replaced in the require cache, before kafkajs loads (it binds the function then),
 *   by a linear one with the same result: messages by partition, in order.
 * - Produce encoding: requests v3+ (uncompressed) are encoded by produce-encoding.ts instead of
 *   kafkajs's encoder, which allocates and zero-fills a buffer per record and per header, copies
 *   each record three times and computes the batch CRC-32C a byte at a time. Same bytes
 *   (produce-encoding.test.ts checks them against kafkajs's own encoding).
 * - Encoder growth: kafkajs frames every request by copying its body into a growing buffer twice;
 *   it grows with `Buffer.alloc`, zero-filling megabytes that are overwritten at once. Grown
 *   buffers come unfilled instead: an encoder only ever exposes bytes below its offset.
 */
import Module, { createRequire } from 'node:module';
import { encodeProduceRequest, type ProduceRequestFields } from './produce-encoding.js';

const kafkajsInternal = createRequire(import.meta.url);

function groupMessagesPerPartition<M>(p: {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner(a: { topic: string; partitionMetadata: unknown[]; message: M }): number;
}): Record<number, M[]> {
  const out: Record<number, M[]> = {};
  if (p.partitionMetadata.length === 0) {
    return out;
  }
  for (const message of p.messages) {
    const partition = p.partitioner({
      topic: p.topic,
      partitionMetadata: p.partitionMetadata,
      message
    });
    (out[partition] ??= []).push(message);
  }
  return out;
}

function replaceGrouping(): boolean {
  try {
    const path = kafkajsInternal.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
    if (kafkajsInternal.cache[path] === undefined) {
      const replaced = new Module(path);
      replaced.filename = path;
      replaced.loaded = true;
      replaced.exports = groupMessagesPerPartition;
      kafkajsInternal.cache[path] = replaced;
    }
    return kafkajsInternal(path) === groupMessagesPerPartition;
  } catch {
    return false; // another kafkajs layout: its own (slower) grouping stays
  }
}

/** Whether kafkajs groups messages with the linear function above (tested). */
export const kafkajsLinearGrouping = replaceGrouping();

/** kafkajs, loaded after the grouping module was replaced. */
export const kafkajs = kafkajsInternal('kafkajs') as typeof import('kafkajs');

interface ProduceApi {
  protocol(v: { version: number }): (fields: ProduceRequestFields & { compression?: number }) => {
    request: { encode(): Promise<unknown> };
  };
}
type EncoderClass = new (initialSize?: number) => { buf: Buffer; offset: number };
const produceApi = kafkajsInternal('kafkajs/src/protocol/requests/produce/index.js') as ProduceApi;
const KafkajsEncoder = kafkajsInternal('kafkajs/src/protocol/encoder.js') as EncoderClass;
const kafkajsProduce = produceApi.protocol;

produceApi.protocol = ({ version }) => {
  const make = kafkajsProduce({ version });
  if (version < 3) {
    return make;
  }
  return fields => {
    const built = make(fields);
    if ((fields.compression ?? 0) === 0) {
      built.request.encode = async () => asKafkajsEncoder(encodeProduceRequest(fields));
    }
    return built;
  };
};

Object.assign(KafkajsEncoder.prototype, {
  ensureAvailable(this: InstanceType<EncoderClass>, length: number): void {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(this.offset + length)));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  }
});

function asKafkajsEncoder(bytes: Buffer): InstanceType<EncoderClass> {
  const encoder = new KafkajsEncoder(0);
  encoder.buf = bytes;
  encoder.offset = bytes.length;
  return encoder;
}

/** kafkajs's own Produce v3 body for `fields`: the reference the encoder is tested against. */
export async function kafkajsProduceRequestBody(fields: ProduceRequestFields): Promise<Buffer> {
  const encoded = (await kafkajsProduce({ version: 3 })(fields).request.encode()) as {
    buf: Buffer;
    offset: number;
  };
  return encoded.buf.subarray(0, encoded.offset);
}

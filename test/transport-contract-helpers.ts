/**
 * Helpers for the transport contract suite: which clients it runs on, a transport per client, and
 * the Java client's key hash (murmur2), which every transport must partition keyed records by.
 */
import { inject } from 'vitest';
import { createLogger } from '../sdk/src/buffer/log.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import {
  KAFKA_CLIENTS,
  createTransport,
  isKafkaClientName,
  kafkaClientAvailable,
  type KafkaClientName
} from '../sdk/src/buffer/transport.js';

/** ALERTLAB_CONTRACT_CLIENTS (comma separated) or every client alertlab has. */
export const CONTRACT_CLIENTS: KafkaClientName[] = (
  process.env.ALERTLAB_CONTRACT_CLIENTS?.split(',').map(s => s.trim()) ?? [...KAFKA_CLIENTS]
).filter(isKafkaClientName);

/**
 * Clients that can be loaded here. Under CI every listed client must load (setup builds them all):
 * a missing one fails the suite. Elsewhere it is skipped with the reason printed.
 */
export async function loadableClients(): Promise<Map<KafkaClientName, boolean>> {
  const out = new Map<KafkaClientName, boolean>();
  for (const client of CONTRACT_CLIENTS) {
    const ok = await kafkaClientAvailable(client);
    if (!ok && process.env.CI !== 'true') {
      console.warn(
        `transport contract: client "${client}" is not installed or not built here ` +
          '(run scripts/setup.sh); its part of the suite is skipped'
      );
    }
    out.set(client, ok || process.env.CI === 'true');
  }
  return out;
}

export const quietContractLogger = createLogger({ level: 'error' });

export function contractTransport(
  client: KafkaClientName,
  bootstrapServers: string[] = inject('bootstrapServers').split(',')
): KafkaTransport {
  return createTransport({
    client,
    bootstrapServers,
    clientId: `alertlab-contract-${client}`,
    logger: quietContractLogger
  });
}

/** Kafka's murmur2 (the Java client's DefaultPartitioner hash), for keyed partitioning checks. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const quads = length >> 2;
  for (let i = 0; i < quads; i++) {
    const o = i * 4;
    let k = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  const tail = quads * 4;
  if (rest === 3) {
    h ^= data[tail + 2] << 16;
  }
  if (rest >= 2) {
    h ^= data[tail + 1] << 8;
  }
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/** The partition the Java client gives `key` among `partitions`. */
export function javaPartition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

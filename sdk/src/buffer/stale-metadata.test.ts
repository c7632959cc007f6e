import { describe, expect, it } from 'vitest';
import { TopicNotFoundError } from '../errors.js';
import { kafkajs } from './kafkajs/patches.js';
import { isStaleMetadataError } from './stale-metadata.js';
import { wrapError } from './transport-errors.js';

const { KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError } = kafkajs;

/** A broker's error answer as kafkajs's protocol table describes it. */
const brokerAnswer = (message: string, type: string, code: number): Error =>
  Object.assign(new Error(message), { type, code, retriable: true });

/** What kafkajs throws once its own retries of an UNKNOWN_TOPIC_OR_PARTITION answer run out. */
function kafkajsStaleError(): Error {
  const protocol = new KafkaJSProtocolError(
    brokerAnswer('This server does not host this topic-partition', 'UNKNOWN_TOPIC_OR_PARTITION', 3)
  );
  return new KafkaJSNumberOfRetriesExceeded(protocol, { retryCount: 5, retryTime: 9000 });
}

describe('isStaleMetadataError', () => {
  it('finds the code in the cause chain of a wrapped kafkajs error (the reported failure)', () => {
    const wrapped = wrapError(kafkajsStaleError(), 'fetch end offsets', { topic: 'alerts-x' });
    // what the lookup saw: not a TopicNotFoundError, not retriable, the code only on the cause
    expect(wrapped.name).toBe('KafkaTransportError');
    expect(wrapped.message).toMatch(/fetch end offsets failed on topic "alerts-x": This server/);
    expect((wrapped as { retriable?: boolean }).retriable).toBe(false);
    expect(isStaleMetadataError(wrapped)).toBe(true);
  });

  it('knows NOT_LEADER, LEADER_NOT_AVAILABLE and TopicNotFoundError; not a connection error', () => {
    for (const type of ['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']) {
      const e = new KafkaJSProtocolError(brokerAnswer('x', type, 6));
      expect(isStaleMetadataError(wrapError(e, 'produce', { topic: 't' }))).toBe(true);
    }
    expect(isStaleMetadataError(new TopicNotFoundError('gone'))).toBe(true);
    const conn = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    expect(isStaleMetadataError(wrapError(conn, 'connect admin', {}))).toBe(false);
    expect(isStaleMetadataError(new TypeError('x'))).toBe(false);
    expect(isStaleMetadataError(undefined)).toBe(false);
  });
});

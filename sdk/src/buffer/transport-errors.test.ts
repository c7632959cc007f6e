import { describe, expect, it } from 'vitest';
import { KafkaTransportError, TopicNotFoundError } from '../errors.js';
import { wrapError } from './transport-errors.js';

const kafkaError = (message: string, extra: Record<string, unknown>) =>
  Object.assign(new Error(message), extra);

describe('wrapError', () => {
  it('turns an unknown topic into TopicNotFoundError that says how to create it', () => {
    const cause = kafkaError('This server does not host this topic-partition', {
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      retriable: true
    });
    const err = wrapError(cause, 'produce', { topic: 'alerts-x', bootstrapServers: 'h:1' });
    expect(err).toBeInstanceOf(TopicNotFoundError);
    expect(err.message).toMatch(/topic "alerts-x" does not exist.*alertlab buffer create/);
    expect(err.cause).toBe(cause);
  });

  it('keeps the retriable flag, the code and the context, and gives a next step', () => {
    const conn = wrapError(
      kafkaError('Connection error: connect ECONNREFUSED', {
        name: 'KafkaJSConnectionError',
        retriable: true
      }),
      'connect admin',
      {
        bootstrapServers: '127.0.0.1:1'
      }
    );
    expect(conn).toBeInstanceOf(KafkaTransportError);
    expect((conn as KafkaTransportError).retriable).toBe(true);
    expect(conn.message).toMatch(/127\.0\.0\.1:1.*alertlab kafka status/);
    const big = wrapError(
      kafkaError('too large', { type: 'MESSAGE_TOO_LARGE', retriable: false }),
      'produce',
      {
        topic: 't'
      }
    ) as KafkaTransportError;
    expect(big.retriable).toBe(false);
    expect(big.context).toMatchObject({
      operation: 'produce',
      code: 'MESSAGE_TOO_LARGE',
      topic: 't'
    });
    expect(big.message).toMatch(/max\.message\.bytes/);
    expect(wrapError(big, 'again', {})).toBe(big);
  });
});

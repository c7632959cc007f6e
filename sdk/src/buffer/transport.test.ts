import { afterEach, describe, expect, it } from 'vitest';
import { KafkaTransportError } from '../errors.js';
import { DEFAULT_KAFKA_CLIENT, createTransport, selectedKafkaClient } from './transport.js';

describe('Kafka client selection', () => {
  const saved = process.env.ALERTLAB_KAFKA_CLIENT;
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.ALERTLAB_KAFKA_CLIENT;
    } else {
      process.env.ALERTLAB_KAFKA_CLIENT = saved;
    }
  });

  it('takes the option, then ALERTLAB_KAFKA_CLIENT, then the default', () => {
    delete process.env.ALERTLAB_KAFKA_CLIENT;
    expect(selectedKafkaClient()).toBe(DEFAULT_KAFKA_CLIENT);
    expect(DEFAULT_KAFKA_CLIENT).toBe('confluent');
    process.env.ALERTLAB_KAFKA_CLIENT = 'kafkajs';
    expect(selectedKafkaClient()).toBe('kafkajs');
    expect(selectedKafkaClient('confluent')).toBe('confluent');
    expect(createTransport({ bootstrapServers: ['127.0.0.1:1'] }).client).toBe('kafkajs');
  });

  it('names the choices when the client is unknown', () => {
    process.env.ALERTLAB_KAFKA_CLIENT = 'rdkafka';
    expect(() => selectedKafkaClient()).toThrow(KafkaTransportError);
    expect(() => createTransport({ bootstrapServers: ['127.0.0.1:1'] })).toThrow(
      /Unknown Kafka client "rdkafka".*kafkajs, confluent/
    );
  });
});

import { describe, expect, it, vi } from 'vitest';

// The librdkafka addon as on a machine where scripts/setup-kafka-client.sh has not built it.
vi.mock('./confluent/client.js', async importOriginal => ({
  ...(await importOriginal<typeof import('./confluent/client.js')>()),
  loadConfluent: () => {
    throw new Error('@confluentinc/kafka-javascript is not built here');
  }
}));

const { createTransport, kafkaClientAvailable } = await import('./transport.js');

describe('a Kafka client whose native addon is not built', () => {
  it('is not available, and createTransport says how to build it', async () => {
    expect(await kafkaClientAvailable('confluent')).toBe(false);
    expect(await kafkaClientAvailable('kafkajs')).toBe(true);
    const transport = createTransport({ client: 'confluent', bootstrapServers: ['127.0.0.1:1'] });
    await expect(transport.admin()).rejects.toThrow(
      /Kafka client "confluent" could not be loaded: .*not built here.*scripts\/setup\.sh/
    );
    await transport.close();
  });
});

/**
 * The latency bench's alert producer, in a process of its own (latency-sender.ts): the survey's
 * producer is not the stage's process, so its per-record work must not hold the stage's event
 * loop (and the Kafka client's native addon loads once per process, not per worker thread). Messages: load (keep values for a later send), send (values given or
 * loaded; keys first, first + 1, ...), close. Each is answered with its id once done.
 */
import { createLogger } from '../../sdk/src/buffer/log.js';
import { sendRecords } from '../../sdk/src/buffer/produce.js';
import { createTransport } from '../../sdk/src/buffer/transport.js';

interface Message {
  id: number;
  type: 'load' | 'send' | 'close';
  values?: Uint8Array[];
  first?: number;
}

const [servers, topic] = [process.argv[2].split(','), process.argv[3]];
const reply = (m: object) => process.send!(m);
const transport = createTransport({
  bootstrapServers: servers,
  logger: createLogger({ level: 'error' })
});
const producer = await transport.producer();
const loaded = new Map<number, Uint8Array[]>();

async function handle(m: Message): Promise<void> {
  if (m.type === 'load') {
    loaded.set(m.id, m.values!);
  } else if (m.type === 'send') {
    const values = m.values ?? loaded.get(m.id)!;
    loaded.delete(m.id);
    const first = m.first!;
    await sendRecords(
      producer,
      values.map((value, i) => ({ topic, value, key: String(first + i) })),
      900_000
    );
  } else {
    await producer.close();
    await transport.close();
  }
}

process.on('message', (m: Message) => {
  void handle(m)
    .then(
      () => reply({ id: m.id }),
      (error: unknown) => reply({ id: m.id, error: String(error) })
    )
    .finally(() => {
      if (m.type === 'close') {
        process.disconnect();
      }
    });
});
reply({ id: 0 });

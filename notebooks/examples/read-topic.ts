/**
 * Prints the records of a topic that are not alerts (a stage's window results, JSON) as JSON
 * lines: {partition, offset, key, value}. Reads committed records only, from the beginning, until
 * every partition reached the end offset it had at start (or nothing arrived for --idle-ms).
 * Notebook 05 runs it to read the aggregate stage's output:
 *
 *   node --import tsx notebooks/examples/read-topic.ts --topic my-stage.windows
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createTransport, resolveBootstrapServers } from '@alertlab/sdk';

const USAGE =
  'Usage: read-topic.ts --topic <name> [--bootstrap local|host:port] [--idle-ms 3000] [--timeout-ms 60000]';

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));
const text = (b: Uint8Array | null): string | null =>
  b === null ? null : Buffer.from(b).toString('utf8');

function parsed(value: string | null): unknown {
  try {
    return value === null ? null : (JSON.parse(value) as unknown);
  } catch {
    return value;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      topic: { type: 'string' },
      bootstrap: { type: 'string' },
      'idle-ms': { type: 'string', default: '3000' },
      'timeout-ms': { type: 'string', default: '60000' }
    }
  });
  const topic = values.topic;
  if (!topic) {
    console.error(USAGE);
    return 2;
  }
  const idleMs = Number(values['idle-ms']);
  const timeoutMs = Number(values['timeout-ms']);
  const transport = createTransport({
    bootstrapServers: await resolveBootstrapServers(values.bootstrap)
  });
  const groupId = `read-topic-${randomUUID()}`;
  try {
    const admin = await transport.admin();
    // the last record of a transactional partition sits before its commit marker: offset high - 2
    const pending = new Map<number, bigint>();
    for (const p of await admin.endOffsets(topic)) {
      if (p.high > p.low) {
        pending.set(p.partition, p.high - 2n);
      }
    }
    const consumer = await transport.consumer({ groupId, readCommitted: true, maxWaitTimeMs: 100 });
    const started = Date.now();
    let lastAt = started;
    try {
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run(async batch => {
        for (const r of batch.records) {
          const line = {
            partition: batch.partition,
            offset: r.offset.toString(),
            key: text(r.key),
            value: parsed(text(r.value))
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
          const until = pending.get(batch.partition);
          if (until !== undefined && r.offset >= until) {
            pending.delete(batch.partition);
          }
        }
        if (batch.records.length > 0) {
          batch.resolveOffset(batch.records[batch.records.length - 1].offset);
          lastAt = Date.now();
        }
      });
      while (pending.size > 0 && Date.now() - started < timeoutMs) {
        if (Date.now() - lastAt > idleMs && lastAt > started) {
          break;
        }
        await sleep(50);
      }
    } finally {
      await consumer.close();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return 0;
  } finally {
    await transport.close();
  }
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  (err: unknown) => {
    console.error(`read-topic: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
);

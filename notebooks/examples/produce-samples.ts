/**
 * Produces Avro container files (the real Rubin / ZTF samples) to a buffer topic, one record per
 * alert, framed as the surveys publish them (Rubin: bare Avro body; ZTF: one-record container).
 * Notebook 03 runs it when its sample topics are empty:
 *
 *   node --import tsx notebooks/examples/produce-samples.ts --topic samples-ztf a.avro b.avro
 *
 * Prints one JSON line: {topic, files: [{path, survey, framing, records}], records}.
 */
import { parseArgs } from 'node:util';
import { BufferClient } from '@alertlab/sdk';

const USAGE =
  'Usage: produce-samples.ts --topic <name> [--partitions 1] [--bootstrap local|host:port] <file.avro>...';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      partitions: { type: 'string', default: '1' },
      bootstrap: { type: 'string' }
    }
  });
  if (!values.topic || positionals.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const client = await BufferClient.create({ bootstrapServers: values.bootstrap });
  try {
    await client.createTopics([{ topic: values.topic, partitions: Number(values.partitions) }]);
    const files: Array<{ path: string; survey: string; framing: unknown; records: number }> = [];
    for (const path of positionals) {
      // one key per file keeps a file's alerts in order on one partition
      const sent = await client.produceFile(values.topic, path, { key: path });
      files.push({ path, survey: sent.survey, framing: sent.framing, records: sent.records });
    }
    const records = files.reduce((n, f) => n + f.records, 0);
    console.log(JSON.stringify({ topic: values.topic, files, records }));
    return 0;
  } finally {
    await client.close();
  }
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  (err: unknown) => {
    console.error(`produce-samples: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
);

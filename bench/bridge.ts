/**
 * Bridge benchmark: a 1,000,000-row table (int64 id, 3 float64, 1 int32) from the Node engine to
 * Python as Arrow IPC over the bridge (attach -> pyarrow Table), against raw ZeroMQ bytes of the
 * same size in the same run (Python receiving with pyzmq, zero-copy into pyarrow).
 *
 *   node --import tsx bench/bridge.ts [--rows 1000000] [--repeats 7]
 *
 * Writes bench/results/bridge.json. Goals: bridge ≤ 0.3 s, ≥ 50% of raw bytes/s.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Table
} from 'apache-arrow';
import { Router } from 'zeromq';
import { BridgeEngine, MemoryTopics, toIpcBytes } from '@alertlab/kernel-bridge';

const ROOT = join(import.meta.dirname, '..');

function millionRows(rows: number): Table {
  const id = new BigInt64Array(rows);
  const ra = new Float64Array(rows);
  const dec = new Float64Array(rows);
  const mag = new Float64Array(rows);
  const band = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    id[i] = 2n ** 60n + BigInt(i);
    ra[i] = (i * 0.00036) % 360;
    dec[i] = ((i * 0.00018) % 180) - 90;
    mag[i] = 15 + (i % 1000) / 100;
    band[i] = i % 6;
  }
  const fields = [
    new Field('id', new Int64(), false),
    new Field('ra', new Float64(), false),
    new Field('dec', new Float64(), false),
    new Field('mag', new Float64(), false),
    new Field('band', new Int32(), false)
  ];
  const children = [
    makeData({ type: new Int64(), length: rows, data: id }),
    makeData({ type: new Float64(), length: rows, data: ra }),
    makeData({ type: new Float64(), length: rows, data: dec }),
    makeData({ type: new Float64(), length: rows, data: mag }),
    makeData({ type: new Int32(), length: rows, data: band })
  ];
  const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table([new RecordBatch(new Schema(fields), data)]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      repeats: { type: 'string', default: '7' }
    }
  });
  const rows = Number(values.rows);
  const repeats = Number(values.repeats);
  const table = millionRows(rows);
  const t0 = performance.now();
  const ipcBytes = toIpcBytes(table).byteLength;
  const serializeMs = performance.now() - t0;
  const raw = Buffer.alloc(ipcBytes, 7);

  const dir = await mkdtemp(join(tmpdir(), 'alertlab-bench-'));
  const engine = await BridgeEngine.create({
    connectionFile: join(dir, 'bridge.json'),
    services: new MemoryTopics().set('bench.table', table).asServices()
  });
  // raw baseline: a bare ROUTER that answers any message with the same number of bytes
  const rawSocket = new Router({ linger: 0 });
  await rawSocket.bind('tcp://127.0.0.1:*');
  const rawLoop = (async () => {
    for await (const [identity] of rawSocket) {
      await rawSocket.send([identity, raw]);
    }
  })().catch(() => undefined);

  try {
    // async: the engine in this process must keep serving while Python runs
    const { stdout: out } = await promisify(execFile)(
      join(ROOT, '.venv', 'bin', 'python'),
      [
        join(ROOT, 'bench', 'bridge_client.py'),
        '--connection-file',
        join(dir, 'bridge.json'),
        '--raw-endpoint',
        rawSocket.lastEndpoint ?? '',
        '--topic',
        'bench.table',
        '--rows',
        String(rows),
        '--repeats',
        String(repeats)
      ],
      { maxBuffer: 1 << 20 }
    );
    const py = JSON.parse(out) as Record<string, number>;
    const bridgeBytesPerS = ipcBytes / py.bridge_median_s;
    const rawBytesPerS = ipcBytes / py.raw_median_s;
    const result = {
      benchmark: 'bridge',
      date: new Date().toISOString(),
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadavg: loadavg()
      },
      rows,
      columns: 'id int64, ra/dec/mag float64, band int32',
      ipcBytes,
      repeats,
      nodeSerializeMs: Number(serializeMs.toFixed(1)),
      bridgeSeconds: { median: py.bridge_median_s, min: py.bridge_min_s, all: py.bridge_all_s },
      rawSeconds: { median: py.raw_median_s, min: py.raw_min_s, all: py.raw_all_s },
      bridgeMBPerS: Number((bridgeBytesPerS / 1e6).toFixed(1)),
      rawMBPerS: Number((rawBytesPerS / 1e6).toFixed(1)),
      ratioOfRaw: Number((bridgeBytesPerS / rawBytesPerS).toFixed(3)),
      checksumOk: py.checksum_ok === 1,
      goals: { maxSeconds: 0.3, minRatioOfRaw: 0.5 },
      meetsGoals:
        py.bridge_median_s <= 0.3 && bridgeBytesPerS / rawBytesPerS >= 0.5 && py.checksum_ok === 1
    };
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(
      join(ROOT, 'bench', 'results', 'bridge.json'),
      JSON.stringify(result, null, 2) + '\n'
    );
    console.log(
      `bridge: ${rows} rows (${(ipcBytes / 1e6).toFixed(1)} MB Arrow IPC) Node -> Python in ${(py.bridge_median_s * 1000).toFixed(0)} ms median ` +
        `(${result.bridgeMBPerS} MB/s); raw ZeroMQ ${(py.raw_median_s * 1000).toFixed(0)} ms (${result.rawMBPerS} MB/s); ` +
        `${(result.ratioOfRaw * 100).toFixed(0)}% of raw; goals ${result.meetsGoals ? 'met' : 'NOT met'}`
    );
    console.log('wrote bench/results/bridge.json');
  } finally {
    rawSocket.close();
    await rawLoop;
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

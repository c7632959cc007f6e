/**
 * The process that runs one TypeScript filter module, started (sandboxed) by ts-worker.ts:
 * `node [--import tsx] ts-worker-entry.ts <module path> <export name>`. It talks to its parent on
 * fd 3 in ts-worker-frames.ts frames: `ready` with the module's meta once loaded (or `error`
 * seq 0), then for each `evaluate` (one Arrow IPC batch) a `result` or an `error`. It exits when
 * its parent closes the channel.
 */
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { isFilterDefinition, runDefinition } from './ts-define.js';
import { FrameReader, FrameType, encodeFrame, type WorkerMeta } from './ts-worker-frames.js';

const [modulePath, exportName] = process.argv.slice(2);
const channel = new Socket({ fd: 3, readable: true, writable: true });
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const send = (frame: Buffer[]): void => {
  for (const part of frame) {
    channel.write(part);
  }
};
const describe = (error: unknown): Buffer => {
  const e = error instanceof Error ? error : new Error(String(error));
  return json({ message: e.message.slice(0, 8192), stack: e.stack?.slice(0, 16_384) });
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));

try {
  const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const def = mod[exportName];
  if (!isFilterDefinition(def)) {
    throw new TypeError(
      `the module has no filter export "${exportName}". Export one made with defineFilter({...}).`
    );
  }
  const reader = new FrameReader(() => Number.MAX_SAFE_INTEGER);
  channel.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.type !== FrameType.evaluate) {
        continue;
      }
      try {
        const batch = tableFromIPC(frame.payload).batches[0];
        const index = runDefinition(def, batch);
        const out = Buffer.alloc(8 + index.byteLength);
        out.writeDoubleLE(cpuMs(), 0);
        Buffer.from(index.buffer, index.byteOffset, index.byteLength).copy(out, 8);
        send(encodeFrame(FrameType.result, frame.seq, out));
      } catch (error) {
        send(encodeFrame(FrameType.error, frame.seq, describe(error)));
      }
    }
  });
  const meta: WorkerMeta = {
    id: def.id,
    kind: def.kind,
    outputs: def.resolvedOutputs,
    defaultOutput: def.defaultOutput,
    columns: def.columns ?? []
  };
  send(encodeFrame(FrameType.ready, 0, json(meta)));
} catch (error) {
  send(encodeFrame(FrameType.error, 0, describe(error)));
}

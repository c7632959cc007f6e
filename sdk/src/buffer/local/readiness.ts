/**
 * Waits until started nodes really serve: each must answer a raw Metadata request that lists every
 * broker expected up. Fails fast when a JVM exits, and on timeout names the log files to read.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { KafkaStartError } from '../../errors.js';
import type { NodeLayout } from './config.js';
import { probeNode, type ProbeMetadata } from './probe.js';
import { isNodeProcess } from './process.js';

/** Size of a file in bytes, 0 if it does not exist (where a tail "since now" starts). */
export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * The last `lines` lines of a text file ('' if missing), reading at most its last 16 KB and
 * nothing before byte `fromOffset` (so an earlier run's lines are never shown as this one's).
 */
export function tailFile(path: string, lines = 15, fromOffset = 0): string {
  if (!existsSync(path)) {
    return '';
  }
  const size = statSync(path).size;
  const length = Math.max(0, Math.min(size - fromOffset, 16 * 1024));
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** A node being waited for, with its process (the ChildProcess if this process launched it). */
export interface StartingNode {
  node: NodeLayout;
  pid: number;
  child?: ChildProcess;
  /** Sizes of the node's log and stdout files at launch: tails start there. */
  logOffset?: number;
  stdoutOffset?: number;
}

function exitedMessage(s: StartingNode): string | undefined {
  const code = s.child?.exitCode ?? null;
  const signal = s.child?.signalCode ?? null;
  const gone = code !== null || signal !== null || !isNodeProcess(s.pid, s.node.propertiesFile);
  if (!gone) {
    return undefined;
  }
  const how = code !== null ? `exit code ${code}` : signal !== null ? `signal ${signal}` : 'gone';
  const jvm = tailFile(s.node.stdoutFile, 10, s.stdoutOffset);
  const log = tailFile(s.node.logFile, 15, s.logOffset);
  return (
    `Kafka node ${s.node.nodeId} exited during startup (${how}). Its log is ${s.node.logFile}` +
    (log ? `; last lines:\n${log}` : ' (nothing written this run).') +
    (jvm ? `\nJVM output (${s.node.stdoutFile}):\n${jvm}` : '')
  );
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Resolves with the last Metadata answer once every node in `starting` lists all `expectIds`.
 * @param timeoutMs - overall budget for the wait
 */
export async function waitUntilServing(
  starting: readonly StartingNode[],
  expectIds: readonly number[],
  timeoutMs: number
): Promise<ProbeMetadata> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(starting);
  let last: ProbeMetadata | undefined;
  let lastError = '';
  for (;;) {
    for (const s of [...pending]) {
      const exited = exitedMessage(s);
      if (exited) {
        throw new KafkaStartError(exited, {
          context: { nodeId: s.node.nodeId, logFile: s.node.logFile, pid: s.pid }
        });
      }
      try {
        const meta = await probeNode(s.node, 1_000);
        const listed = new Set(meta.brokers.map(b => b.nodeId));
        if (expectIds.every(id => listed.has(id))) {
          pending.delete(s);
          last = meta;
        } else {
          lastError = `node ${s.node.nodeId} lists brokers [${[...listed].join(', ')}]`;
        }
      } catch (err) {
        lastError = `node ${s.node.nodeId}: ${(err as Error).message}`;
      }
    }
    if (pending.size === 0 && last) {
      return last;
    }
    if (Date.now() > deadline) {
      const logs = [...pending].map(s => s.node.logFile).join(', ');
      throw new KafkaStartError(
        `Kafka did not answer within ${timeoutMs / 1000} s (${lastError}). ` +
          `Read the log${pending.size > 1 ? 's' : ''}: ${logs}`,
        {
          retriable: true,
          context: { logFiles: [...pending].map(s => s.node.logFile), lastError }
        }
      );
    }
    await sleep(250);
  }
}

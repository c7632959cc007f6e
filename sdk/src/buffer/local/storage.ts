/**
 * Formats a node's data directory for KRaft with Kafka's own tool (`kafka.tools.StorageTool
 * format`, what `kafka-storage.sh format` runs): meta.properties plus the bootstrap metadata
 * checkpoint at the latest production metadata.version.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaStartError } from '../../errors.js';
import type { NodeLayout } from './config.js';
import { jvmArgs } from './process.js';
import type { KafkaRuntime } from './prerequisites.js';
import { newClusterId } from './state.js';

/** The storage tool may echo an `--add-scram` argument: its password never reaches a message. */
const redact = (text: string): string => text.replace(/password=[^\],\s]*/g, 'password=[redacted]');

/** Runs the storage tool for one node; rejects with its output when it fails. */
export function formatNode(
  runtime: KafkaRuntime,
  node: NodeLayout,
  clusterId: string,
  extraArgs: readonly string[] = []
): Promise<void> {
  const args = [
    ...jvmArgs(runtime, node.dir, '256m'),
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    clusterId,
    '--config',
    node.propertiesFile,
    ...extraArgs
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.java.javaPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) {
        resolve();
        return;
      }
      reject(
        new KafkaStartError(
          `Formatting the data directory of Kafka node ${node.nodeId} (${node.dataDir}) failed ` +
            `(exit ${String(code)}):\n${redact(output.trim())}\nStart afresh with \`alertlab kafka start --fresh\`.`,
          { context: { nodeId: node.nodeId, dataDir: node.dataDir, logFile: node.logFile } }
        )
      );
    });
  });
}

/**
 * Gives `target` the same formatting as the already formatted `source`: the bootstrap metadata
 * checkpoint is copied (with a static quorum it holds only cluster-wide feature levels), and
 * meta.properties is rewritten with the target's node.id and a fresh directory.id. Every other
 * line the storage tool wrote is kept as it is.
 */
export function cloneFormat(source: NodeLayout, target: NodeLayout): void {
  mkdirSync(target.dataDir, { recursive: true });
  for (const name of readdirSync(source.dataDir)) {
    if (name !== 'meta.properties') {
      cpSync(join(source.dataDir, name), join(target.dataDir, name), { recursive: true });
    }
  }
  const meta = readFileSync(join(source.dataDir, 'meta.properties'), 'utf8')
    .split('\n')
    .map(line => {
      if (line.startsWith('node.id=')) {
        return `node.id=${target.nodeId}`;
      }
      return line.startsWith('directory.id=') ? `directory.id=${newClusterId()}` : line;
    })
    .join('\n');
  writeFileSync(join(target.dataDir, 'meta.properties'), meta);
}

/**
 * Formats the first node with Kafka's storage tool and clones that formatting to the others:
 * one short JVM instead of one per node (JVM start-up dominates on small machines).
 */
export async function formatNodes(
  runtime: KafkaRuntime,
  nodes: readonly NodeLayout[],
  clusterId: string,
  extraArgs: readonly string[] = []
): Promise<void> {
  const [first, ...rest] = nodes;
  await formatNode(runtime, first, clusterId, extraArgs);
  for (const node of rest) {
    cloneFormat(first, node);
  }
}

/**
 * The local cluster's files under `$ALERTLAB_HOME/kafka`: `state.json` (what is running: pids,
 * ports, directories, logs — removed by stop), `cluster.json` (what the data directories were
 * formatted as — kept across restarts), and a lock so two commands never start or stop at once.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { join } from 'node:path';
import { LocalKafkaError } from '../../errors.js';
import type { KafkaSecurity } from '../security.js';
import type { NodeCount, NodeLayout } from './config.js';
import type { LocalSecurityMode } from './secure.js';

/** A running node as recorded in state.json. */
export interface NodeState extends NodeLayout {
  pid: number;
}

/** state.json: a cluster started by `alertlab kafka start`. */
export interface ClusterState {
  stateVersion: 1;
  clusterId: string;
  kafkaVersion: string;
  nodeCount: NodeCount;
  bootstrapServers: string;
  /** ISO 8601. */
  startedAt: string;
  /** JVM heap per node, e.g. '512m'. */
  heap: string;
  nodes: NodeState[];
  /** A secured cluster: its mode, and the settings clients use (no secret in them). */
  security?: { mode: LocalSecurityMode; settingsFile: string; client: KafkaSecurity };
}

/** cluster.json: the identity the data directories were formatted with. */
export interface ClusterIdentity {
  clusterId: string;
  nodeCount: NodeCount;
  /** The security mode it was formatted for (SCRAM users are made at format time). */
  security?: LocalSecurityMode;
}

export const stateFile = (kafkaDir: string): string => join(kafkaDir, 'state.json');
const identityFile = (kafkaDir: string): string => join(kafkaDir, 'cluster.json');
const lockFile = (kafkaDir: string): string => join(kafkaDir, 'lock');

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) {
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new LocalKafkaError(
      `Cannot read ${path} (${(err as Error).message}). Delete it, or run \`alertlab kafka stop\`.`,
      { cause: err, context: { path } }
    );
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export const readState = (kafkaDir: string): ClusterState | undefined =>
  readJson<ClusterState>(stateFile(kafkaDir));

export function writeState(kafkaDir: string, state: ClusterState): void {
  mkdirSync(kafkaDir, { recursive: true });
  writeJsonAtomic(stateFile(kafkaDir), state);
}

export function removeState(kafkaDir: string): void {
  rmSync(stateFile(kafkaDir), { force: true });
}

export const readIdentity = (kafkaDir: string): ClusterIdentity | undefined =>
  readJson<ClusterIdentity>(identityFile(kafkaDir));

export function writeIdentity(kafkaDir: string, identity: ClusterIdentity): void {
  mkdirSync(kafkaDir, { recursive: true });
  writeJsonAtomic(identityFile(kafkaDir), identity);
}

/**
 * A new Kafka cluster id: 16 random bytes, base64url without padding, never starting with '-'
 * (Kafka's own rule, so the id is never read as a command-line flag).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) {
      return id;
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file; 'gone' if it vanished, 'stale' if it stayed empty (writer died). */
function readLockHolder(path: string): number | 'gone' | 'stale' | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (text !== '') {
      return Number(text);
    }
    return Date.now() - statSync(path).mtimeMs > 5_000 ? 'stale' : undefined;
  } catch {
    return 'gone';
  }
}

let inProcess: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` holding `<kafkaDir>/lock` (one start/stop at a time across processes, and in order
 * within this one). A lock left by a dead process is taken over.
 */
export function withKafkaLock<T>(
  kafkaDir: string,
  fn: () => Promise<T>,
  waitMs = 300_000
): Promise<T> {
  const run = async (): Promise<T> => {
    mkdirSync(kafkaDir, { recursive: true });
    const path = lockFile(kafkaDir);
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw err;
        }
      }
      const holder = readLockHolder(path);
      if (holder === 'gone') {
        continue;
      }
      if (
        holder === 'stale' ||
        (holder !== undefined && (holder === process.pid || !pidAlive(holder)))
      ) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline && holder !== undefined) {
        throw new LocalKafkaError(
          `Another alertlab command (pid ${holder}) is starting or stopping the local Kafka ` +
            `in ${kafkaDir}. Wait for it, or remove ${path} if that process is gone.`,
          { retriable: true, context: { lockFile: path, holderPid: holder } }
        );
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    try {
      return await fn();
    } finally {
      rmSync(path, { force: true });
    }
  };
  const result = inProcess.then(run, run);
  inProcess = result.catch(() => undefined);
  return result;
}

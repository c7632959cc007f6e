/**
 * One Kafka JVM per node: launch it detached (it outlives the command that started it), tell
 * whether a recorded pid is still that node, and stop it (SIGTERM, wait, SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeLayout } from './config.js';
import { log4jConfigPath } from './paths.js';
import type { KafkaRuntime } from './prerequisites.js';

/** JVM heap per node. @default '512m' */
export const DEFAULT_HEAP = '512m';

/** JVM options for a node: small heap, G1 as Kafka's scripts set it, no GC log, log4j2 to file. */
export function jvmArgs(runtime: KafkaRuntime, logDir: string, heap = DEFAULT_HEAP): string[] {
  return [
    `-Xmx${heap}`,
    '-Xms128m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigPath}`,
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    join(runtime.libsDir, '*')
  ];
}

/** Starts `kafka.Kafka <server.properties>` detached, stdout/stderr into the node's stdout file. */
export function spawnNode(runtime: KafkaRuntime, node: NodeLayout, heap?: string): ChildProcess {
  const out = openSync(node.stdoutFile, 'a');
  try {
    const child = spawn(
      runtime.java.javaPath,
      [...jvmArgs(runtime, node.dir, heap), 'kafka.Kafka', node.propertiesFile],
      { cwd: node.dir, detached: true, stdio: ['ignore', out, out] }
    );
    child.on('error', () => undefined); // surfaced by the readiness wait as an early exit
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

function procCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * True when `pid` is alive and, where /proc exists, is a JVM started with `propertiesFile`
 * (so a pid recycled after a crash is never mistaken for, or killed as, a node).
 */
export function isNodeProcess(pid: number, propertiesFile: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (isZombie(pid)) {
    return false;
  }
  const cmdline = procCmdline(pid);
  return cmdline === undefined || cmdline.includes(propertiesFile);
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/** How a stop ended. */
export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL if it is still there after `timeoutMs`. */
export async function stopProcess(
  pid: number,
  propertiesFile: string,
  timeoutMs: number
): Promise<StopOutcome> {
  if (!isNodeProcess(pid, propertiesFile)) {
    return 'not-running';
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!isNodeProcess(pid, propertiesFile)) {
      return 'terminated';
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  const killDeadline = Date.now() + 10_000;
  while (isNodeProcess(pid, propertiesFile) && Date.now() < killDeadline) {
    await sleep(50);
  }
  return 'killed';
}

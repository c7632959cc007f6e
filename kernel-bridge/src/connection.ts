/**
 * Connection files (Jupyter style): `{transport, ip, shell_port, key, signature_scheme, pid}`,
 * written with mode 0600 because the key signs every message.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  /** Host for tcp; path prefix for ipc (endpoint `ipc://<ip>-<port>`). */
  ip: string;
  shell_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  /** Process id of the engine that wrote the file. */
  pid?: number;
  protocol_version?: string;
}

/** The repository root (two levels above this file). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** `$ALERTLAB_HOME`, default `<repo>/.alertlab`. */
export function alertlabHome(): string {
  return process.env.ALERTLAB_HOME ?? join(repoRoot(), '.alertlab');
}

/** `$ALERTLAB_HOME/bridge.json`. */
export function defaultConnectionFile(): string {
  return join(alertlabHome(), 'bridge.json');
}

export function newKey(): string {
  return randomBytes(32).toString('hex');
}

export function endpointOf(info: Pick<ConnectionInfo, 'transport' | 'ip' | 'shell_port'>): string {
  return info.transport === 'ipc'
    ? `ipc://${info.ip}-${info.shell_port}`
    : `tcp://${info.ip}:${info.shell_port}`;
}

/** Writes atomically with mode 0600 (the key must not be world-readable). */
export async function writeConnectionFile(path: string, info: ConnectionInfo): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  const info = JSON.parse(await readFile(path, 'utf8')) as ConnectionInfo;
  if (typeof info.key !== 'string' || typeof info.shell_port !== 'number') {
    throw new Error(
      `Connection file ${path} lacks key/shell_port; delete it and restart the engine.`
    );
  }
  return info;
}

/** Removes the file if it still belongs to this process. */
export async function removeConnectionFile(path: string, pid = process.pid): Promise<void> {
  try {
    const info = await readConnectionFile(path);
    if (info.pid === pid) {
      await rm(path, { force: true });
    }
  } catch {
    // already gone or unreadable: nothing to clean up
  }
}

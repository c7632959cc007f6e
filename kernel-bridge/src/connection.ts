/**
 * Connection files (Jupyter style): `{transport, ip, shell_port, key, signature_scheme, pid}`,
 * written with mode 0600 because the key signs every message.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  newKey,
  repoRoot,
  writeConnectionFile,
  type ConnectionInfo
} from '../../sdk/src/filter/python/connection-file.js';

export { newKey, repoRoot, writeConnectionFile, type ConnectionInfo };

/** `$ALERTLAB_HOME`, default `<repo>/.alertlab`. */
export function alertlabHome(): string {
  return process.env.ALERTLAB_HOME ?? join(repoRoot(), '.alertlab');
}

/** `$ALERTLAB_HOME/bridge.json`. */
export function defaultConnectionFile(): string {
  return join(alertlabHome(), 'bridge.json');
}

export function endpointOf(info: Pick<ConnectionInfo, 'transport' | 'ip' | 'shell_port'>): string {
  return info.transport === 'ipc'
    ? `ipc://${info.ip}-${info.shell_port}`
    : `tcp://${info.ip}:${info.shell_port}`;
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

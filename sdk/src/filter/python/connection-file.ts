/**
 * Connection files (Jupyter style): `{transport, ip, shell_port, key, signature_scheme, pid}`,
 * written with mode 0600 because the key signs every message. The kernel bridge's engine and the
 * Python filter host both write them.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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

/** The repository root (four levels above this file). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** 32 random bytes, hex: an HMAC key. */
export function newKey(): string {
  return randomBytes(32).toString('hex');
}

/** Writes atomically with mode 0600 (the key must not be world-readable). */
export async function writeConnectionFile(path: string, info: ConnectionInfo): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

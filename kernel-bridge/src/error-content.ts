/** Turns thrown values into Jupyter-style error reply content. */
import { FilterWorkerError, RemoteError } from './errors.js';
import type { JsonObject } from './wire.js';

export function errorContent(code: string, ename: string, evalue: string): JsonObject;
export function errorContent(err: unknown): JsonObject;
export function errorContent(a: unknown, ename?: string, evalue?: string): JsonObject {
  if (typeof a === 'string' && ename !== undefined) {
    return { status: 'error', code: a, ename, evalue: evalue ?? '', traceback: [] };
  }
  const err = a instanceof Error ? a : new Error(String(a));
  const code =
    err instanceof RemoteError || err instanceof FilterWorkerError ? err.code : 'remote-exception';
  const traceback =
    err instanceof RemoteError && err.remoteTraceback.length > 0
      ? err.remoteTraceback
      : (err.stack ?? '').split('\n');
  return { status: 'error', code, ename: err.name, evalue: err.message, traceback };
}

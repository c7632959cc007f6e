/**
 * Bridge errors. They extend the SDK's `AlertlabError` (name, retriable, cause, context) and say
 * what to do next. Python mirrors them in `alertlab/errors.py` as subclasses of built-ins.
 */
import { AlertlabError } from '@alertlab/sdk';
import type { BridgeErrorCode } from './messages.js';

/** The engine cannot be reached (not started, wrong connection file, wrong key). */
export class BridgeNotReadyError extends AlertlabError {
  override name = 'BridgeNotReadyError';
}

/** No reply within the time limit; context names the request (msgType, msgId, elapsedMs). */
export class BridgeTimeoutError extends AlertlabError {
  override name = 'BridgeTimeoutError';
}

/** The other side answered with an error reply. `code` is machine-readable. */
export class RemoteError extends AlertlabError {
  override name = 'RemoteError';
  readonly code: BridgeErrorCode | string;
  readonly remoteTraceback: string[];
  constructor(
    message: string,
    code: string,
    remoteTraceback: string[] = [],
    context: Record<string, unknown> = {}
  ) {
    super(message, { context: { ...context, code } });
    this.code = code;
    this.remoteTraceback = remoteTraceback;
  }
}

/** A message that breaks the protocol (bad frames, bad signature, bad content). */
export class ProtocolError extends AlertlabError {
  override name = 'ProtocolError';
}

/** A Python filter worker raised, hung or died (defined by the SDK's Python filter host). */
export { FilterWorkerError } from '@alertlab/sdk';

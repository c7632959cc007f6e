/** Shared pieces for handlers: the handler type and request-field readers. */
import type { BridgeEngine } from './engine.js';
import { RemoteError } from './errors.js';
import { SERVICE_PROVIDERS, type BridgeServices } from './services.js';
import type { BridgeMessage, JsonObject } from './wire.js';

export interface RequestContext {
  message: BridgeMessage;
  engine: BridgeEngine;
}

export interface HandlerResult {
  content: JsonObject;
  buffers?: Uint8Array[];
  /** Runs after the reply is sent (e.g. start pumping a stream). */
  after?: () => Promise<void>;
}

/** Returns a reply, or nothing for one-way messages. */
export type Handler = (ctx: RequestContext) => Promise<HandlerResult | void>;

export function service<K extends keyof BridgeServices>(
  engine: BridgeEngine,
  name: K
): BridgeServices[K] {
  const fn = engine.services[name];
  if (!fn) {
    throw new RemoteError(
      `"${name}" is not available in this engine: it needs ${SERVICE_PROVIDERS[name]}, which is not built or not loaded yet. Use the Node SDK directly or update alertlab.`,
      'not-available',
      [],
      { service: name }
    );
  }
  return (fn as (...args: never[]) => unknown).bind(engine.services) as BridgeServices[K];
}

export function str(content: JsonObject, field: string): string {
  const v = content[field];
  if (typeof v !== 'string' || v === '') {
    throw new RemoteError(`Request needs a non-empty string "${field}".`, 'bad-request');
  }
  return v;
}

export function num(content: JsonObject, field: string, fallback?: number): number {
  const v = content[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RemoteError(
      `Request needs a finite number "${field}" (got ${String(v)}).`,
      'bad-request'
    );
  }
  return v;
}

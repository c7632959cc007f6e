/**
 * Shared pieces of the @platformatic/kafka transport: the client options every client of a
 * transport uses, and how the package's errors become alertlab's (an unknown topic anywhere in a
 * failure becomes `type: 'UNKNOWN_TOPIC_OR_PARTITION'`, which wrapError turns into
 * TopicNotFoundError; the package's `canRetry` becomes `retriable`).
 */
import { UserError, findErrorBy, type BaseOptions } from '@platformatic/kafka';
import { nodeTlsOptions, transportSecurity } from '../security-clients.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';

export function baseOptions(options: T.TransportOptions, role: string): BaseOptions {
  return {
    clientId: `${options.clientId ?? 'alertlab'}-${role}`,
    bootstrapBrokers: options.bootstrapServers,
    connectTimeout: options.connectionTimeoutMs ?? 10_000,
    timeout: options.requestTimeoutMs ?? 30_000,
    retries: 5,
    retryDelay: 250,
    metadataMaxAge: 5_000,
    ...platformaticSecurity(options)
  };
}

/** The package's `tls` and `sasl` options (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER by provider). */
function platformaticSecurity(options: T.TransportOptions): Partial<BaseOptions> {
  const sec = transportSecurity(options.security);
  if (sec === undefined) {
    return {};
  }
  const out: Partial<BaseOptions> = {};
  if (sec.tls) {
    out.tls = nodeTlsOptions(sec.tls);
  }
  const s = sec.sasl;
  if (s?.mechanism === 'OAUTHBEARER') {
    const provider = s.provider;
    out.sasl = {
      mechanism: 'OAUTHBEARER',
      token: async () => (await provider.token()).value.reveal()
    };
  } else if (s) {
    const password = s.password;
    out.sasl = { mechanism: s.mechanism, username: s.username, password: () => password.reveal() };
  }
  return out;
}

/** Marks a package error the way wrapError reads it. */
export function asClientError(e: unknown): unknown {
  if (e instanceof Error) {
    const err = e as Error & { type?: unknown; retriable?: unknown; canRetry?: unknown };
    // the package reports a topic missing from Metadata as a UserError "Unknown topic <name>."
    const unknownTopic =
      findErrorBy(err, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION') !== null ||
      (err instanceof UserError && err.message.startsWith('Unknown topic '));
    if (err.type === undefined && unknownTopic) {
      err.type = 'UNKNOWN_TOPIC_OR_PARTITION';
    }
    if (err.retriable === undefined && typeof err.canRetry === 'boolean') {
      err.retriable = err.canRetry;
    }
  }
  return e;
}

/** Runs `fn`, wrapping a failure with the operation and context. */
export async function guarded<R>(
  operation: string,
  context: Record<string, unknown>,
  fn: () => Promise<R>
): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    throw wrapError(asClientError(e), operation, context);
  }
}

export const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

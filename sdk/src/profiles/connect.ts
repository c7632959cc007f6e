/**
 * Reading a stream through its profile: a BufferClient on the profile's brokers with its security
 * settings, the decoder its format needs, and consumer group ids that stay the same for one
 * (user, stream, reader) so a reader started again resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { createDecoder } from '../alerts/index.js';
import { httpSchemaSource } from '../alerts/schema-source.js';
import type { AlertDecoder } from '../alerts/types.js';
import type { AttachFrom } from '../buffer/attach.js';
import { BufferClient, type BufferOptions } from '../buffer/client.js';
import { ConfigError } from '../errors.js';
import { decoderSettings, type StreamProfile } from './profile.js';

/** A client for the profile's cluster (its brokers, its security settings). */
export async function profileClient(
  profile: StreamProfile,
  options: Omit<BufferOptions, 'bootstrapServers'> = {}
): Promise<BufferClient> {
  return BufferClient.create({
    ...options,
    bootstrapServers: profile.brokers,
    security: profile.security
  });
}

/** The decoder for the profile's alert format (a Schema Registry when the profile names one). */
export function profileDecoder(profile: StreamProfile): AlertDecoder {
  const { format, rubinSchemaVersion } = decoderSettings(profile.format);
  const registry = profile.format.schemaRegistry;
  return createDecoder(format, {
    rubinSchemaVersion,
    schemaSource: registry ? httpSchemaSource(registry) : undefined
  });
}

/**
 * `group` as the profile's broker accepts it: prefixed with its `consumerGroupPrefix` (the SASL
 * user name for "$username", read from the variable the profile names) unless it already is.
 */
export function profileGroupId(
  profile: StreamProfile,
  group: string,
  env: NodeJS.ProcessEnv = process.env
): string {
  const rule = profile.consumerGroupPrefix;
  if (rule === undefined) {
    return group;
  }
  const sasl = profile.security.sasl;
  const prefix =
    rule === '$username' ? (sasl?.username ?? (sasl?.usernameEnv && env[sasl.usernameEnv])) : rule;
  if (!prefix) {
    throw new ConfigError(
      `Profile ${profile.name} names consumer groups after the SASL user name: set ${sasl?.usernameEnv ?? 'security.sasl.username'}.`,
      { context: { profile: profile.name } }
    );
  }
  return group.startsWith(prefix) ? group : `${prefix}-${group}`;
}

const part = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || '_';

/**
 * The user segment of a reader group id: the name with its dots written `~`, so the segment holds
 * no `.` and `alertlab.<segment>.` names one user only ("ann" must not match "ann.lee"'s groups).
 * One to one on controller user names ([a-z0-9._-]).
 */
export function readerGroupUser(user: string): string {
  return part(user).replace(/\./g, '~');
}

/**
 * A consumer group id that is the same every time for one user, stream and reader (a notebook's
 * path, or "cli"), so reading again resumes where the last read stopped:
 * `alertlab.<user, dots as ~>.<stream>.<reader name>.<8 hex of a hash of all three>`.
 */
export function resumeGroupId(parts: { user?: string; stream: string; reader: string }): string {
  const user = parts.user ?? userInfo().username;
  const hash = createHash('sha256')
    .update(`${user}\n${parts.stream}\n${parts.reader}`)
    .digest('hex')
    .slice(0, 8);
  const reader = parts.reader.split('/').pop() ?? parts.reader;
  return `alertlab.${readerGroupUser(user)}.${part(parts.stream)}.${part(reader)}.${hash}`;
}

/**
 * Parses a `reset_to` / `--reset-to` value: 'earliest', 'latest', an ISO 8601 time or epoch
 * milliseconds → where attach repositions every partition (whatever the group committed).
 */
export function parseResetTo(value: string | number | Date): AttachFrom {
  if (value === 'earliest' || value === 'latest') {
    return { reset: value };
  }
  if (value instanceof Date) {
    return { timestamp: value.getTime() };
  }
  const ms =
    typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ConfigError(
      `reset_to must be 'earliest', 'latest', an ISO 8601 time or epoch milliseconds; got ${String(value)}.`,
      { context: { resetTo: String(value) } }
    );
  }
  return { timestamp: ms };
}

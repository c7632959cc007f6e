/**
 * Where Kafka security settings come from: a `--security-file` (JSON; relative paths from its
 * folder), `ALERTLAB_KAFKA_SECURITY` (the JSON itself or a file path), and a secret-free one-line
 * summary of settings for logs, `/stages` answers and errors.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KafkaSecurityError } from '../errors.js';
import { parseSecurity, type KafkaSecurity } from './security.js';

/** Reads a `--security-file` (JSON, paths relative to it). */
export function loadSecurityFile(file: string): KafkaSecurity {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KafkaSecurityError(
      `Cannot read Kafka security settings from ${file}: ${(cause as Error).message}. ` +
        'Check --security-file / ALERTLAB_KAFKA_SECURITY.',
      { cause, context: { setting: 'security-file', path: file } }
    );
  }
  return parseSecurity(json, { baseDir: dirname(resolve(file)), source: file });
}

/**
 * `ALERTLAB_KAFKA_SECURITY`: the settings' JSON, or the path of a JSON file. Undefined when unset.
 */
export function securityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity | undefined {
  const value = env.ALERTLAB_KAFKA_SECURITY?.trim();
  if (value === undefined || value === '') {
    return undefined;
  }
  if (!value.startsWith('{')) {
    return loadSecurityFile(value);
  }
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (cause) {
    throw new KafkaSecurityError(
      `ALERTLAB_KAFKA_SECURITY is not valid JSON (${(cause as Error).message}). Give the settings' ` +
        'JSON or the path of a JSON file.',
      { cause, context: { setting: 'ALERTLAB_KAFKA_SECURITY' } }
    );
  }
  return parseSecurity(json, {
    path: 'ALERTLAB_KAFKA_SECURITY',
    source: 'ALERTLAB_KAFKA_SECURITY'
  });
}

/** A one-line, secret-free summary for logs, `/stages` and errors. */
export function describeSecurity(sec: KafkaSecurity | undefined): string {
  if (sec === undefined || sec.protocol === 'PLAINTEXT') {
    return 'PLAINTEXT';
  }
  const parts: string[] = [sec.protocol];
  const s = sec.sasl;
  if (s) {
    const who = s.username ?? (s.usernameEnv ? `$${s.usernameEnv}` : undefined);
    const from = s.passwordEnv
      ? `password from $${s.passwordEnv}`
      : s.passwordFile
        ? `password from ${s.passwordFile}`
        : s.tokenFile
          ? `token from ${s.tokenFile}`
          : `token from command ${s.tokenCommand?.[0] ?? ''}`;
    parts.push(`${s.mechanism}${who ? ` as ${who}` : ''}, ${from}`);
  }
  const t = sec.tls;
  if (t) {
    parts.push(t.caFile ? `CA ${t.caFile}` : 'system CAs');
    if (t.certFile) {
      parts.push(`client certificate ${t.certFile}`);
    }
    if (t.verifyHostname === false) {
      parts.push('hostname NOT verified');
    }
  }
  return parts.join('; ');
}

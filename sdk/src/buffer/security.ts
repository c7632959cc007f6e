/**
 * Kafka security settings, the same JSON shape wherever brokers are named (a buffer set's
 * `security` in alertlab.buffers.json, a stage manifest's input/outputs, `--security-file`,
 * `ALERTLAB_KAFKA_SECURITY`, Python `connect(security=...)`, profiles):
 *   { "protocol": "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL",
 *     "sasl": { "mechanism": "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER",
 *               "username" | "usernameEnv", "passwordEnv" | "passwordFile",       (PLAIN, SCRAM)
 *               "tokenCommand": ["argv", ...] | "tokenFile" },                     (OAUTHBEARER)
 *     "tls": { "caFile", "certFile", "keyFile", "keyPasswordEnv", "verifyHostname": true } }
 * It holds no secret: secrets come from the environment variables or files it names
 * (resolveSecurity in security-secrets.ts reads them; security-sources.ts loads the settings from a
 * file or ALERTLAB_KAFKA_SECURITY and describes them without secrets). A plain-text secret key
 * ("password", "token", ...) is refused. Relative paths are taken from `baseDir`.
 */
import { isAbsolute, resolve } from 'node:path';
import { KafkaSecurityError } from '../errors.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = [
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL'
];
export const SASL_MECHANISMS: readonly SaslMechanism[] = [
  'PLAIN',
  'SCRAM-SHA-256',
  'SCRAM-SHA-512',
  'OAUTHBEARER'
];

export interface SaslSettings {
  mechanism: SaslMechanism;
  /** PLAIN / SCRAM user name (not a secret). One of username, usernameEnv. */
  username?: string;
  /** Environment variable holding the user name. */
  usernameEnv?: string;
  /** Environment variable holding the password. One of passwordEnv, passwordFile. */
  passwordEnv?: string;
  /** File holding the password (first line); must not be readable by group or others. */
  passwordFile?: string;
  /**
   * OAUTHBEARER: a command (argv, no shell) printing the token, either a bare JWT or the JSON of a
   * token endpoint (`{"access_token", "expires_in"}`). Run again before the token expires.
   */
  tokenCommand?: string[];
  /** OAUTHBEARER: a file holding the token (re-read before it expires); owner-only. */
  tokenFile?: string;
}

export interface TlsSettings {
  /** PEM bundle of the CAs to trust. @default the system's CAs */
  caFile?: string;
  /** PEM client certificate (mTLS); needs keyFile. */
  certFile?: string;
  /** PEM private key of the client certificate; must not be readable by group or others. */
  keyFile?: string;
  /** Environment variable holding the key's passphrase, if it is encrypted. */
  keyPasswordEnv?: string;
  /** Check that the broker's certificate names the host connected to. @default true */
  verifyHostname?: boolean;
}

export interface KafkaSecurity {
  /** @default 'PLAINTEXT' */
  protocol: SecurityProtocol;
  /** Required for SASL_PLAINTEXT / SASL_SSL, refused otherwise. */
  sasl?: SaslSettings;
  /** For SSL / SASL_SSL only. @default {} (system CAs, hostname verified) */
  tls?: TlsSettings;
}

export interface SecurityIssue {
  /** Where, e.g. `security.sasl.passwordEnv`. */
  path: string;
  message: string;
}

export type SecurityParseResult =
  { ok: true; value: KafkaSecurity } | { ok: false; issues: SecurityIssue[] };

export const PLAINTEXT_SECURITY: KafkaSecurity = Object.freeze({ protocol: 'PLAINTEXT' });

const SASL_KEYS = [
  'mechanism',
  'username',
  'usernameEnv',
  'passwordEnv',
  'passwordFile',
  'tokenCommand',
  'tokenFile'
];
const TLS_KEYS = ['caFile', 'certFile', 'keyFile', 'keyPasswordEnv', 'verifyHostname'];
const SECRET_KEYS = /^(password|passwd|secret|token|accessToken|keyPassword|jaas|sasl\.|ssl\.)/i;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(
  raw: Record<string, unknown>,
  keys: string[],
  path: string,
  out: SecurityIssue[]
) {
  for (const key of Object.keys(raw)) {
    if (keys.includes(key)) {
      continue;
    }
    const message = SECRET_KEYS.test(key)
      ? 'a secret is never written in plain text here: name an environment variable or an ' +
        'owner-only file instead (passwordEnv / passwordFile, tokenCommand / tokenFile, keyPasswordEnv)'
      : `unknown key (allowed: ${keys.join(', ')})`;
    out.push({ path: `${path}.${key}`, message });
  }
}

function str(raw: Record<string, unknown>, key: string, path: string, out: SecurityIssue[]) {
  const v = raw[key];
  if (v === undefined) {
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') {
    out.push({ path: `${path}.${key}`, message: 'must be a non-empty string' });
    return undefined;
  }
  if (key.endsWith('Env') && !ENV_RE.test(v)) {
    out.push({ path: `${path}.${key}`, message: 'must be an environment variable name' });
    return undefined;
  }
  return v;
}

function onlyOne(raw: Record<string, unknown>, keys: string[], path: string, out: SecurityIssue[]) {
  const given = keys.filter(k => raw[k] !== undefined);
  if (given.length !== 1) {
    const message =
      given.length === 0 ? 'one of them is required' : `give only one (got ${given.join(', ')})`;
    out.push({ path: `${path}.{${keys.join('|')}}`, message });
  }
}

function parseSasl(raw: unknown, path: string, out: SecurityIssue[]): SaslSettings | undefined {
  if (!isObject(raw)) {
    out.push({ path, message: `must be an object with mechanism (${SASL_MECHANISMS.join(', ')})` });
    return undefined;
  }
  checkKeys(raw, SASL_KEYS, path, out);
  const mechanism = raw.mechanism;
  if (typeof mechanism !== 'string' || !SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
    out.push({
      path: `${path}.mechanism`,
      message: `must be one of ${SASL_MECHANISMS.join(', ')}`
    });
    return undefined;
  }
  const sasl: SaslSettings = { mechanism: mechanism as SaslMechanism };
  for (const key of ['username', 'usernameEnv', 'passwordEnv', 'passwordFile', 'tokenFile']) {
    const v = str(raw, key, path, out);
    if (v !== undefined) {
      (sasl as unknown as Record<string, string>)[key] = v;
    }
  }
  if (raw.tokenCommand !== undefined) {
    const cmd = raw.tokenCommand;
    if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some(a => typeof a !== 'string')) {
      const message = 'must be a non-empty array of strings (argv, no shell), e.g. ["get-token"]';
      out.push({ path: `${path}.tokenCommand`, message });
    } else {
      sasl.tokenCommand = [...(cmd as string[])];
    }
  }
  if (sasl.mechanism === 'OAUTHBEARER') {
    onlyOne(raw, ['tokenCommand', 'tokenFile'], path, out);
    for (const k of ['username', 'usernameEnv', 'passwordEnv', 'passwordFile']) {
      if (raw[k] !== undefined) {
        out.push({
          path: `${path}.${k}`,
          message: 'not used with OAUTHBEARER (the token says who)'
        });
      }
    }
  } else {
    onlyOne(raw, ['username', 'usernameEnv'], path, out);
    onlyOne(raw, ['passwordEnv', 'passwordFile'], path, out);
    for (const k of ['tokenCommand', 'tokenFile']) {
      if (raw[k] !== undefined) {
        out.push({ path: `${path}.${k}`, message: 'only used with mechanism OAUTHBEARER' });
      }
    }
  }
  return sasl;
}

function parseTls(raw: unknown, path: string, out: SecurityIssue[]): TlsSettings | undefined {
  if (!isObject(raw)) {
    out.push({ path, message: 'must be an object (caFile, certFile, keyFile, verifyHostname)' });
    return undefined;
  }
  checkKeys(raw, TLS_KEYS, path, out);
  const tls: TlsSettings = {};
  for (const key of ['caFile', 'certFile', 'keyFile', 'keyPasswordEnv']) {
    const v = str(raw, key, path, out);
    if (v !== undefined) {
      (tls as Record<string, string>)[key] = v;
    }
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    out.push({ path: `${path}.certFile`, message: 'certFile and keyFile go together (mTLS)' });
  }
  if (raw.verifyHostname !== undefined) {
    if (typeof raw.verifyHostname !== 'boolean') {
      out.push({ path: `${path}.verifyHostname`, message: 'must be true or false' });
    } else {
      tls.verifyHostname = raw.verifyHostname;
    }
  }
  return tls;
}

function absolutise(sec: KafkaSecurity, baseDir: string): KafkaSecurity {
  const abs = (p: string | undefined) =>
    p === undefined || isAbsolute(p) ? p : resolve(baseDir, p);
  const out: KafkaSecurity = { protocol: sec.protocol };
  if (sec.sasl) {
    out.sasl = { ...sec.sasl };
    for (const k of ['passwordFile', 'tokenFile'] as const) {
      if (out.sasl[k] !== undefined) {
        out.sasl[k] = abs(out.sasl[k]);
      }
    }
  }
  if (sec.tls) {
    out.tls = { ...sec.tls };
    for (const k of ['caFile', 'certFile', 'keyFile'] as const) {
      if (out.tls[k] !== undefined) {
        out.tls[k] = abs(out.tls[k]);
      }
    }
  }
  return out;
}

/** Validates settings (never throws). `path` prefixes issue paths. */
export function safeParseSecurity(
  input: unknown,
  options: { path?: string; baseDir?: string } = {}
): SecurityParseResult {
  const path = options.path ?? 'security';
  const out: SecurityIssue[] = [];
  if (!isObject(input)) {
    return { ok: false, issues: [{ path, message: 'must be an object with a protocol' }] };
  }
  checkKeys(input, ['protocol', 'sasl', 'tls'], path, out);
  const protocol = input.protocol ?? 'PLAINTEXT';
  if (typeof protocol !== 'string' || !SECURITY_PROTOCOLS.includes(protocol as SecurityProtocol)) {
    out.push({
      path: `${path}.protocol`,
      message: `must be one of ${SECURITY_PROTOCOLS.join(', ')}`
    });
    return { ok: false, issues: out };
  }
  const sec: KafkaSecurity = { protocol: protocol as SecurityProtocol };
  const wantsSasl = protocol.startsWith('SASL_');
  const wantsTls = protocol.endsWith('SSL');
  if (input.sasl !== undefined && !wantsSasl) {
    out.push({ path: `${path}.sasl`, message: `not used with ${protocol} (use SASL_SSL)` });
  } else if (wantsSasl) {
    if (input.sasl === undefined) {
      out.push({ path: `${path}.sasl`, message: `required with ${protocol}` });
    }
    sec.sasl = input.sasl === undefined ? undefined : parseSasl(input.sasl, `${path}.sasl`, out);
  }
  if (input.tls !== undefined && !wantsTls) {
    out.push({ path: `${path}.tls`, message: `not used with ${protocol} (use SSL or SASL_SSL)` });
  } else if (wantsTls) {
    sec.tls = input.tls === undefined ? {} : parseTls(input.tls, `${path}.tls`, out);
  }
  if (out.length > 0) {
    return { ok: false, issues: out };
  }
  return { ok: true, value: options.baseDir ? absolutise(sec, options.baseDir) : sec };
}

/** Validates settings; throws KafkaSecurityError listing every issue. */
export function parseSecurity(
  input: unknown,
  options: { path?: string; baseDir?: string; source?: string } = {}
): KafkaSecurity {
  const result = safeParseSecurity(input, options);
  if (!result.ok) {
    const list = result.issues.map(i => `  - ${i.path}: ${i.message}`).join('\n');
    throw new KafkaSecurityError(
      `Invalid Kafka security settings${options.source ? ` in ${options.source}` : ''}:\n${list}`,
      { context: { setting: result.issues[0].path, issues: result.issues } }
    );
  }
  return result.value;
}

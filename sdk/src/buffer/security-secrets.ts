/**
 * Reads the secrets that Kafka security settings name (security.ts): passwords and key passphrases
 * from environment variables or owner-only files, OAUTHBEARER tokens from a command or a file
 * (cached and fetched again before they expire), CA/certificate/key PEM files. A secret is held in
 * a `Secret`, which prints as `[redacted]` in logs, JSON and util.inspect; `scrubSecrets` removes
 * any secret read so far from a text (client errors, log lines).
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { KafkaSecurityError } from '../errors.js';
import type { KafkaSecurity, SaslMechanism, SecurityProtocol } from './security.js';

const known = new Set<string>();

/** A secret value: never printed, serialised or inspected as itself. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    if (value.length >= 4) {
      known.add(value);
    }
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

/** Replaces every secret read in this process by `[redacted]`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of known) {
    if (out.includes(s)) {
      out = out.split(s).join('[redacted]');
    }
  }
  return out;
}

export interface OAuthToken {
  value: Secret;
  /** When the token expires (ms since epoch). */
  expiresAtMs: number;
  /** The principal the token names (`sub`), for clients that ask for it. */
  principal: string;
}

/** Hands out a valid token: the cached one until 80 % of its lifetime, then a fresh one. */
export interface TokenProvider {
  token(): Promise<OAuthToken>;
}

export type ResolvedSasl =
  | { mechanism: Exclude<SaslMechanism, 'OAUTHBEARER'>; username: string; password: Secret }
  | { mechanism: 'OAUTHBEARER'; provider: TokenProvider };

export interface ResolvedTls {
  caFile?: string;
  /** PEM text of caFile. */
  ca?: string;
  certFile?: string;
  cert?: string;
  keyFile?: string;
  key?: Secret;
  keyPassword?: Secret;
  verifyHostname: boolean;
}

export interface ResolvedSecurity {
  protocol: SecurityProtocol;
  /** The settings these came from (secret-free; fine to show). */
  settings: KafkaSecurity;
  sasl?: ResolvedSasl;
  tls?: ResolvedTls;
}

function fail(setting: string, message: string, cause?: unknown): never {
  throw new KafkaSecurityError(`${message} (setting: ${setting})`, {
    cause,
    context: { setting }
  });
}

function fromEnv(name: string, setting: string, env: NodeJS.ProcessEnv): Secret {
  const v = env[name];
  if (v === undefined || v === '') {
    fail(setting, `Kafka security: environment variable ${name} is not set. Export it.`);
  }
  return new Secret(v);
}

/** Reads a file; `secret` files must not be readable by group or others. */
export function readSecurityFile(file: string, setting: string, secret: boolean): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (cause) {
    fail(setting, `Kafka security: cannot read ${file}: ${(cause as Error).message}`, cause);
  }
  if (secret && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    fail(
      setting,
      `Kafka security: refusing ${file}: it holds a secret and is readable by group or others ` +
        `(mode ${octal}). Run \`chmod 600 ${file}\``
    );
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    fail(setting, `Kafka security: cannot read ${file}: ${(cause as Error).message}`, cause);
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].trim();
}

/** Parses a token command's output or a token file: a bare JWT or `{access_token, expires_in}`. */
export function parseToken(text: string, setting: string, nowMs = Date.now()): OAuthToken {
  const trimmed = text.trim();
  let raw = trimmed;
  let expiresAtMs: number | undefined;
  if (trimmed.startsWith('{')) {
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(trimmed) as typeof json;
    } catch {
      fail(setting, 'Kafka security: the OAUTHBEARER token is JSON that does not parse');
    }
    if (typeof json.access_token !== 'string' || json.access_token === '') {
      fail(setting, 'Kafka security: the OAUTHBEARER token JSON has no access_token');
    }
    raw = json.access_token;
    if (typeof json.expires_in === 'number') {
      expiresAtMs = nowMs + json.expires_in * 1000;
    }
  }
  const value = new Secret(raw);
  const parts = raw.split('.');
  let principal = 'alertlab';
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {
        exp?: unknown;
        sub?: unknown;
      };
      if (typeof claims.exp === 'number' && expiresAtMs === undefined) {
        expiresAtMs = claims.exp * 1000;
      }
      if (typeof claims.sub === 'string') {
        principal = claims.sub;
      }
    } catch {
      // not a JWT with JSON claims: an opaque token
    }
  }
  if (raw === '' || /\s/.test(raw)) {
    fail(setting, 'Kafka security: the OAUTHBEARER token is empty or holds spaces');
  }
  const expires = expiresAtMs ?? nowMs + 3_600_000;
  if (expires <= nowMs) {
    fail(setting, 'Kafka security: the OAUTHBEARER token has already expired; renew it');
  }
  return { value, expiresAtMs: expires, principal };
}

function runCommand(argv: string[], setting: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(argv[0], argv.slice(1), { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) {
        // stderr is left out: a token command may print the token it failed to use.
        const message = `Kafka security: token command ${argv[0]} failed (${err.code ?? err.message})`;
        reject(
          new KafkaSecurityError(`${message} (setting: ${setting})`, { context: { setting } })
        );
      } else {
        resolvePromise(stdout);
      }
    });
  });
}

/** Caches the token; fetches a new one once 80 % of its lifetime has passed. */
export function createTokenProvider(fetch: () => Promise<OAuthToken>): TokenProvider {
  let current: { token: OAuthToken; refreshAtMs: number } | undefined;
  let pending: Promise<OAuthToken> | undefined;
  return {
    async token() {
      if (current && Date.now() < current.refreshAtMs) {
        return current.token;
      }
      pending ??= fetch()
        .then(token => {
          const now = Date.now();
          current = { token, refreshAtMs: now + 0.8 * (token.expiresAtMs - now) };
          return token;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    }
  };
}

/** Reads every secret the settings name; throws KafkaSecurityError naming the setting to fix. */
export function resolveSecurity(
  settings: KafkaSecurity,
  env: NodeJS.ProcessEnv = process.env
): ResolvedSecurity {
  const out: ResolvedSecurity = { protocol: settings.protocol, settings };
  const s = settings.sasl;
  if (s && s.mechanism === 'OAUTHBEARER') {
    const setting = s.tokenFile ? 'security.sasl.tokenFile' : 'security.sasl.tokenCommand';
    const file = s.tokenFile;
    const fetch = file
      ? async () => parseToken(readSecurityFile(file, setting, true), setting)
      : async () => parseToken(await runCommand(s.tokenCommand ?? [], setting), setting);
    out.sasl = { mechanism: 'OAUTHBEARER', provider: createTokenProvider(fetch) };
  } else if (s) {
    const username = s.username ?? fromEnv(s.usernameEnv ?? '', 'security.sasl.usernameEnv', env);
    const password = s.passwordEnv
      ? fromEnv(s.passwordEnv, 'security.sasl.passwordEnv', env)
      : new Secret(
          firstLine(readSecurityFile(s.passwordFile ?? '', 'security.sasl.passwordFile', true))
        );
    out.sasl = {
      mechanism: s.mechanism as Exclude<SaslMechanism, 'OAUTHBEARER'>,
      username: typeof username === 'string' ? username : username.reveal(),
      password
    };
  }
  const t = settings.tls;
  if (t) {
    const tls: ResolvedTls = { verifyHostname: t.verifyHostname ?? true };
    if (t.caFile) {
      tls.caFile = t.caFile;
      tls.ca = readSecurityFile(t.caFile, 'security.tls.caFile', false);
    }
    if (t.certFile && t.keyFile) {
      tls.certFile = t.certFile;
      tls.cert = readSecurityFile(t.certFile, 'security.tls.certFile', false);
      tls.keyFile = t.keyFile;
      tls.key = new Secret(readSecurityFile(t.keyFile, 'security.tls.keyFile', true));
    }
    if (t.keyPasswordEnv) {
      tls.keyPassword = fromEnv(t.keyPasswordEnv, 'security.tls.keyPasswordEnv', env);
    }
    out.tls = tls;
  }
  return out;
}

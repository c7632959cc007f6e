/**
 * What every Kafka client of the transport shares about security: the settings in force (the
 * transport's own, else ALERTLAB_KAFKA_SECURITY), Node TLS options (kafkajs, platformatic), and
 * `securityFailure`, which turns a client's authentication or TLS failure into a
 * KafkaSecurityError naming the setting to fix — not retriable, so connects stop at once instead
 * of retrying a wrong password. Messages are scrubbed of every secret read.
 */
import type { ConnectionOptions } from 'node:tls';
import { KafkaSecurityError } from '../errors.js';
import { describeSecurity, securityFromEnv } from './security-sources.js';
import {
  resolveSecurity,
  scrubSecrets,
  type ResolvedSecurity,
  type ResolvedTls
} from './security-secrets.js';
import type { KafkaSecurity } from './security.js';

const resolved = new WeakMap<KafkaSecurity, ResolvedSecurity>();
let fromEnv: { text: string; sec: ResolvedSecurity | undefined } | undefined;

/**
 * The transport's settings resolved (secrets read once per settings object, so an OAUTHBEARER
 * token is shared by every client made from them); undefined for PLAINTEXT.
 */
export function transportSecurity(settings?: KafkaSecurity): ResolvedSecurity | undefined {
  if (settings === undefined) {
    const text = process.env.ALERTLAB_KAFKA_SECURITY ?? '';
    if (fromEnv?.text !== text) {
      const sec = securityFromEnv();
      fromEnv = {
        text,
        sec: sec && sec.protocol !== 'PLAINTEXT' ? resolveSecurity(sec) : undefined
      };
    }
    return fromEnv.sec;
  }
  if (settings.protocol === 'PLAINTEXT') {
    return undefined;
  }
  let sec = resolved.get(settings);
  if (sec === undefined) {
    sec = resolveSecurity(settings);
    resolved.set(settings, sec);
  }
  return sec;
}

/** Node `tls.connect` options for the settings. */
export function nodeTlsOptions(tls: ResolvedTls): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key.reveal() } : {}),
    ...(tls.keyPassword ? { passphrase: tls.keyPassword.reveal() } : {}),
    rejectUnauthorized: true,
    ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined })
  };
}

interface Rule {
  test: RegExp;
  setting: (sec: ResolvedSecurity, text: string) => string;
  say: (sec: ResolvedSecurity, text: string) => string;
}

const passwordSetting = (sec: ResolvedSecurity): string => {
  const s = sec.settings.sasl;
  const user = s?.usernameEnv ? 'security.sasl.usernameEnv' : 'security.sasl.username';
  const pw = s?.passwordEnv ? 'security.sasl.passwordEnv' : 'security.sasl.passwordFile';
  return s?.mechanism === 'OAUTHBEARER'
    ? s.tokenFile
      ? 'security.sasl.tokenFile'
      : 'security.sasl.tokenCommand'
    : `${user} / ${pw}`;
};

/** Ordered: the first rule whose pattern is in the client's error text decides. */
const RULES: Rule[] = [
  {
    // the broker refused our certificate: it answers the handshake with a TLS alert
    test: /alert[ _](unknown[ _]ca|bad[ _]certificate|certificate[ _]unknown|certificate[ _]required|certificate[ _]expired|handshake[ _]failure|decrypt[ _]error)|peer did not return a certificate/i,
    setting: () => 'security.tls.certFile',
    say: (sec, text) =>
      sec.tls?.certFile === undefined
        ? 'the broker wants a client certificate (mTLS). Set security.tls.certFile and ' +
          'security.tls.keyFile to a certificate signed by a CA the broker trusts'
        : `the broker refused the client certificate ${sec.tls.certFile}` +
          (/expired/i.test(text)
            ? ': it has expired. Issue a new one'
            : ': it is not signed by a CA the broker trusts (or the key does not match)')
  },
  {
    test: /expired/i,
    setting: () => 'security.tls.caFile',
    say: () =>
      "the broker's certificate (or a CA in its chain) has expired: the broker's operator must " +
      'renew it; until then no CA bundle (security.tls.caFile) can make it valid'
  },
  {
    test: /altname|does not match certificate|hostname mismatch|ip address mismatch|CERT_ALTNAME/i,
    setting: () => 'bootstrapServers',
    say: () =>
      "the broker's certificate does not name the host connected to. Connect by a name the " +
      'certificate carries (bootstrap servers), or, for a test broker only, set ' +
      'security.tls.verifyHostname false'
  },
  {
    test: /self[- ]signed|unable to get local issuer|unable to verify the first|certificate verify failed|unknown ca|UNABLE_TO_GET_ISSUER|SELF_SIGNED/i,
    setting: () => 'security.tls.caFile',
    say: sec =>
      "the broker's certificate is not signed by a CA this client trusts " +
      `(${sec.tls?.caFile ? `CA bundle ${sec.tls.caFile}` : 'the system CAs'}). ` +
      "Point security.tls.caFile at the broker's CA bundle"
  },
  {
    test: /unsupported sasl mechanism|UNSUPPORTED_SASL_MECHANISM|mechanism .* not enabled|not supported by the broker/i,
    setting: () => 'security.sasl.mechanism',
    say: sec =>
      `the broker does not offer SASL mechanism ${sec.settings.sasl?.mechanism ?? '(none)'}. ` +
      'Choose one it enables'
  },
  {
    test: /authenticat|SASL.*fail|invalid credentials|ILLEGAL_SASL_STATE|SASL_AUTHENTICATION/i,
    setting: passwordSetting,
    say: sec => {
      const s = sec.sasl;
      const who = s && s.mechanism !== 'OAUTHBEARER' ? ` user "${s.username}"` : '';
      return (
        `the broker refused${who} (${sec.settings.sasl?.mechanism ?? 'no SASL'}): wrong or unknown ` +
        `credentials. Fix ${passwordSetting(sec)}`
      );
    }
  },
  {
    test: /wrong version number|packet length too long|incorrect security\.protocol|EPROTO|unexpected eof|ssl handshake failed|disconnected while requesting apiversion/i,
    setting: () => 'security.protocol',
    say: sec =>
      `the TLS/SASL handshake failed: the listener may not speak ${sec.protocol}. ` +
      'Check security.protocol against what the broker serves on this port'
  }
];

function textOf(error: unknown, depth = 0): string {
  if (depth > 4 || error === null || error === undefined) {
    return '';
  }
  if (typeof error !== 'object') {
    return String(error);
  }
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: unknown;
    originalError?: unknown;
  };
  return [
    String(e.name ?? ''),
    String(e.message ?? ''),
    String(e.code ?? ''),
    textOf(e.cause, depth + 1),
    textOf(e.originalError, depth + 1)
  ].join(' ');
}

/**
 * A KafkaSecurityError for a client's authentication/TLS failure, or undefined when `error` is
 * something else (or nothing is secured). `setting` in its context names what to fix.
 */
export function securityFailure(
  error: unknown,
  sec: ResolvedSecurity | undefined,
  bootstrapServers: string
): KafkaSecurityError | undefined {
  if (sec === undefined || error instanceof KafkaSecurityError) {
    return error instanceof KafkaSecurityError ? error : undefined;
  }
  const text = textOf(error);
  const rule = RULES.find(r => r.test.test(text));
  if (rule === undefined) {
    return undefined;
  }
  const setting = rule.setting(sec, text);
  const detail = scrubSecrets(text.replace(/\s+/g, ' ').trim()).slice(0, 300);
  return new KafkaSecurityError(
    `Kafka connection to ${bootstrapServers} failed (${describeSecurity(sec.settings)}): ` +
      `${rule.say(sec, text)} (setting: ${setting}). Client said: ${detail}`,
    { context: { setting, bootstrapServers, protocol: sec.protocol } }
  );
}

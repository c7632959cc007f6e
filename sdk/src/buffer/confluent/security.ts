/**
 * librdkafka's security settings from resolved settings (../security-secrets.ts):
 * `security.protocol`, `sasl.mechanisms`, `sasl.username`/`sasl.password`, `ssl.ca.location`,
 * `ssl.certificate.location`, `ssl.key.location` (+ `ssl.key.password`),
 * `ssl.endpoint.identification.algorithm` (https unless hostname verification is off), and for
 * OAUTHBEARER a token refresh callback that librdkafka calls before the token expires.
 */
import type { ResolvedSecurity } from '../security-secrets.js';

export function confluentSecurity(sec: ResolvedSecurity | undefined): Record<string, unknown> {
  if (sec === undefined) {
    return {};
  }
  const config: Record<string, unknown> = { 'security.protocol': sec.protocol.toLowerCase() };
  const s = sec.sasl;
  if (s?.mechanism === 'OAUTHBEARER') {
    const provider = s.provider;
    config['sasl.mechanisms'] = 'OAUTHBEARER';
    config.oauthbearer_token_refresh_cb = async () => {
      const token = await provider.token();
      return {
        tokenValue: token.value.reveal(),
        lifetime: token.expiresAtMs,
        principal: token.principal
      };
    };
  } else if (s) {
    config['sasl.mechanisms'] = s.mechanism;
    config['sasl.username'] = s.username;
    config['sasl.password'] = s.password.reveal();
  }
  const t = sec.tls;
  if (t) {
    if (t.caFile) {
      config['ssl.ca.location'] = t.caFile;
    }
    if (t.certFile && t.keyFile) {
      config['ssl.certificate.location'] = t.certFile;
      config['ssl.key.location'] = t.keyFile;
    }
    if (t.keyPassword) {
      config['ssl.key.password'] = t.keyPassword.reveal();
    }
    config['ssl.endpoint.identification.algorithm'] = t.verifyHostname ? 'https' : 'none';
    config['enable.ssl.certificate.verification'] = true;
  }
  return config;
}

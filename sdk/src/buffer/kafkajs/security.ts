/**
 * kafkajs's `ssl` and `sasl` options from resolved security settings (../security-secrets.ts).
 * OAUTHBEARER: kafkajs asks the provider at every (re)authentication; the provider hands out the
 * cached token until 80 % of its lifetime, then a fresh one.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { nodeTlsOptions } from '../security-clients.js';
import type { ResolvedSecurity } from '../security-secrets.js';

export function kafkajsSecurity(
  sec: ResolvedSecurity | undefined
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (sec === undefined) {
    return {};
  }
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (sec.tls) {
    out.ssl = nodeTlsOptions(sec.tls);
  }
  const s = sec.sasl;
  if (s?.mechanism === 'OAUTHBEARER') {
    const provider = s.provider;
    out.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await provider.token()).value.reveal() })
    };
  } else if (s) {
    const mechanism = (
      {
        PLAIN: 'plain',
        'SCRAM-SHA-256': 'scram-sha-256',
        'SCRAM-SHA-512': 'scram-sha-512'
      } as const
    )[s.mechanism];
    out.sasl = { mechanism, username: s.username, password: s.password.reveal() } as SASLOptions;
  }
  return out;
}

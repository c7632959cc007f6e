/** Senders of one destination kind: a message for one alert, or a digest of several. */
import type { KafkaTransport, ProducerClient } from '../buffer/transport-types.js';
import { checkDestination } from './destination-policy.js';
import { sendMail } from './smtp.js';
import { postWebhook } from './webhook-post.js';
import { renderJson, renderText } from './template.js';
import type { Destination, EmailDestination, Notice, WebhookDestination } from './types.js';

export const DEFAULT_WEBHOOK_TEMPLATE = {
  text: 'alertlab {{stage}} → {{output}}: object {{objectId}}, alert {{alertId}}'
};
export const DEFAULT_EMAIL_SUBJECT = 'alertlab {{stage}}: {{objectId}}';

export interface Sender {
  /** Sends one message: the alert itself, or a digest when several are given. */
  send(notices: readonly Notice[]): Promise<void>;
  close(): Promise<void>;
}

function textOf(rendered: unknown): string {
  if (rendered !== null && typeof rendered === 'object' && 'text' in rendered) {
    return String((rendered as { text: unknown }).text);
  }
  return JSON.stringify(rendered);
}

function webhookBody(d: WebhookDestination, notices: readonly Notice[]): unknown {
  const template = d.template ?? DEFAULT_WEBHOOK_TEMPLATE;
  if (notices.length === 1) {
    return renderJson(template, notices[0].fields);
  }
  const lines = notices.map(n => `• ${textOf(renderJson(template, n.fields))}`);
  return {
    text: `alertlab digest: ${notices.length} alerts (rate limit ${d.perMinute ?? 30}/min)\n${lines.join('\n')}`,
    alertIds: notices.map(n => n.alertId)
  };
}

function bodyText(d: EmailDestination, n: Notice): string {
  if (d.body !== undefined) {
    return renderText(d.body, n.fields);
  }
  return Object.entries(n.fields)
    .map(([k, v]) => `${k}: ${v === null ? '' : String(v)}`)
    .join('\n');
}

export async function createSender(transport: KafkaTransport, d: Destination): Promise<Sender> {
  if (d.kind === 'webhook') {
    return {
      async send(notices) {
        // the address is checked at every delivery (DNS may have changed since the deploy)
        await postWebhook({
          url: d.url,
          headers: { 'content-type': 'application/json', ...(d.headers ?? {}) },
          body: JSON.stringify(webhookBody(d, notices)),
          timeoutMs: d.timeoutMs ?? 10_000,
          what: `webhook ${d.name}`
        });
      },
      close: async () => undefined
    };
  }
  if (d.kind === 'email') {
    return {
      async send(notices) {
        const first = notices[0];
        const subject =
          notices.length === 1
            ? renderText(d.subject ?? DEFAULT_EMAIL_SUBJECT, first.fields)
            : `alertlab digest: ${notices.length} alerts`;
        const text = notices.map(n => bodyText(d, n)).join('\n\n---\n\n');
        // the relay too is a destination: resolved once, checked, connected to by address
        const relay = await checkDestination(d.host, `email ${d.name} relay`);
        await sendMail(relay.address, d.port ?? 25, { from: d.from, to: d.to, subject, text });
      },
      close: async () => undefined
    };
  }
  let producer: ProducerClient | undefined;
  return {
    async send(notices) {
      producer ??= await transport.producer({ idempotent: true });
      await producer.send(notices.map(n => ({ topic: d.topic, key: n.key, value: n.value })));
    },
    close: async () => {
      await producer?.close();
    }
  };
}

/** Notification destinations of a stage output (see notifier.ts). */

/** What every destination shares. */
export interface DestinationBase {
  /** Destination name (letters, digits, `.`, `_`, `-`): part of its consumer group id. */
  name: string;
  /** Messages per minute at most; alerts beyond it wait and go out together in one digest. @default 30 */
  perMinute?: number;
  /** Alerts in one digest message at most (the rest wait for the next). @default 100 */
  maxDigest?: number;
  /** First retry delay of a failing delivery (doubling, with jitter). @default 500 */
  retryInitialMs?: number;
  /** Longest retry delay. @default 30000 */
  retryMaxMs?: number;
}

/** HTTP POST of a JSON body (Slack-compatible by default: `{"text": ...}`). */
export interface WebhookDestination extends DestinationBase {
  kind: 'webhook';
  url: string;
  /**
   * JSON body for one alert; string values may hold `{{field}}` placeholders (alert fields, plus
   * `stage`, `output`, `alertId`). @default {"text": "alertlab {{stage}} → {{output}}: object {{objectId}}, alert {{alertId}}"}
   */
  template?: unknown;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** Per request. @default 10000 */
  timeoutMs?: number;
}

/** Email over SMTP (plain text; no TLS or authentication: a local relay). */
export interface EmailDestination extends DestinationBase {
  kind: 'email';
  host: string;
  /** @default 25 */
  port?: number;
  from: string;
  to: string[];
  /** Subject template (`{{field}}` placeholders). @default "alertlab {{stage}}: {{objectId}}" */
  subject?: string;
  /** Body template for one alert. @default every field, one per line */
  body?: string;
}

/** Forward to another Kafka topic (the record as it is). */
export interface TopicDestination extends DestinationBase {
  kind: 'topic';
  topic: string;
}

export type Destination = WebhookDestination | EmailDestination | TopicDestination;

/** One notifier: an output topic and where its alerts go. */
export interface NotifierConfig {
  /** Consumer group prefix (one group per destination: `<id>.<name>`). */
  id: string;
  /** The stage output topic to deliver from. */
  topic: string;
  destinations: Destination[];
  /** Where a group without committed offsets starts. @default 'earliest' */
  from?: 'earliest' | 'latest';
}

/** One alert to deliver: its fields (from the JSON payload and the route header). */
export interface Notice {
  alertId: string;
  fields: Record<string, string | number | boolean | null>;
  /** The original record, for topic destinations. */
  key: Uint8Array | null;
  value: Uint8Array | null;
}

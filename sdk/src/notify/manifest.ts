/**
 * The `notifications` section of a stage manifest: a list of destinations, each naming the
 * filter output it delivers (`output`). The stage's workers run them (notify/notifier.ts), each
 * destination in its own consumer group `<stage id>.notify.<name>` on the output's topic.
 */
import { FieldReader, ID_RE, TOPIC_RE, isObject } from '../stage/manifest-check.js';
import type { Destination } from './types.js';

/** A destination of a stage output. */
export type StageNotification = Destination & { output: string };

const COMMON = ['name', 'output', 'kind', 'perMinute', 'maxDigest', 'retryInitialMs', 'retryMaxMs'];
const KEYS: Record<Destination['kind'], string[]> = {
  webhook: [...COMMON, 'url', 'template', 'headers', 'timeoutMs'],
  email: [...COMMON, 'host', 'port', 'from', 'to', 'subject', 'body'],
  topic: [...COMMON, 'topic']
};

/** Reads `notifications`; outputs must be outputs of the stage. */
export function parseNotifications(
  raw: unknown,
  r: FieldReader,
  outputs: readonly string[]
): StageNotification[] | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!Array.isArray(raw)) {
    return r.fail('notifications', 'must be an array of destinations');
  }
  const out: StageNotification[] = [];
  const names = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const at = `notifications[${i}]`;
    if (!isObject(item)) {
      r.fail(at, 'must be an object { name, output, kind, ... }');
      return;
    }
    const d = new FieldReader(item, r.at(at), r.issues);
    const kind = d.oneOf('kind', ['webhook', 'email', 'topic'] as const);
    if (kind === undefined) {
      return;
    }
    d.onlyKeys(KEYS[kind]);
    const name = d.string('name', {
      required: true,
      re: ID_RE,
      hint: 'letters, digits, ".", "_", "-"'
    });
    const output = d.string('output', { required: true });
    if (output !== undefined && !outputs.includes(output)) {
      d.fail('output', `is not an output of the stage (outputs: ${outputs.join(', ')})`);
    }
    if (name !== undefined && names.has(name)) {
      d.fail('name', `"${name}" is used twice`);
    }
    const common = {
      name: name ?? '',
      output: output ?? '',
      perMinute: d.int('perMinute', 1, 100_000, 30),
      maxDigest: d.int('maxDigest', 1, 10_000, 100),
      retryInitialMs: d.int('retryInitialMs', 10, 600_000, 500),
      retryMaxMs: d.int('retryMaxMs', 10, 3_600_000, 30_000)
    };
    names.add(common.name);
    if (kind === 'webhook') {
      const url = d.string('url', { required: true, re: /^https?:\/\//, hint: 'an http(s) URL' });
      const headers = d.object('headers', false)?.raw as Record<string, string> | undefined;
      out.push({
        ...common,
        kind,
        url: url ?? '',
        ...(item.template !== undefined && { template: item.template }),
        ...(headers && { headers }),
        timeoutMs: d.int('timeoutMs', 100, 600_000, 10_000)
      });
    } else if (kind === 'email') {
      const to = d.strings('to', []);
      if (to.length === 0) {
        d.fail('to', 'needs at least one address');
      }
      out.push({
        ...common,
        kind,
        host: d.string('host', { required: true }) ?? '',
        port: d.int('port', 1, 65_535, 25),
        from: d.string('from', { required: true }) ?? '',
        to,
        ...(d.string('subject') !== undefined && { subject: d.string('subject') }),
        ...(d.string('body') !== undefined && { body: d.string('body') })
      });
    } else {
      out.push({
        ...common,
        kind,
        topic: d.string('topic', { required: true, re: TOPIC_RE, hint: 'a topic name' }) ?? ''
      });
    }
  });
  return out;
}

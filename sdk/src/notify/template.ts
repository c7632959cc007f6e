/** `{{field}}` templates and the alert fields they read (JSON payloads and the route header). */
import type { ConsumedRecord } from '../buffer/transport-types.js';
import { stageRouteOf } from '../stage/route-header.js';
import type { Notice } from './types.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** Replaces `{{field}}` in a string (unknown fields: empty). */
export function renderText(template: string, fields: Notice['fields']): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = fields[name];
    return v === null || v === undefined ? '' : String(v);
  });
}

/** Renders every string inside a JSON template (the result is JSON-safe by construction). */
export function renderJson(template: unknown, fields: Notice['fields']): unknown {
  if (typeof template === 'string') {
    return renderText(template, fields);
  }
  if (Array.isArray(template)) {
    return template.map(t => renderJson(t, fields));
  }
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderJson(v, fields)]));
  }
  return template;
}

const scalar = (v: unknown): v is string | number | boolean | null =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The notice of one output record: fields of a JSON payload (thin: top level; annotated: `alert`,
 * `features` flattened), `stage`/`output` and the alert ids from the route header. A record
 * holding several alerts (full payload of a container) gives one notice per alert id.
 */
export function noticesOf(record: ConsumedRecord): Notice[] {
  const fields: Notice['fields'] = {};
  try {
    const body = JSON.parse(Buffer.from(record.value ?? new Uint8Array()).toString()) as Record<
      string,
      unknown
    >;
    for (const part of [body, body.alert, body.features]) {
      if (part !== null && typeof part === 'object' && !Array.isArray(part)) {
        for (const [k, v] of Object.entries(part as Record<string, unknown>)) {
          if (scalar(v)) {
            fields[k] = v;
          }
        }
      }
    }
  } catch {
    // not JSON (a full payload): the route header's fields only
  }
  const route = stageRouteOf(record.headers);
  if (route) {
    fields.stage ??= route.stage;
    fields.output ??= route.output;
  }
  const ids = route?.alertIds.length ? route.alertIds : [String(fields.alertId ?? '')];
  return ids
    .filter(id => id !== '')
    .map(alertId => ({
      alertId,
      fields: { ...fields, alertId },
      key: record.key,
      value: record.value
    }));
}

/** Reads the `objects` section of a stage manifest (see {@link StageObjects}). */
import { FieldReader, TOPIC_RE } from '../stage/manifest-check.js';
import { DEFAULT_RATE_WINDOW_DAYS, defaultChangelogTopic, type StageObjects } from './config.js';

const TOPIC = { re: TOPIC_RE, hint: 'topic names use letters, digits, ".", "_", "-"' };

/** `objects: true` or `{ changelogTopic?, rateWindowDays?, annotationsTopic? }`. */
export function parseObjects(
  raw: unknown,
  r: FieldReader,
  stageId: string,
  kind: string
): StageObjects | undefined {
  if (raw === undefined || raw === false) {
    return undefined;
  }
  if (kind !== 'filter') {
    return r.fail('objects', 'object state is kept by filter stages only');
  }
  const defaults: StageObjects = {
    changelogTopic: defaultChangelogTopic(stageId),
    rateWindowDays: DEFAULT_RATE_WINDOW_DAYS
  };
  if (raw === true) {
    return defaults;
  }
  const o = r.object('objects', false);
  if (o === undefined) {
    return undefined;
  }
  o.onlyKeys(['changelogTopic', 'rateWindowDays', 'annotationsTopic']);
  const annotationsTopic = o.string('annotationsTopic', TOPIC);
  return {
    changelogTopic: o.string('changelogTopic', TOPIC) ?? defaults.changelogTopic,
    rateWindowDays: o.number('rateWindowDays', 1e-3, 3650, DEFAULT_RATE_WINDOW_DAYS) ?? 10,
    ...(annotationsTopic !== undefined && { annotationsTopic })
  };
}

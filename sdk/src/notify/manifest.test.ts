import { describe, expect, it } from 'vitest';
import { safeParseStageManifest } from '../stage/manifest.js';

const base = {
  id: 's',
  input: { topic: 'in', format: 'json' },
  filter: { language: 'sql', kind: 'yesno', source: 'mag < 19' },
  outputs: { pass: 's-pass' },
  deadLetterTopic: 's-dlq'
};

describe('stage manifest: objects and notifications', () => {
  it('objects: true takes the defaults; an object section is checked', () => {
    const ok = safeParseStageManifest({ ...base, objects: true });
    expect(ok.ok && ok.value.objects).toEqual({ changelogTopic: 's-objects', rateWindowDays: 10 });
    const bad = safeParseStageManifest({ ...base, objects: { rateWindowDays: -1, extra: 1 } });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.issues.map(i => i.path)).toEqual([
      'objects.extra',
      'objects.rateWindowDays'
    ]);
  });

  it('notifications name an output of the stage and a valid destination', () => {
    const ok = safeParseStageManifest({
      ...base,
      notifications: [
        { name: 'slack', output: 'pass', kind: 'webhook', url: 'https://example.org/h' },
        { name: 'mail', output: 'pass', kind: 'email', host: 'localhost', from: 'a@b', to: ['c@d'] }
      ]
    });
    expect(ok.ok && ok.value.notifications?.map(n => [n.name, n.kind, n.perMinute])).toEqual([
      ['slack', 'webhook', 30],
      ['mail', 'email', 30]
    ]);
    const bad = safeParseStageManifest({
      ...base,
      notifications: [
        { name: 'x', output: 'nope', kind: 'webhook', url: 'ftp://h' },
        { name: 'y', output: 'pass', kind: 'email', host: 'h', from: 'a', to: [] },
        { name: 'z', output: 'pass', kind: 'pager' }
      ]
    });
    expect(bad.ok ? [] : bad.issues.map(i => i.path)).toEqual([
      'notifications[0].output',
      'notifications[0].url',
      'notifications[1].to',
      'notifications[2].kind'
    ]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingData, skipWithoutData } from './samples.js';

describe('the shared-data rule: skip here, fail in CI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertlab-data-'));
  writeFileSync(join(dir, 'present.avro'), 'x');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the outermost missing folder', () => {
    expect(missingData([join(dir, 'present.avro')])).toBeUndefined();
    const message = missingData([
      join(dir, 'present.avro'),
      join(dir, 'alerts', 'rubin', 'a.avro')
    ]);
    expect(message).toMatch(new RegExp(`^${join(dir, 'alerts')} is missing`));
  });

  it('skips outside CI, throws under CI, and never skips when the data is there', () => {
    expect(skipWithoutData(undefined, true)).toBe(false);
    expect(skipWithoutData(undefined, false)).toBe(false);
    expect(skipWithoutData('/x is missing', false)).toBe(true);
    expect(() => skipWithoutData('/x is missing', true)).toThrow(/CI=true and \/x is missing/);
  });
});

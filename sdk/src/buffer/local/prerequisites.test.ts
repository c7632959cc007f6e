import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KafkaPrerequisiteError } from '../../errors.js';
import { findJava, findKafkaLibs, parseJavaMajor } from './prerequisites.js';

describe('local Kafka prerequisites', () => {
  it('reads the Java major version from `java -version` output', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });

  it('says how to install Java when there is none on PATH', () => {
    let error: unknown;
    try {
      findJava({ PATH: '/nonexistent-alertlab' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KafkaPrerequisiteError);
    expect((error as Error).message).toMatch(/no `java` found.*openjdk-17-jre-headless/s);
  });

  it('says to run setup when the Kafka jars are not cached', () => {
    const cache = mkdtempSync(join(tmpdir(), 'alertlab-cache-'));
    try {
      expect(() => findKafkaLibs({ ALERTLAB_CACHE: cache })).toThrow(/bash scripts\/setup\.sh/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

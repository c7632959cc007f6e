import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newClusterId, withKafkaLock } from './state.js';

describe('local Kafka state', () => {
  it('makes Kafka-style cluster ids: 22 base64url chars, no leading dash', () => {
    const ids = new Set(Array.from({ length: 200 }, newClusterId));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });

  it('runs locked sections one at a time and takes over a dead holder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-lock-'));
    try {
      writeFileSync(join(dir, 'lock'), String(2 ** 22 + 1)); // a pid that cannot be alive
      const order: string[] = [];
      const section = (name: string) => async () => {
        order.push(`${name}:in`);
        expect(existsSync(join(dir, 'lock'))).toBe(true);
        await new Promise(resolve => setTimeout(resolve, 30));
        order.push(`${name}:out`);
      };
      await Promise.all([withKafkaLock(dir, section('a')), withKafkaLock(dir, section('b'))]);
      expect(order).toEqual(['a:in', 'a:out', 'b:in', 'b:out']);
      expect(existsSync(join(dir, 'lock'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './connection.js';
import { MESSAGE_TYPES } from './messages.js';
import { decodeMessage, encodeMessage, makeHeader } from './wire.js';

const key = Buffer.from('k'.repeat(64));
const python = join(repoRoot(), '.venv', 'bin', 'python');

function frames(msgType: string, content: Record<string, unknown>, withKey = key): Buffer[] {
  return encodeMessage(withKey, {
    identities: [Buffer.from('peer')],
    header: makeHeader(msgType, 's'),
    parent_header: {},
    metadata: {},
    content,
    buffers: [new Uint8Array([1, 2, 3])]
  }).map(f => Buffer.from(f));
}

describe('wire', () => {
  it('round-trips identities, JSON frames and raw buffers', () => {
    const d = decodeMessage(key, frames('ping_request', { a: 1 }));
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.message.identities.map(String)).toEqual(['peer']);
      expect(d.message.header.msg_type).toBe('ping_request');
      expect(d.message.content).toEqual({ a: 1 });
      expect([...d.message.buffers[0]]).toEqual([1, 2, 3]);
    }
  });

  it('rejects a message signed with another key, keeping its header for the reply', () => {
    const d = decodeMessage(key, frames('ping_request', {}, Buffer.from('other')));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.code).toBe('bad-signature');
      expect(d.header?.msg_type).toBe('ping_request');
    }
  });

  it('rejects tampered content and missing frames', () => {
    const f = frames('ping_request', { a: 1 });
    f[5] = Buffer.from('{"a":2}');
    expect(decodeMessage(key, f)).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(decodeMessage(key, f.slice(0, 4))).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('declares the same message table as the Python package', () => {
    if (!existsSync(python)) {
      throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
    }
    const out = execFileSync(python, [
      '-c',
      'import json, alertlab._messages as m; print(json.dumps(m.MESSAGE_TYPES))'
    ]).toString();
    const node = Object.fromEntries(Object.entries(MESSAGE_TYPES).map(([k, v]) => [k, v.reply]));
    expect(JSON.parse(out)).toEqual(node);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserStore } from './users.js';

describe('UserStore under concurrent writers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-users-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('20 stores (as 20 CLI processes would) adding at once lose no user; a reader sees them all', async () => {
    const file = join(dir, 'users.json');
    const reader = await UserStore.open(file);
    const stores = await Promise.all(Array.from({ length: 20 }, () => UserStore.open(file)));
    const tokens = await Promise.all(stores.map((s, i) => s.add(`u${i}`)));
    expect(
      reader
        .list()
        .map(u => u.name)
        .sort()
    ).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`).sort());
    tokens.forEach((t, i) => expect(reader.find(t)?.name).toBe(`u${i}`));
    // revocations from stale stores are not lost either
    await Promise.all([stores[0].revoke('u3'), stores[1].revoke('u4')]);
    expect(reader.find(tokens[3])).toBeUndefined();
    expect(reader.find(tokens[4])).toBeUndefined();
    expect(reader.find(tokens[5])?.name).toBe('u5');
    await expect(stores[2].add('u5')).rejects.toThrow(/exists/);
  });
});

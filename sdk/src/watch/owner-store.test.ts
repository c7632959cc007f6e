import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WatchOwnerStore, type WatchOwner } from './owner-store.js';

const rec = (owner: string): WatchOwner => ({
  owner,
  shared: false,
  createdAt: '2026-12-07T00:00:00Z'
});

describe('WatchOwnerStore locks', () => {
  let dir = '';
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a long change of one watch does not hold up a change of another', async () => {
    dir = await mkdtemp(join(tmpdir(), 'owners-'));
    const store = new WatchOwnerStore(join(dir, 'watch-owners.json'));
    let release!: () => void;
    const held = new Promise<void>(r => (release = r));
    // "ann" uploads a big watchlist: her change is still running...
    const slow = store.update('watchlist', 'big', async () => {
      await held;
      return { next: rec('ann'), result: 'big' };
    });
    await new Promise(r => setTimeout(r, 50));
    // ...while "bob" adds his own: it must finish without waiting for hers.
    const t0 = Date.now();
    const quick = await Promise.race([
      store.update('watchlist', 'small', async () => ({ next: rec('bob'), result: 'small' })),
      new Promise<string>(r => setTimeout(() => r('blocked'), 3000))
    ]);
    expect(quick).toBe('small');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await store.get('watchlist', 'small'))?.owner).toBe('bob');
    release();
    expect(await slow).toBe('big');
    const all = await store.all('watchlist');
    expect([...all.keys()].sort()).toEqual(['big', 'small']);
  });

  it('changes of the same watch run one at a time and see each other', async () => {
    dir = await mkdtemp(join(tmpdir(), 'owners-'));
    const store = new WatchOwnerStore(join(dir, 'watch-owners.json'));
    const seen: (string | undefined)[] = [];
    const change = (owner: string) =>
      store.update('watchmap', 'field', async current => {
        seen.push(current?.owner);
        await new Promise(r => setTimeout(r, 30));
        return { next: rec(owner), result: owner };
      });
    await Promise.all([change('ann'), change('bob'), change('cat')]);
    // the first found no record; each later one found the one before it
    expect(seen[0]).toBeUndefined();
    expect(seen.slice(1).every(o => o !== undefined)).toBe(true);
    expect(new Set(seen).size).toBe(3);
    const removed = await store.update('watchmap', 'field', async () => ({
      next: null,
      result: 1
    }));
    expect(removed).toBe(1);
    expect(await store.get('watchmap', 'field')).toBeUndefined();
  });
});

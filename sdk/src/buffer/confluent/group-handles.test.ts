/**
 * The group-handle pool's rules without a broker (test/confluent-group-handles.test.ts runs them
 * on real librdkafka handles): idle handles beyond the cap close least recently used first, idle
 * ones close after idleMs, a held one never closes under its holder, a failed open is not kept.
 */
import { describe, expect, it } from 'vitest';
import { GroupHandlePool } from './group-handles.js';

interface Handle {
  group: string;
  closed: boolean;
}

function pool(maxIdle: number, idleMs: number) {
  const closedOrder: string[] = [];
  const p = new GroupHandlePool<Handle>(
    async group => {
      if (group.startsWith('bad')) {
        throw new Error(`cannot open ${group}`);
      }
      return { group, closed: false };
    },
    async h => {
      h.closed = true;
      closedOrder.push(h.group);
    },
    { maxIdle, idleMs }
  );
  return { p, closedOrder };
}

describe('GroupHandlePool', () => {
  it('keeps at most maxIdle idle handles, closing the least recently used', async () => {
    const { p, closedOrder } = pool(2, 60_000);
    const held = await p.acquire('stage');
    for (const g of ['a', 'b', 'c', 'd']) {
      await p.with(g, async h => expect(h.closed).toBe(false));
    }
    await p.with('c', async () => undefined); // c is now the most recent
    await new Promise(r => setTimeout(r, 10));
    expect(closedOrder).toEqual(['a', 'b']);
    expect(p.stats()).toMatchObject({ held: 1, idle: 2, opened: 5, closed: 2 });
    await p.with('e', async () => undefined);
    await new Promise(r => setTimeout(r, 10));
    expect(closedOrder).toEqual(['a', 'b', 'd']);
    expect(held.handle.closed).toBe(false);
    held.release();
    held.release(); // twice does nothing
    await new Promise(r => setTimeout(r, 10));
    expect(p.stats()).toMatchObject({ held: 0, idle: 2 });
    expect(closedOrder).toEqual(['a', 'b', 'd', 'c']); // released, stage is the most recent
    await p.closeAll();
    expect(p.stats()).toMatchObject({ open: 0, closed: 6 });
  });

  it('closes idle handles after idleMs, never one that is held', async () => {
    const { p } = pool(10, 100);
    const held = await p.acquire('stage');
    const other = await p.acquire('x');
    other.release();
    await new Promise(r => setTimeout(r, 400));
    expect(other.handle.closed).toBe(true);
    expect(held.handle.closed).toBe(false);
    expect(p.stats()).toMatchObject({ open: 1, held: 1 });
    const again = await p.acquire('stage'); // shared while held
    expect(again.handle).toBe(held.handle);
    again.release();
    held.release();
    await new Promise(r => setTimeout(r, 400));
    expect(held.handle.closed).toBe(true);
    expect(p.stats().open).toBe(0);
  });

  it('does not keep a handle that failed to open', async () => {
    const { p } = pool(2, 60_000);
    await expect(p.acquire('bad-1')).rejects.toThrow(/cannot open/);
    await new Promise(r => setTimeout(r, 0));
    expect(p.stats()).toMatchObject({ open: 0, held: 0 });
  });
});

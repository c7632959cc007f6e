import { describe, expect, it } from 'vitest';
import { HandoffQueue } from './queue.js';

describe('HandoffQueue', () => {
  it('hands items over in order and ends after close', async () => {
    const q = new HandoffQueue<number>(2);
    await q.push(1);
    await q.push(2);
    q.close();
    expect(await q.next()).toEqual({ done: false, value: 1 });
    expect(await q.next()).toEqual({ done: false, value: 2 });
    expect((await q.next()).done).toBe(true);
    expect(await q.push(3)).toBe(false);
  });

  it('makes push wait while full, calling onWait, until the reader takes an item', async () => {
    const q = new HandoffQueue<number>(1);
    await q.push(1);
    let ticks = 0;
    let pushed = false;
    const second = q.push(2, { onWait: async () => void ticks++, waitTickMs: 5 }).then(ok => {
      pushed = ok;
    });
    await new Promise(r => setTimeout(r, 40));
    expect(pushed).toBe(false);
    expect(ticks).toBeGreaterThan(0);
    expect((await q.next()).value).toBe(1);
    await second;
    expect(pushed).toBe(true);
    expect((await q.next()).value).toBe(2);
  });

  it('wakes a waiting reader on push, on abort and with an error on fail', async () => {
    const q = new HandoffQueue<string>(1);
    const reading = q.next();
    await q.push('a');
    expect((await reading).value).toBe('a');

    const controller = new AbortController();
    const aborted = q.next(controller.signal);
    controller.abort();
    expect((await aborted).done).toBe(true);

    const failing = q.next();
    q.fail(new Error('consumer crashed'));
    await expect(failing).rejects.toThrow('consumer crashed');
  });

  it('drops unread items that match', async () => {
    const q = new HandoffQueue<{ partition: number }>(3);
    await q.push({ partition: 0 });
    await q.push({ partition: 1 });
    await q.push({ partition: 0 });
    expect(q.drop(i => i.partition === 0)).toBe(2);
    expect(q.size).toBe(1);
    expect((await q.next()).value).toEqual({ partition: 1 });
  });

  it('rejects a capacity below 1', () => {
    expect(() => new HandoffQueue(0)).toThrow(RangeError);
  });
});

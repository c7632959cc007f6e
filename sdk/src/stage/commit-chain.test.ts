import { describe, expect, it } from 'vitest';
import { CommitChain } from './commit-chain.js';

function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CommitChain', () => {
  it('every settle waiting at the time waits for the running commit', async () => {
    // partitions.ts: a batch awaits the chunk before it while a revocation releases the
    // partition; the release must not close the producer under that commit
    const chain = new CommitChain();
    const commit = deferred();
    let done = false;
    chain.start(
      () => commit.promise.then(() => void (done = true)),
      () => undefined
    );
    const seen: boolean[] = [];
    const first = chain.settle().then(() => seen.push(done));
    const second = chain.settle().then(() => seen.push(done));
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(seen).toEqual([]);
    commit.resolve();
    await Promise.all([first, second]);
    expect(seen).toEqual([true, true]);
    await chain.settle(); // nothing running
  });

  it('a failed commit is rethrown to whoever waits, then forgotten', async () => {
    const chain = new CommitChain();
    const commit = deferred();
    const unobserved: string[] = [];
    chain.start(
      () => commit.promise,
      () => unobserved.push('seek back')
    );
    const waits = [chain.settle(), chain.settle()];
    commit.reject(new Error('fenced'));
    for (const w of waits) {
      await expect(w).rejects.toThrow('fenced');
    }
    expect(unobserved).toEqual(['seek back']);
    await chain.settle();
  });

  it('a failure nobody waited for is rethrown by the next settle', async () => {
    const chain = new CommitChain();
    chain.start(
      () => Promise.reject(new Error('coordinator moved')),
      () => undefined
    );
    await new Promise(resolve => setTimeout(resolve, 0));
    await expect(chain.settle()).rejects.toThrow('coordinator moved');
    await chain.settle();
  });
});

import { describe, expect, it } from 'vitest';
import { waitUntilListed } from './topic-visible.js';

describe('waitUntilListed', () => {
  it('waits until several answers in a row list every new topic', async () => {
    // brokers that learn of the topic at different times: answers flap before they agree
    const answers = [[], ['a'], ['a', 'b'], ['a'], ['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b']];
    let calls = 0;
    const missing = await waitUntilListed(
      async () => answers[Math.min(calls++, answers.length - 1)],
      ['a', 'b']
    );
    expect(missing).toEqual([]);
    expect(calls).toBe(9); // answers 4..8 agree (the 9th call is the fifth agreeing one)
  });

  it('gives up after the timeout, naming what is still missing, and never throws', async () => {
    let calls = 0;
    const flaky = async (): Promise<string[]> => {
      if (++calls % 2 === 0) {
        throw new TypeError('no broker answered'); // kafkajs: metadata null when all brokers fail
      }
      return ['a'];
    };
    const missing = await waitUntilListed(flaky, ['a', 'b'], 250);
    expect(missing).toContain('b'); // and 'a' too when the last answer was a failure
    expect(calls).toBeGreaterThan(1);
  });
});

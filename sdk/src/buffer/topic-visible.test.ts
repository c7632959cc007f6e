import { describe, expect, it } from 'vitest';
import { waitUntilListed } from './topic-visible.js';

describe('waitUntilListed', () => {
  it('waits until several answers in a row list every new topic', async () => {
    // brokers that learn of the topic at different times: answers flap before they agree
    const answers = [[], ['a'], ['a', 'b'], ['a'], ['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b']];
    let calls = 0;
    await waitUntilListed(async () => answers[Math.min(calls++, answers.length - 1)], ['a', 'b']);
    expect(calls).toBe(9); // answers 4..8 agree (the 9th call is the fifth agreeing one)
  });

  it('names the topics still missing when time runs out', async () => {
    await expect(waitUntilListed(async () => ['a'], ['a', 'b'], 250)).rejects.toThrow(
      /still not listed by every broker after 250 ms: b\./
    );
  });
});

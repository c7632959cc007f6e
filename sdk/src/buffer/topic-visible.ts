/**
 * Topic creation is acknowledged by the KRaft controller before every broker has applied it: for a
 * moment, a metadata request to another broker still answers "no such topic". `createTopics`
 * therefore returns only once the new topics are listed by several metadata answers in a row
 * (kafkajs sends each to a connected broker of its choice), so that a describe, produce or attach
 * right after it finds them.
 */

/** Consecutive answers (each from a broker kafkajs picks at random, 20 ms apart) listing them all. */
const AGREEING_ANSWERS = 5;

export async function waitUntilListed(
  listTopics: () => Promise<string[]>,
  topics: readonly string[],
  timeoutMs = 15_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let agreeing = 0;
  let absent: string[] = [...topics];
  while (agreeing < AGREEING_ANSWERS) {
    const listed = new Set(await listTopics());
    absent = topics.filter(t => !listed.has(t));
    agreeing = absent.length === 0 ? agreeing + 1 : 0;
    if (agreeing >= AGREEING_ANSWERS) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Created topics are still not listed by every broker after ${timeoutMs} ms: ` +
          `${absent.join(', ') || '(listed by some answers only)'}. Check the brokers' logs ` +
          `(alertlab kafka status shows where they are).`
      );
    }
    await new Promise(resolve => setTimeout(resolve, agreeing > 0 ? 20 : 100));
  }
}

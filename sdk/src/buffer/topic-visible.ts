/**
 * Topic creation is acknowledged by the KRaft controller before every broker has applied it: for a
 * moment, a metadata request to another broker still answers "no such topic". `createTopics`
 * therefore waits (best effort) until the new topics are listed by several metadata answers in a
 * row (a client may send each to a broker it picks at random, as kafkajs does), so that a describe, produce or attach
 * right after it finds them.
 */

/** Consecutive answers (each possibly from another broker, 20 ms apart) listing them all. */
const AGREEING_ANSWERS = 5;

/**
 * Waits until `topics` are listed by {@link AGREEING_ANSWERS} answers in a row, or `timeoutMs`
 * passed. Never throws (a failed answer counts as disagreeing): the topics exist either way.
 * @returns the topics the last answer did not list (empty: all listed)
 */
export async function waitUntilListed(
  listTopics: () => Promise<string[]>,
  topics: readonly string[],
  timeoutMs = 15_000
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let agreeing = 0;
  let absent: string[] = [...topics];
  for (;;) {
    try {
      const listed = new Set(await listTopics());
      absent = topics.filter(t => !listed.has(t));
    } catch {
      absent = [...topics];
    }
    agreeing = absent.length === 0 ? agreeing + 1 : 0;
    if (agreeing >= AGREEING_ANSWERS) {
      return [];
    }
    if (Date.now() > deadline) {
      return absent;
    }
    await new Promise(resolve => setTimeout(resolve, agreeing > 0 ? 20 : 100));
  }
}

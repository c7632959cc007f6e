/**
 * A deploy's output topics, made while its backtest gate runs: creating them and waiting until
 * every broker lists them took ~300 ms, which after the gate was part of every promote. Only the
 * topics named after the stage (`<id>.<output>`, defaultOutputTopic) are made early; topics a
 * manifest names itself may be shared with others and are created after the gate, as before.
 * When the gate refuses the version, the early topics that did not exist before this deploy and
 * still hold no record are deleted again (a topic someone wrote to meanwhile is kept).
 */
import type { BufferClient } from '../buffer/client.js';
import { getDefaultLogger } from '../buffer/log.js';
import type { TopicSpec } from '../buffer/transport-types.js';

/** Runs `gate` with the stage's own output topics made beside it; the rest are made after it. */
export async function gateWithTopics<T>(
  buffer: BufferClient,
  stageId: string,
  specs: TopicSpec[],
  gate: () => Promise<T>
): Promise<T> {
  const own = (s: TopicSpec) => s.topic.startsWith(`${stageId}.`);
  const early = specs.filter(own);
  const admin = await buffer.admin();
  const before = new Set(early.length > 0 ? await admin.listTopics() : []);
  const creating = early.length > 0 ? buffer.createTopics(early) : Promise.resolve(undefined);
  creating.catch(() => undefined); // awaited below, or after a refusal
  let result: T;
  try {
    result = await gate();
  } catch (refusal) {
    await creating.catch(() => undefined);
    await dropNew(
      buffer,
      early.map(s => s.topic).filter(t => !before.has(t))
    );
    throw refusal;
  }
  await creating;
  const late = specs.filter(s => !own(s));
  if (late.length > 0) {
    await buffer.createTopics(late);
  }
  return result;
}

/** Deletes those of `topics` that exist and hold no record; a failure is logged, not thrown. */
async function dropNew(buffer: BufferClient, topics: string[]): Promise<void> {
  if (topics.length === 0) {
    return;
  }
  try {
    const admin = await buffer.admin();
    const listed = new Set(await admin.listTopics());
    const empty: string[] = [];
    for (const t of topics.filter(x => listed.has(x))) {
      const ends = await admin.endOffsets(t);
      if (ends.every(p => p.high === 0n)) {
        empty.push(t);
      }
    }
    if (empty.length > 0) {
      await buffer.deleteTopics(empty);
    }
  } catch (error) {
    getDefaultLogger().warn('a refused deploy could not delete the output topics it made', {
      topics: topics.join(','),
      error: String(error)
    });
  }
}

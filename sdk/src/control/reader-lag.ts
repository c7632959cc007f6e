/**
 * How far notebooks' readers are behind each topic, for GET /buffers/topics (the topics panel):
 * the consumer groups a notebook or `alertlab attach` resumes with (ids `alertlab.<user>...`, see
 * profiles/connect.ts) and, per topic they committed on, the records still unread.
 */
import type { BufferClient } from '../buffer/client.js';
import type { PartitionOffsets } from '../buffer/transport-types.js';

/** Resume groups' ids start with this (profiles/connect.ts, kernel-bridge _resume.py). */
export const READER_GROUP_PREFIX = 'alertlab.';

export interface ReaderLag {
  groupId: string;
  /** Records after the group's committed offsets, summed over partitions (decimal string). */
  lag: string;
}

/**
 * The resume groups with commits on each of `offsets`' topics and their lag, through a
 * short-lived admin client, within `timeoutMs` (what has not come by then is left out); only the
 * groups `visible` allows (a user sees their own: topic-scope.ts).
 */
export async function readerLags(
  buffer: BufferClient,
  offsets: ReadonlyMap<string, PartitionOffsets[]>,
  timeoutMs: number,
  visible: (groupId: string) => boolean = () => true
): Promise<Map<string, ReaderLag[]>> {
  const out = new Map<string, ReaderLag[]>();
  if (offsets.size === 0) {
    return out;
  }
  const admin = await buffer.transport.admin();
  const work = (async () => {
    const groups = (await admin.listGroups())
      .map(g => g.groupId)
      .filter(id => id.startsWith(READER_GROUP_PREFIX) && visible(id))
      .sort();
    await Promise.all(
      groups.flatMap(groupId =>
        [...offsets].map(async ([topic, ends]) => {
          const commits = await admin.groupOffsets(groupId, topic).catch(() => []);
          const byPartition = new Map(
            commits.filter(c => c.offset >= 0n).map(c => [c.partition, c.offset])
          );
          if (byPartition.size === 0) {
            return;
          }
          let lag = 0n;
          for (const e of ends) {
            const from = byPartition.get(e.partition) ?? e.low;
            lag += e.high > from ? e.high - (from < e.low ? e.low : from) : 0n;
          }
          const list = out.get(topic) ?? [];
          list.push({ groupId, lag: lag.toString() });
          out.set(topic, list);
        })
      )
    );
  })().finally(() => admin.close().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise(r => (timer = setTimeout(r, timeoutMs)))
  ]);
  clearTimeout(timer);
  return new Map(
    [...out].map(([t, l]) => [t, [...l].sort((a, b) => a.groupId.localeCompare(b.groupId))])
  );
}

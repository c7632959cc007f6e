/**
 * Rebuilds the object index from scratch (`alertlab objects reindex`): every topic of the buffer and
 * every archive file, into a new file that then replaces the index atomically. A bridge engine
 * holding the old index notices the new file and reopens it, so this runs while engines serve.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { BufferClient, type BufferOptions } from '../buffer/client.js';
import { publishStore, tempStorePath } from '../catalog/swap.js';
import { catchUpArchive, catchUpTopic, type TopicCatchUp } from './catch-up.js';
import { discoverArchiveDirs } from './archive-dirs.js';
import { ObjectIndex, defaultObjectIndexPath } from './object-index.js';

/** What a reindex read. */
export interface ReindexReport {
  path: string;
  topics: TopicCatchUp[];
  archiveFiles: number;
  alerts: number;
  objects: number;
  elapsedMs: number;
}

/** Options of {@link reindexObjects}. */
export interface ReindexOptions extends BufferOptions {
  /** @default defaultObjectIndexPath() */
  indexPath?: string;
  /** @default discoverArchiveDirs() */
  archiveDirs?: string[];
  /** Only these topics. @default every topic but Kafka's internal ones */
  topics?: string[];
  /** Called after each topic. */
  onTopic?: (t: TopicCatchUp) => void;
}

export async function reindexObjects(options: ReindexOptions = {}): Promise<ReindexReport> {
  const started = performance.now();
  const path = options.indexPath ?? defaultObjectIndexPath();
  const temp = tempStorePath(path);
  const buffer = await BufferClient.create(options);
  const index = await ObjectIndex.open(temp);
  let published = false;
  try {
    const admin = await buffer.admin();
    const topics =
      options.topics ?? (await admin.listTopics()).filter(t => !t.startsWith('__')).sort();
    const done: TopicCatchUp[] = [];
    for (const t of topics) {
      const r = await catchUpTopic(buffer.transport, buffer, index, t);
      done.push(r);
      options.onTopic?.(r);
    }
    const archive = await catchUpArchive(
      index,
      options.archiveDirs ?? (await discoverArchiveDirs())
    );
    const stats = await index.stats();
    await index.checkpoint();
    index.close();
    await publishStore(temp, path);
    published = true;
    return {
      path,
      topics: done,
      archiveFiles: archive.files,
      alerts: stats.alerts,
      objects: stats.objects,
      elapsedMs: performance.now() - started
    };
  } finally {
    index.close();
    await buffer.close();
    if (!published && existsSync(temp)) {
      await rm(temp, { force: true });
      await rm(`${temp}.wal`, { force: true });
    }
  }
}

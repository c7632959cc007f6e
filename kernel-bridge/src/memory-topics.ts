/**
 * In-memory topics: Arrow tables served as `attach` streams without Kafka. Used by tests, the
 * benchmark and `engine-main --memory-topic name=file.arrow` to replay a saved table.
 */
import { readFile } from 'node:fs/promises';
import type { Table } from 'apache-arrow';
import { fromIpcBytes } from './arrow-ipc.js';
import { RemoteError } from './errors.js';
import type { AttachOptions, PartialServices, StreamItem, TopicInfo } from './services.js';

export class MemoryTopics {
  private readonly tables = new Map<string, Table>();

  /** Serve `table` as topic `name`, `batchRows` rows per stream batch. */
  set(name: string, table: Table): this {
    this.tables.set(name, table);
    return this;
  }

  /** Loads an Arrow IPC (stream or file) from disk as topic `name`. */
  async load(name: string, path: string): Promise<this> {
    return this.set(name, fromIpcBytes(await readFile(path)));
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  list(): TopicInfo[] {
    return [...this.tables.keys()].map(name => ({ name, source: 'memory' }));
  }

  async *attach(name: string, options: AttachOptions): AsyncIterable<StreamItem> {
    const table = this.tables.get(name);
    if (!table) {
      throw new RemoteError(
        `Topic "${name}" is not a memory topic. List topics with alertlab.topics().`,
        'not-found',
        [],
        { topic: name }
      );
    }
    let rows = 0;
    for (const batch of table.batches) {
      if (options.signal.aborted || (options.maxRows !== undefined && rows >= options.maxRows)) {
        return;
      }
      const take = options.maxRows === undefined ? batch : batch.slice(0, options.maxRows - rows);
      rows += take.numRows;
      yield { batch: take };
    }
  }

  /**
   * Services where memory topics answer first and anything else goes to `fallback`.
   */
  over(fallback: PartialServices): PartialServices {
    const fallbackAttach = fallback.attach?.bind(fallback);
    const fallbackTopics = fallback.topics?.bind(fallback);
    return {
      ...fallback,
      close: async () => {
        this.tables.clear();
        await fallback.close?.();
      },
      topics: async () => [...this.list(), ...(fallbackTopics ? await fallbackTopics() : [])],
      attach: (topic: string, options: AttachOptions) => {
        if (this.has(topic) || !fallbackAttach) {
          return this.attach(topic, options);
        }
        return fallbackAttach(topic, options);
      }
    };
  }
}

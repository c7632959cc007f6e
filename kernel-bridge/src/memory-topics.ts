/**
 * In-memory topics: Arrow tables served as `attach` streams without Kafka. Used by tests, the
 * benchmark and `engine-main --memory-topic name=file.arrow` to replay a saved table.
 */
import { readFile } from 'node:fs/promises';
import type { Table } from 'apache-arrow';
import { fromIpcBytes } from './arrow-ipc.js';
import { RemoteError } from './errors.js';
import type { AttachOptions, BridgeServices, StreamItem, TopicInfo } from './services.js';

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

  /** `topics` and `attach` over the memory topics only (overrides for `BridgeEngine.create`). */
  asServices(): Pick<BridgeServices, 'topics' | 'attach'> {
    return {
      topics: async () => this.list(),
      attach: (topic: string, options: AttachOptions) => this.attach(topic, options)
    };
  }

  /**
   * `services` where memory topics answer first: `topics` lists them before the Kafka topics,
   * `attach` serves a memory topic itself and any other topic through `services`.
   */
  over(services: BridgeServices): BridgeServices {
    return {
      ...services,
      close: async () => {
        this.tables.clear();
        await services.close();
      },
      topics: async () => [...this.list(), ...(await services.topics())],
      attach: (topic: string, options: AttachOptions) =>
        this.has(topic) ? this.attach(topic, options) : services.attach(topic, options)
    };
  }

  /**
   * `services` without Kafka: `topics` and `attach` serve the memory topics only (any other topic
   * is `not-found`); cross-match, cone, lightcurve and backtest are `services`' own.
   */
  instead(services: BridgeServices): BridgeServices {
    return {
      ...services,
      close: async () => {
        this.tables.clear();
        await services.close();
      },
      topics: async () => this.list(),
      attach: (topic: string, options: AttachOptions) => this.attach(topic, options)
    };
  }
}

/**
 * The fetch loop of the platformatic consumer: per assigned partition a position (the committed
 * offset, else earliest/latest, overridden by a seek), one Fetch per leader per round, and the
 * handler called with each partition's batch (`partitionsConcurrently` at once, a partition's
 * batches one after another). A batch is stale once a rebalance or a seek of its partition
 * happened after it was fetched; only a batch that is not stale moves its partition's position.
 */
import type { Consumer, GroupAssignment } from '@platformatic/kafka';
import type { Logger } from '../log.js';
import type * as T from '../transport-types.js';
import { asClientError } from './common.js';
import { convertBatches } from './records.js';

const OFFSET_OUT_OF_RANGE = 1;
const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface Part {
  topic: string;
  partition: number;
}

interface Fetched extends Part {
  fetchOffset: bigint;
  version: number;
  highWatermark: bigint;
  converted: ReturnType<typeof convertBatches>;
}

export class FetchLoop {
  running = false;
  fromBeginning = false;
  private assignment: Part[] = [];
  private positions = new Map<string, bigint>();
  private versions = new Map<string, number>();
  private seeks = new Map<string, bigint>();
  private paused = new Set<string>();
  private generation = 0;
  private needPositions = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly opts: T.ConsumerOptions,
    private readonly logger: Logger,
    private readonly onAssignment: (a: Record<string, number[]>) => void
  ) {}

  assigned(assignments: GroupAssignment[]): void {
    this.generation++;
    this.assignment = assignments.flatMap(a =>
      a.partitions.map(partition => ({ topic: a.topic, partition }))
    );
    this.positions.clear(); // re-read from the group's committed offsets, as after any join
    this.needPositions = true;
    const record: Record<string, number[]> = {};
    for (const a of assignments) {
      record[a.topic] = [...a.partitions].sort((x, y) => x - y);
    }
    this.onAssignment(record);
  }

  seek(topic: string, partition: number, offset: bigint): void {
    const k = key(topic, partition);
    this.versions.set(k, (this.versions.get(k) ?? 0) + 1);
    if (this.positions.has(k)) {
      this.positions.set(k, offset);
    } else {
      this.seeks.set(k, offset);
    }
  }

  pause(topic: string, partitions?: number[]): void {
    for (const p of partitions ?? this.partitionsOf(topic)) {
      this.paused.add(key(topic, p));
    }
    if (partitions === undefined) {
      this.paused.add(topic);
    }
  }

  resume(topic: string, partitions?: number[]): void {
    for (const p of partitions ?? this.partitionsOf(topic)) {
      this.paused.delete(key(topic, p));
    }
    if (partitions === undefined) {
      this.paused.delete(topic);
      for (const k of [...this.paused]) {
        if (k.startsWith(`${topic}\u0000`)) {
          this.paused.delete(k);
        }
      }
    }
  }

  start(handler: T.BatchHandler, concurrency: number): void {
    this.running = true;
    this.done = this.loop(handler, Math.max(1, concurrency));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private partitionsOf(topic: string): number[] {
    return this.assignment.filter(p => p.topic === topic).map(p => p.partition);
  }

  private isPaused(p: Part): boolean {
    return this.paused.has(p.topic) || this.paused.has(key(p.topic, p.partition));
  }

  private async resolvePositions(): Promise<void> {
    const generation = this.generation;
    this.needPositions = false;
    const byTopic = new Map<string, number[]>();
    for (const p of this.assignment) {
      byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    }
    if (byTopic.size === 0) {
      return;
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    const committed = await this.consumer.listCommittedOffsets({ topics });
    const reset = await this.consumer.listOffsets({
      topics: [...byTopic.keys()],
      timestamp: this.fromBeginning ? -2n : -1n
    });
    if (generation !== this.generation) {
      return; // a newer join came meanwhile: its own resolution follows
    }
    for (const p of this.assignment) {
      const k = key(p.topic, p.partition);
      const c = committed.get(p.topic)?.[p.partition] ?? -1n;
      const seek = this.seeks.get(k);
      this.seeks.delete(k);
      this.positions.set(k, seek ?? (c >= 0n ? c : (reset.get(p.topic)?.[p.partition] ?? 0n)));
    }
  }

  private async loop(handler: T.BatchHandler, concurrency: number): Promise<void> {
    while (this.running) {
      try {
        if (this.needPositions) {
          await this.resolvePositions();
        }
        const fetched = await this.fetchRound();
        if (fetched === undefined) {
          await sleep(50);
          continue;
        }
        let next = 0;
        const worker = async () => {
          while (this.running && next < fetched.length) {
            await this.handle(fetched[next++], handler);
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, fetched.length) }, worker));
      } catch (e) {
        if (!this.running) {
          return;
        }
        this.logger.info(
          `platformatic consumer fetch failed, retrying: ${String(asClientError(e))}`
        );
        this.consumer.clearMetadata();
        await sleep(500);
      }
    }
  }

  /** One Fetch per leader of the assigned, unpaused partitions; undefined when there is none. */
  private async fetchRound(): Promise<Fetched[] | undefined> {
    const active = this.assignment.filter(
      p => !this.isPaused(p) && this.positions.has(key(p.topic, p.partition))
    );
    if (active.length === 0) {
      return undefined;
    }
    const topics = [...new Set(active.map(p => p.topic))];
    const meta = await this.consumer.metadata({ topics });
    const byNode = new Map<number, Part[]>();
    for (const p of active) {
      const leader = meta.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      byNode.set(leader, [...(byNode.get(leader) ?? []), p]);
    }
    const generation = this.generation;
    const rounds = await Promise.all(
      [...byNode].map(async ([node, parts]) => {
        const asked = parts.map(p => {
          const k = key(p.topic, p.partition);
          return {
            ...p,
            fetchOffset: this.positions.get(k) as bigint,
            version: this.versions.get(k) ?? 0
          };
        });
        const byTopic = new Map<string, typeof asked>();
        for (const a of asked) {
          byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a]);
        }
        const response = await this.consumer.fetch({
          node,
          maxWaitTime: this.opts.maxWaitTimeMs ?? 500,
          topics: [...byTopic].map(([topic, list]) => ({
            topicId: meta.topics.get(topic)?.id as string,
            partitions: list.map(a => ({
              partition: a.partition,
              currentLeaderEpoch: -1,
              fetchOffset: a.fetchOffset,
              lastFetchedEpoch: -1,
              partitionMaxBytes: this.opts.maxBytesPerPartition ?? 10 * 1024 * 1024
            }))
          }))
        });
        const names = new Map([...meta.topics].map(([name, t]) => [t.id, name]));
        const out: Fetched[] = [];
        for (const t of response.responses) {
          const topic = names.get(t.topicId) ?? '';
          for (const r of t.partitions) {
            const a = asked.find(x => x.topic === topic && x.partition === r.partitionIndex);
            if (a === undefined) {
              continue;
            }
            if (r.errorCode === OFFSET_OUT_OF_RANGE) {
              this.needPositions = true; // back to the committed offset, else the reset point
              continue;
            }
            if (r.errorCode !== 0) {
              this.consumer.clearMetadata();
              continue;
            }
            const converted = convertBatches(r.records ?? [], a.fetchOffset);
            out.push({ ...a, highWatermark: r.highWatermark, converted });
          }
        }
        return out;
      })
    );
    return generation === this.generation ? rounds.flat() : [];
  }

  private async handle(f: Fetched, handler: T.BatchHandler): Promise<void> {
    const k = key(f.topic, f.partition);
    const generation = this.generation;
    const stale = () =>
      !this.running || generation !== this.generation || (this.versions.get(k) ?? 0) !== f.version;
    let resolved: bigint | undefined;
    if (f.converted.records.length > 0) {
      await handler({
        topic: f.topic,
        partition: f.partition,
        highWatermark: f.highWatermark,
        records: f.converted.records,
        resolveOffset: offset => {
          if (resolved === undefined || offset > resolved) {
            resolved = offset;
          }
        },
        heartbeat: async () => undefined, // the package heartbeats in the background
        isRunning: () => this.running,
        isStale: stale
      });
    }
    if (stale() || this.positions.get(k) !== f.fetchOffset) {
      return;
    }
    const last = f.converted.records.at(-1)?.offset;
    if (f.converted.records.length === 0 || (resolved !== undefined && resolved === last)) {
      this.positions.set(k, f.converted.next); // past control markers after the last record too
    } else if (resolved !== undefined) {
      this.positions.set(k, resolved + 1n);
    }
  }
}

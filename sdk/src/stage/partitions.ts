/**
 * The consume side every stage kind shares: a consumer group (group = stage id, read_committed,
 * offsets never auto-committed) whose fetched batches are handed over per partition, in chunks of
 * at most `maxRows` records, to a {@link PartitionHandler}.
 *
 * Zombie fencing. The transport commits transactional offsets by group id alone (`sendOffsets`,
 * no consumer-group generation: KIP-447's group-metadata fencing is not part of the transport
 * contract), so a worker that lost its partitions in a rebalance could still commit a
 * transaction. We therefore use the pre-KIP-447 scheme: one transactional producer per input partition with a STABLE id
 * `<stageId>.<topic>.<partition>`. Whoever gets a partition creates that producer and initialises
 * it (InitProducerId), which bumps the epoch — any older holder is fenced, its open transaction is
 * aborted, and its later commits fail. Only after that do we read the partition's committed offset
 * (and commit metadata), seek there, and restore the handler's state: nothing a zombie can still
 * do changes what we read.
 *
 * Every (re)assignment resets every partition (a consumer may restart fetching from committed
 * offsets after a rejoin), so in-memory state always matches the committed position. A reset always
 * starts a new producer: its InitProducerId also waits for the transaction before it to complete
 * (markers written), without which the group's offset can still read older than the last commit
 * (seen when a broker stopped while it coordinated the group: every alert of the last chunks went
 * out twice). The offset after this worker's last acknowledged commit is kept as a floor too.
 */
import type { Logger } from '../buffer/log.js';
import type {
  AdminClient,
  ConsumedRecord,
  ConsumerClient,
  FetchedBatch,
  KafkaTransport,
  ProducerClient
} from '../buffer/transport-types.js';
import { chunkEnds } from './chunking.js';
import { CommitChain } from './commit-chain.js';

/** What a handler knows about a partition it (re)starts. */
export interface PartitionStart {
  partition: number;
  /** Fenced transactional producer for this partition. */
  producer: ProducerClient | undefined;
  /** Committed offset when the partition started (-1n: nothing committed yet). */
  committedOffset: bigint;
  committedMetadata: string | null;
}

export interface PartitionHandler<S> {
  /** A partition starts (or restarts after a rebalance or an error): build its state. */
  open(start: PartitionStart): Promise<S>;
  /** Processes records (all at or past the committed offset) and commits them itself. */
  process(state: S, records: ConsumedRecord[], batch: FetchedBatch): Promise<void>;
  /**
   * Pipelined form of `process`: does the chunk's work that commits nothing and returns its
   * commit. A partition's commits run one after another, each only once the one before succeeded,
   * while the next chunk is fetched and prepared. @default undefined (`process` is used)
   */
  prepare?(state: S, records: ConsumedRecord[], handedAtMs?: number): Promise<() => Promise<void>>;
  /** The partition is revoked or reset: release its state (uncommitted work is abandoned). */
  close(state: S): Promise<void>;
}

export interface PartitionedConsumerOptions {
  stageId: string;
  topic: string;
  groupId: string;
  maxRows: number;
  /** Input bytes per chunk at most (see chunking.ts). @default 8 MiB */
  maxBytes?: number;
  maxWaitMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Consumer group protocol (KIP-848 'consumer' where the client supports it). @default 'classic' */
  groupProtocol?: 'classic' | 'consumer';
  fromBeginning: boolean;
  logger: Logger;
  /**
   * Partitions whose chunks the handler may process at once (each partition's chunks still go one
   * after another). Above 1 the handler must guard what its partitions share. @default 1
   */
  partitionsConcurrently?: number;
}

interface Slot<S> {
  partition: number;
  fresh: boolean;
  state: S | undefined;
  producer: ProducerClient | undefined;
  floor: bigint;
  /**
   * Offset after the last chunk whose transaction this worker committed (-1n: none). A commit is
   * final once acknowledged, but the group's offset can read older for a moment after it (the
   * transaction's markers are written after the answer, later still while a broker is down).
   */
  committedNext: bigint;
  /** The partition's commits (pipelined handlers). */
  commits: CommitChain;
  /**
   * A transactional producer connected when the partition was assigned, not initialised (no
   * InitProducerId, so it fences nobody): restart() initialises it instead of connecting a new one
   * after the first batch arrived (the connect took 50–100 ms of a new stage's first chunk).
   */
  spare?: Promise<ProducerClient>;
}

/** Transactional id of a stage's input partition (stable across workers: see the module note). */
export function transactionalIdOf(stageId: string, topic: string, partition: number): string {
  return `${stageId}.${topic}.${partition}`;
}

function isFenced(error: unknown): boolean {
  const text = `${String((error as Error)?.name)} ${String((error as Error)?.message)} ${JSON.stringify((error as { context?: unknown })?.context ?? {})}`;
  return /fenc|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|epoch/i.test(text);
}

export class PartitionedConsumer<S> {
  private readonly slots = new Map<number, Slot<S>>();
  private consumer: ConsumerClient | undefined;
  private admin: AdminClient | undefined;
  private failure: Error | undefined;
  private onFailure: ((error: Error) => void) | undefined;
  private stopped = false;
  /** Called with the owned partitions after each group join. */
  onPartitions: ((partitions: number[]) => void) | undefined;

  constructor(
    private readonly transport: KafkaTransport,
    private readonly options: PartitionedConsumerOptions,
    private readonly handler: PartitionHandler<S>
  ) {}

  /** Joins the group and starts consuming; resolves once running. */
  async start(): Promise<void> {
    const o = this.options;
    this.admin = await this.transport.admin();
    // The first read of the group's offsets opens the client's handle for the group (~100 ms on
    // the librdkafka client); read once now, beside the group join, it is open by the time the
    // first partition starts (a read only: fencing and the offsets used come later, in restart).
    void this.admin.groupOffsets(o.groupId, o.topic).catch(() => undefined);
    const consumer = await this.transport.consumer({
      groupId: o.groupId,
      readCommitted: true,
      sessionTimeoutMs: o.sessionTimeoutMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      ...(o.groupProtocol && { groupProtocol: o.groupProtocol }),
      rebalanceTimeoutMs: Math.max(o.sessionTimeoutMs, 10_000),
      maxWaitTimeMs: o.maxWaitMs
    });
    this.consumer = consumer;
    consumer.onAssignment(assignment => this.assigned(assignment[o.topic] ?? []));
    consumer.onCrash((error, restarting) => {
      if (restarting) {
        o.logger.warn('stage consumer crashed and is rejoining', { error: error.message });
      } else {
        this.fail(error);
      }
    });
    await consumer.subscribe([o.topic], { fromBeginning: o.fromBeginning });
    await consumer.run(batch => this.onBatch(batch), {
      partitionsConcurrently: o.partitionsConcurrently ?? 1
    });
  }

  /** Resolves never; rejects when the consumer dies for good. */
  failed(): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
      } else {
        this.onFailure = reject;
      }
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.onFailure?.(error);
  }

  private assigned(mine: number[]): void {
    for (const [p, slot] of this.slots) {
      if (!mine.includes(p)) {
        this.slots.delete(p);
        void this.release(slot, true);
      }
    }
    for (const p of mine) {
      const slot = this.slots.get(p);
      if (slot) {
        slot.fresh = true;
      } else {
        const spare = this.transport.producer({
          transactionalId: transactionalIdOf(this.options.stageId, this.options.topic, p)
        });
        spare.catch(() => undefined); // restart() connects another one then
        this.slots.set(p, {
          partition: p,
          fresh: true,
          state: undefined,
          producer: undefined,
          floor: 0n,
          committedNext: -1n,
          commits: new CommitChain(),
          spare
        });
      }
    }
    this.onPartitions?.([...mine].sort((a, b) => a - b));
  }

  private async release(slot: Slot<S>, dropProducer: boolean): Promise<void> {
    if (dropProducer && slot.spare !== undefined) {
      // not awaited: a connect that hangs (brokers down) must not hold a revocation or a stop
      void slot.spare.then(p => p.close()).catch(() => undefined);
      slot.spare = undefined;
    }
    await slot.commits.settle().catch(() => undefined);
    const state = slot.state;
    slot.state = undefined;
    if (state !== undefined) {
      await this.handler.close(state).catch(() => undefined);
    }
    if (dropProducer && slot.producer) {
      const producer = slot.producer;
      slot.producer = undefined;
      await producer.close().catch(() => undefined);
    }
  }

  /** False once the slot was revoked (assigned() dropped it) or the consumer is stopping. */
  private owns(slot: Slot<S>): boolean {
    return this.slots.get(slot.partition) === slot && !this.stopped;
  }

  /** Fences, reads the committed position, restores state. False: we seeked, drop this batch. */
  private async restart(slot: Slot<S>, first: bigint): Promise<boolean> {
    const o = this.options;
    try {
      await slot.commits.settle(); // a commit that failed after its chunk was handed back
    } catch (error) {
      await this.release(slot, true);
      throw error;
    }
    // Always on a new producer: its InitProducerId fences older holders of the transactional id
    // and waits until the last transaction (ours or theirs) has completed, markers written, so
    // the committed offset read below is not older than what was committed. The spare connected
    // at this assignment is such a new producer (never initialised).
    const spare = slot.spare;
    slot.spare = undefined;
    await this.release(slot, true);
    if (!this.owns(slot)) {
      void spare?.then(p => p.close()).catch(() => undefined);
      return false; // revoked meanwhile: a producer of ours now would fence the new owner's
    }
    if (slot.producer === undefined) {
      const connect = () =>
        this.transport.producer({
          transactionalId: transactionalIdOf(o.stageId, o.topic, slot.partition)
        });
      const producer = await (spare ? spare.catch(connect) : connect());
      if (!this.owns(slot)) {
        await producer.close().catch(() => undefined);
        return false; // revoked while it connected: initialising it now would fence the new owner
      }
      try {
        // the first transaction() runs InitProducerId: older holders of this id are fenced now
        await (await producer.transaction()).abort();
      } catch (error) {
        await producer.close().catch(() => undefined);
        throw error;
      }
      slot.producer = producer;
    }
    const offsets = await (this.admin as AdminClient).groupOffsets(o.groupId, o.topic);
    if (!this.owns(slot)) {
      // revoked (or stopping) while we waited: release what this restart opened, read nothing
      await this.release(slot, true);
      return false;
    }
    const mine = offsets.find(c => c.partition === slot.partition);
    const fetched = mine?.offset ?? -1n;
    const committedOffset = fetched > slot.committedNext ? fetched : slot.committedNext;
    slot.state = await this.handler.open({
      partition: slot.partition,
      producer: slot.producer,
      committedOffset,
      committedMetadata: mine?.metadata ?? null
    });
    if (!this.owns(slot)) {
      await this.release(slot, true);
      return false;
    }
    slot.fresh = false;
    slot.floor = committedOffset >= 0n ? committedOffset : first;
    if (first > slot.floor) {
      (this.consumer as ConsumerClient).seek(o.topic, slot.partition, slot.floor);
      return false;
    }
    return true;
  }

  private async onBatch(batch: FetchedBatch): Promise<void> {
    const o = this.options;
    const handedAtMs = performance.now();
    if (batch.topic !== o.topic || batch.records.length === 0 || this.stopped) {
      return;
    }
    let slot = this.slots.get(batch.partition);
    if (slot === undefined) {
      slot = {
        partition: batch.partition,
        fresh: true,
        state: undefined,
        producer: undefined,
        floor: 0n,
        committedNext: -1n,
        commits: new CommitChain()
      };
      this.slots.set(batch.partition, slot);
    }
    const all = batch.records;
    if (slot.fresh && !(await this.restart(slot, all[0].offset))) {
      return;
    }
    const records = all[0].offset >= slot.floor ? all : all.filter(r => r.offset >= slot.floor);
    let start = 0;
    for (const end of chunkEnds(records, o.maxRows, o.maxBytes ?? 8 << 20)) {
      if (!batch.isRunning() || batch.isStale() || slot.fresh || this.stopped) {
        return;
      }
      const chunk = end - start === records.length ? records : records.slice(start, end);
      start = end;
      try {
        if (this.handler.prepare === undefined) {
          await this.handler.process(slot.state as S, chunk, batch);
        } else {
          // The chunk's preparation starts now (its decode runs in a worker thread) and nobody
          // waits for it here: the Kafka client fetches the next batch meanwhile. Its commit
          // starts once it is prepared and the chunk before it has committed.
          const prepared = this.handler.prepare(slot.state as S, chunk, handedAtMs);
          prepared.catch(() => undefined); // awaited by the commit, or abandoned with it
          await slot.commits.settle(); // the chunk before commits first, or this one never does
          if (!batch.isRunning() || batch.isStale() || slot.fresh || this.stopped) {
            return;
          }
          // failing with nobody waiting: restart from the committed offset, fetched again
          const [owner, consumer] = [slot, this.consumer as ConsumerClient];
          owner.commits.start(
            async () => {
              const commit = await prepared;
              if (owner.fresh || this.stopped) {
                return; // reassigned or stopping meanwhile: the restart reads the committed offset
              }
              await commit();
              const next = chunk[chunk.length - 1].offset + 1n;
              if (next > owner.committedNext) {
                owner.committedNext = next;
              }
            },
            () => {
              owner.fresh = true;
              consumer.seek(o.topic, owner.partition, chunk[0].offset);
            }
          );
        }
      } catch (error) {
        slot.fresh = true;
        if (isFenced(error)) {
          o.logger.warn('stage producer was fenced: another worker owns this partition now', {
            partition: slot.partition
          });
        }
        // Always start the partition again on a new producer: a failed transaction can leave the
        // old one unusable (a client can stay stuck aborting when the abort itself fails, e.g.
        // while the coordinator moves). The new producer's InitProducerId aborts whatever is open.
        await this.release(slot, true);
        throw error;
      }
      const last = chunk[chunk.length - 1].offset;
      batch.resolveOffset(last);
      slot.floor = last + 1n;
    }
    if (records.length === 0) {
      batch.resolveOffset(all[all.length - 1].offset);
    }
  }

  /** Leaves the group, closes every partition's state and producer. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.consumer?.close().catch(() => undefined);
    for (const slot of this.slots.values()) {
      await this.release(slot, true);
    }
    this.slots.clear();
    await this.admin?.close().catch(() => undefined);
  }
}

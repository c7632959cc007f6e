/**
 * Delivery of a stage output to destinations (webhook, email, topic). Each destination reads the
 * output topic in its own consumer group (`<id>.<name>`), so a slow or failing destination never
 * slows the stage nor the other destinations. At least once: a record's offset is committed only
 * once every alert in it was delivered; alerts seen again (a redelivery, or the same alert routed
 * twice) are de-duplicated by alert id. At most `perMinute` messages a minute: when the window's
 * last message is due and more alerts wait, they go out together in one digest. A failing send is
 * retried (doubling delay with jitter, capped) until it succeeds or the notifier stops.
 */
import type { ConsumerClient, KafkaTransport } from '../buffer/transport-types.js';
import type { Logger } from '../buffer/log.js';
import { createSender, type Sender } from './deliver.js';
import { noticesOf } from './template.js';
import type { Destination, Notice, NotifierConfig } from './types.js';

const MINUTE_MS = 60_000;
const DEDUP_CAP = 100_000;
const PAUSE_ABOVE = 10_000;
const RESUME_BELOW = 1000;

export interface DestinationStats {
  name: string;
  /** Alerts delivered (in single messages or digests). */
  delivered: number;
  /** Messages sent (a digest is one). */
  messages: number;
  digests: number;
  /** Sends that failed (each retried). */
  failures: number;
  /** Alerts skipped as already delivered. */
  duplicates: number;
  queued: number;
}

interface Queued {
  notice: Notice;
  partition: number;
  offset: bigint;
}

/** Waits `ms` or until `signal` aborts; the abort listener goes with the wait (the signal lives long). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

class DestinationRunner {
  readonly stats: DestinationStats;
  private readonly queue: Queued[] = [];
  private readonly queuedIds = new Set<string>();
  private readonly delivered = new Map<string, true>();
  private readonly sentAt: number[] = [];
  /** Per partition: offsets with alerts not yet delivered (count), and the next offset seen. */
  private readonly pending = new Map<number, { open: Map<bigint, number>; next: bigint }>();
  private readonly committed = new Map<number, bigint>();
  private wake: (() => void) | undefined;
  private paused = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly topic: string,
    private readonly d: Destination,
    private readonly consumer: ConsumerClient,
    private readonly sender: Sender,
    private readonly stop: AbortSignal,
    private readonly logger: Logger | undefined
  ) {
    this.stats = {
      name: d.name,
      delivered: 0,
      messages: 0,
      digests: 0,
      failures: 0,
      duplicates: 0,
      queued: 0
    };
  }

  async start(from: 'earliest' | 'latest'): Promise<void> {
    await this.consumer.subscribe([this.topic], { fromBeginning: from === 'earliest' });
    await this.consumer.run(async batch => {
      const part = this.partition(batch.partition);
      for (const r of batch.records) {
        if (r.offset < part.next) {
          continue; // fetched again after a rebalance: already queued
        }
        part.next = r.offset + 1n;
        const notices = noticesOf(r).filter(n => {
          const dup = this.delivered.has(n.alertId) || this.queuedIds.has(n.alertId);
          this.stats.duplicates += dup ? 1 : 0;
          return !dup;
        });
        if (notices.length > 0) {
          part.open.set(r.offset, notices.length);
        }
        for (const notice of notices) {
          this.queue.push({ notice, partition: batch.partition, offset: r.offset });
          this.queuedIds.add(notice.alertId);
        }
      }
      if (batch.records.length > 0) {
        batch.resolveOffset(batch.records[batch.records.length - 1].offset);
      }
      this.stats.queued = this.queue.length;
      if (!this.paused && this.queue.length > PAUSE_ABOVE) {
        this.paused = true;
        this.consumer.pause(this.topic);
      }
      await this.commit();
      this.wake?.();
    });
    this.loop = this.run();
  }

  private partition(p: number): { open: Map<bigint, number>; next: bigint } {
    let part = this.pending.get(p);
    if (part === undefined) {
      part = { open: new Map(), next: -1n };
      this.pending.set(p, part);
    }
    return part;
  }

  /** Commits, per partition, the offset below which every alert was delivered. */
  private async commit(): Promise<void> {
    const offsets = [];
    for (const [p, part] of this.pending) {
      let low = part.next;
      for (const o of part.open.keys()) {
        low = o < low ? o : low;
      }
      if (low > (this.committed.get(p) ?? -1n) && low >= 0n) {
        this.committed.set(p, low);
        offsets.push({ topic: this.topic, partition: p, offset: low });
      }
    }
    if (offsets.length > 0) {
      await this.consumer.commit(offsets).catch(error => {
        this.logger?.warn('notifier commit failed (alerts may be delivered again)', {
          destination: this.d.name,
          error: (error as Error).message
        });
      });
    }
  }

  /** Waits for a free slot in the minute window; returns how many slots remain after this one. */
  private async slot(): Promise<number> {
    const limit = this.d.perMinute ?? 30;
    for (;;) {
      const now = Date.now();
      while (this.sentAt.length > 0 && now - this.sentAt[0] >= MINUTE_MS) {
        this.sentAt.shift();
      }
      if (this.sentAt.length < limit) {
        return limit - this.sentAt.length - 1;
      }
      await sleep(this.sentAt[0] + MINUTE_MS - now, this.stop);
      if (this.stop.aborted) {
        return -1;
      }
    }
  }

  private async run(): Promise<void> {
    while (!this.stop.aborted) {
      if (this.queue.length === 0) {
        await new Promise<void>(resolve => {
          this.wake = resolve;
          this.stop.addEventListener('abort', () => resolve(), { once: true });
        });
        this.wake = undefined;
        continue;
      }
      const left = await this.slot();
      if (left < 0) {
        return;
      }
      // the window's last message carries everything waiting (up to maxDigest)
      const take = left === 0 ? Math.min(this.queue.length, this.d.maxDigest ?? 100) : 1;
      const items = this.queue.slice(0, take);
      await this.deliver(items);
      if (this.stop.aborted) {
        return;
      }
      this.queue.splice(0, take);
      this.sentAt.push(Date.now());
      this.stats.messages++;
      this.stats.digests += take > 1 ? 1 : 0;
      this.stats.delivered += take;
      this.stats.queued = this.queue.length;
      for (const q of items) {
        this.queuedIds.delete(q.notice.alertId);
        this.delivered.set(q.notice.alertId, true);
        if (this.delivered.size > DEDUP_CAP) {
          this.delivered.delete(this.delivered.keys().next().value as string);
        }
        const open = this.partition(q.partition).open;
        const left2 = (open.get(q.offset) ?? 1) - 1;
        if (left2 <= 0) {
          open.delete(q.offset);
        } else {
          open.set(q.offset, left2);
        }
      }
      await this.commit();
      if (this.paused && this.queue.length < RESUME_BELOW) {
        this.paused = false;
        this.consumer.resume(this.topic);
      }
    }
  }

  /** Sends until it succeeds (or the notifier stops), backing off between failures. */
  private async deliver(items: readonly Queued[]): Promise<void> {
    let delay = this.d.retryInitialMs ?? 500;
    for (;;) {
      try {
        await this.sender.send(items.map(q => q.notice));
        return;
      } catch (error) {
        this.stats.failures++;
        this.logger?.warn('notification failed; retrying', {
          destination: this.d.name,
          alerts: items.length,
          retryInMs: delay,
          error: (error as Error).message
        });
        await sleep(delay * (0.75 + Math.random() / 2), this.stop);
        if (this.stop.aborted) {
          return;
        }
        delay = Math.min(delay * 2, this.d.retryMaxMs ?? 30_000);
      }
    }
  }

  async close(): Promise<void> {
    this.wake?.();
    await this.loop;
    await this.consumer.close().catch(() => undefined);
    await this.sender.close().catch(() => undefined);
  }
}

/** Delivers one output topic to its destinations until closed. */
export class Notifier {
  private readonly stop = new AbortController();

  private constructor(private readonly runners: DestinationRunner[]) {}

  static async start(
    transport: KafkaTransport,
    config: NotifierConfig,
    logger?: Logger
  ): Promise<Notifier> {
    const notifier = new Notifier([]);
    try {
      for (const d of config.destinations) {
        const consumer = await transport.consumer({
          groupId: `${config.id}.${d.name}`,
          maxWaitTimeMs: 200
        });
        const sender = await createSender(transport, d);
        const runner = new DestinationRunner(
          config.topic,
          d,
          consumer,
          sender,
          notifier.stop.signal,
          logger
        );
        notifier.runners.push(runner);
        await runner.start(config.from ?? 'earliest');
      }
    } catch (error) {
      await notifier.close();
      throw error;
    }
    return notifier;
  }

  stats(): DestinationStats[] {
    return this.runners.map(r => ({ ...r.stats }));
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const r of this.runners) {
      await r.close();
    }
  }
}

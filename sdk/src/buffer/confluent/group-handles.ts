/**
 * The per-group consumer handles of the confluent transport (transport.ts says what they are
 * for), bounded (issue #15 part 3): a long-lived controller that reads the lags of many groups
 * (GET /buffers/topics) would otherwise keep one librdkafka handle — threads, sockets, memory —
 * per group it ever read. A handle is leased: a transactional producer holds its group's lease
 * until it closes (never closed under it), an offsets read holds one for the read. Handles
 * nobody holds are closed after `idleMs`, and the least recently used beyond `maxIdle` at once.
 */

/** Limits of the pool; the environment variables set them for a whole process. */
export interface GroupHandleLimits {
  /** Handles nobody holds that are kept open. @default ALERTLAB_KAFKA_GROUP_HANDLES_IDLE or 8 */
  maxIdle?: number;
  /** A handle nobody holds closes after this long. @default ALERTLAB_KAFKA_GROUP_HANDLE_IDLE_MS or 60000 */
  idleMs?: number;
}

/** A held handle; release() once (later calls do nothing). */
export interface GroupLease<H> {
  handle: H;
  release(): void;
}

interface Entry<H> {
  groupId: string;
  handle: Promise<H>;
  users: number;
  lastUsed: number;
}

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

export class GroupHandlePool<H> {
  readonly maxIdle: number;
  readonly idleMs: number;
  /** By group; an idle entry moves to the end when released (oldest idle first). */
  private readonly entries = new Map<string, Entry<H>>();
  private readonly closing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  /** Handles opened and closed since creation. */
  opened = 0;
  closed = 0;

  constructor(
    private readonly open: (groupId: string) => Promise<H>,
    private readonly close: (handle: H) => Promise<void>,
    limits: GroupHandleLimits = {},
    private readonly onCloseError: (error: unknown) => void = () => undefined
  ) {
    this.maxIdle = limits.maxIdle ?? envInt('ALERTLAB_KAFKA_GROUP_HANDLES_IDLE', 8);
    this.idleMs = limits.idleMs ?? envInt('ALERTLAB_KAFKA_GROUP_HANDLE_IDLE_MS', 60_000);
  }

  /** Holds `groupId`'s handle (opened if needed) until release(). */
  async acquire(groupId: string): Promise<GroupLease<H>> {
    let e = this.entries.get(groupId);
    if (e === undefined) {
      const handle = this.open(groupId);
      const entry: Entry<H> = { groupId, handle, users: 0, lastUsed: Date.now() };
      e = entry;
      this.entries.set(groupId, entry);
      this.opened++;
      handle.catch(() => {
        if (this.entries.get(groupId) === entry) {
          this.entries.delete(groupId);
        }
      });
    }
    const entry = e;
    entry.users++;
    let handle: H;
    try {
      handle = await entry.handle;
    } catch (error) {
      entry.users--;
      throw error;
    }
    let released = false;
    return {
      handle,
      release: () => {
        if (!released) {
          released = true;
          this.release(entry);
        }
      }
    };
  }

  /** Runs `fn` with `groupId`'s handle held. */
  async with<T>(groupId: string, fn: (handle: H) => Promise<T>): Promise<T> {
    const lease = await this.acquire(groupId);
    try {
      return await fn(lease.handle);
    } finally {
      lease.release();
    }
  }

  private release(entry: Entry<H>): void {
    entry.users--;
    entry.lastUsed = Date.now();
    if (entry.users > 0 || this.entries.get(entry.groupId) !== entry) {
      return;
    }
    this.entries.delete(entry.groupId); // to the end: the most recently used idle handle
    this.entries.set(entry.groupId, entry);
    const idle = [...this.entries.values()].filter(x => x.users === 0);
    for (let k = 0; k < idle.length - this.maxIdle; k++) {
      this.retire(idle[k]);
    }
    this.schedule();
  }

  private retire(entry: Entry<H>): void {
    this.entries.delete(entry.groupId);
    const done = entry.handle
      .then(h => this.close(h))
      .then(
        () => void this.closed++,
        (error: unknown) => {
          this.closed++;
          this.onCloseError(error);
        }
      );
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }

  /** Closes idle handles past idleMs, checking again while any handle is idle. */
  private schedule(): void {
    if (this.timer !== undefined) {
      return;
    }
    const tick = Math.max(20, Math.min(this.idleMs / 4, 5_000));
    this.timer = setInterval(() => {
      const now = Date.now();
      let idle = 0;
      for (const e of [...this.entries.values()]) {
        if (e.users === 0) {
          if (now - e.lastUsed >= this.idleMs) {
            this.retire(e);
          } else {
            idle++;
          }
        }
      }
      if (idle === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }, tick);
    this.timer.unref();
  }

  /** Handles open or opening: held, and idle. */
  stats(): { open: number; held: number; idle: number; opened: number; closed: number } {
    const all = [...this.entries.values()];
    const held = all.filter(e => e.users > 0).length;
    return {
      open: all.length + this.closing.size,
      held,
      idle: all.length - held,
      opened: this.opened,
      closed: this.closed
    };
  }

  /** Closes every handle, held or not (the transport is closing), and waits for all closes. */
  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.entries.values()].map(e => e.handle));
    for (const e of [...this.entries.values()]) {
      this.retire(e);
    }
    await Promise.allSettled([...this.closing]);
  }
}

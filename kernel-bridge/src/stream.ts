/**
 * Credit-based flow control for one attached stream. The client grants N credits; each batch sent
 * uses one; a `stream_ack {seq}` returns one credit per newly acknowledged batch. The source is
 * pulled only when a credit is available, so the engine never holds more than N unacknowledged
 * batches for a slow reader.
 */

export interface StreamStats {
  sent: number;
  acked: number;
  /** Most batches ever outstanding at once (sent but not acknowledged). */
  maxOutstanding: number;
}

/** `T` is what is kept per unacknowledged batch (the item to commit, its IPC buffer). */
export class CreditGate<T> {
  private credit: number;
  private waiter: (() => void) | null = null;
  private readonly pending = new Map<number, T>();
  readonly stats: StreamStats = { sent: 0, acked: 0, maxOutstanding: 0 };

  constructor(initialCredit: number) {
    this.credit = initialCredit;
  }

  /** Resolves once a credit is available (true) or the signal aborts / times out (false). */
  async acquire(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    while (this.credit <= 0) {
      if (signal.aborted) {
        return false;
      }
      const ok = await new Promise<boolean>(resolve => {
        const timer = setTimeout(() => done(false), timeoutMs);
        const onAbort = () => done(false);
        const done = (value: boolean) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.waiter = null;
          resolve(value);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiter = () => done(true);
      });
      if (!ok) {
        return false;
      }
    }
    this.credit -= 1;
    return !signal.aborted;
  }

  /** Records a sent batch (seq numbers start at 0). */
  sent(seq: number, item: T): void {
    this.pending.set(seq, item);
    this.stats.sent += 1;
    this.stats.maxOutstanding = Math.max(this.stats.maxOutstanding, this.pending.size);
  }

  /** Acknowledges every batch with seq ≤ `seq`; returns their items (to commit) in order. */
  ack(seq: number, extraCredit = 0): T[] {
    const done: T[] = [];
    for (const [s, item] of [...this.pending].sort((a, b) => a[0] - b[0])) {
      if (s <= seq) {
        this.pending.delete(s);
        done.push(item);
      }
    }
    this.stats.acked += done.length;
    this.grant(done.length + Math.max(0, extraCredit));
    return done;
  }

  grant(n: number): void {
    if (n <= 0) {
      return;
    }
    this.credit += n;
    this.waiter?.();
  }

  get outstanding(): number {
    return this.pending.size;
  }
}

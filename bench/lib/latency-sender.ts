/** The latency bench's producer process (latency-sender-entry.ts), driven by promises. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export class AlertSender {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error === undefined) {
        w?.resolve();
      } else {
        w?.reject(new Error(`bench producer: ${m.error}`));
      }
    });
  }

  /** A producer process for `topic`, connected. */
  static async create(servers: string[], topic: string): Promise<AlertSender> {
    const entry = fileURLToPath(new URL('./latency-sender-entry.ts', import.meta.url));
    const child = fork(entry, [servers.join(','), topic], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced' // values go over as bytes, not JSON
    });
    const sender = new AlertSender(child);
    await sender.call(0, {}, false); // id 0: the process's ready message
    return sender;
  }

  private call(id: number, message: object, post = true): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (post) {
      this.child.send({ id, ...message });
    }
    return done;
  }

  /** Hands `values` to the process ahead of time (outside the clock); returns their id. */
  async load(values: Uint8Array[]): Promise<number> {
    const id = ++this.seq;
    await this.call(id, { type: 'load', values });
    return id;
  }

  /** Sends loaded values (keys first, first + 1, ...); resolves once all are acknowledged. */
  sendLoaded(id: number, first: number): Promise<void> {
    return this.call(id, { type: 'send', first });
  }

  /** Sends `values` now (keys first, first + 1, ...). */
  send(values: Uint8Array[], first: number): Promise<void> {
    return this.call(++this.seq, { type: 'send', values, first });
  }

  async close(): Promise<void> {
    await this.call(++this.seq, { type: 'close' }).catch(() => undefined);
    if (this.child.exitCode === null) {
      await new Promise(resolve => this.child.once('exit', resolve));
    }
  }
}

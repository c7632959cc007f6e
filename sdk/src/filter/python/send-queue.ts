/**
 * zeromq.js allows one `send` in flight per socket; this queue serializes them so handlers and
 * streams can send concurrently. Each caller still awaits its own send (backpressure).
 */
import type { Writable } from 'zeromq';

export class SendQueue {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(private readonly socket: Writable) {}

  send(frames: Uint8Array[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames));
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * A bounded hand-off between a push source (the Kafka client's batch callback) and a pull reader
 * (an async iterator). `push` waits while the queue is full, calling `onWait` now and then (to
 * heartbeat); `next` waits for an item, the end, a failure or an abort.
 */
export class HandoffQueue {
    capacity;
    items = [];
    closed = false;
    error = undefined;
    failed = false;
    wakeReader;
    wakeWriters = [];
    /** @param capacity items that may wait unread (at least 1). */
    constructor(capacity = 1) {
        this.capacity = capacity;
        if (!Number.isInteger(capacity) || capacity < 1) {
            throw new RangeError(`HandoffQueue capacity must be an integer >= 1, got ${capacity}`);
        }
    }
    get size() {
        return this.items.length;
    }
    get isClosed() {
        return this.closed || this.failed;
    }
    /** Adds an item once there is room; resolves false (item dropped) if the queue closed first. */
    async push(item, options = {}) {
        while (!this.isClosed && this.items.length >= this.capacity) {
            await this.waitForRoom(options.waitTickMs ?? 1000);
            if (!this.isClosed && this.items.length >= this.capacity && options.onWait) {
                await options.onWait();
            }
        }
        if (this.isClosed) {
            return false;
        }
        this.items.push(item);
        this.wake();
        return true;
    }
    /** The next item; `done` once closed and drained; rejects after `fail` or on abort. */
    async next(signal) {
        for (;;) {
            if (this.failed) {
                throw this.error;
            }
            if (signal?.aborted) {
                return { done: true, value: undefined };
            }
            if (this.items.length > 0) {
                const value = this.items.shift();
                this.wakeAllWriters();
                return { done: false, value };
            }
            if (this.closed) {
                return { done: true, value: undefined };
            }
            await new Promise(resolve => {
                const onAbort = () => resolve();
                signal?.addEventListener('abort', onAbort, { once: true });
                this.wakeReader = () => {
                    signal?.removeEventListener('abort', onAbort);
                    resolve();
                };
            });
            this.wakeReader = undefined;
        }
    }
    /** Removes unread items that match (e.g. batches of partitions lost in a rebalance). */
    drop(predicate) {
        const before = this.items.length;
        const kept = this.items.filter(i => !predicate(i));
        this.items.splice(0, this.items.length, ...kept);
        this.wakeAllWriters();
        return before - kept.length;
    }
    /** Ends the stream: readers drain what is queued, writers get false. */
    close() {
        this.closed = true;
        this.wake();
        this.wakeAllWriters();
    }
    /** Ends the stream with an error: the reader's next call rejects with it. */
    fail(error) {
        if (!this.failed) {
            this.failed = true;
            this.error = error;
        }
        this.wake();
        this.wakeAllWriters();
    }
    wake() {
        this.wakeReader?.();
    }
    wakeAllWriters() {
        const writers = this.wakeWriters;
        this.wakeWriters = [];
        for (const w of writers) {
            w();
        }
    }
    waitForRoom(tickMs) {
        return new Promise(resolve => {
            const done = () => {
                clearTimeout(timer);
                this.wakeWriters = this.wakeWriters.filter(w => w !== done);
                resolve();
            };
            const timer = setTimeout(done, tickMs);
            this.wakeWriters.push(done);
        });
    }
}

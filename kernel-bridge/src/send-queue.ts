/** One `send` in flight per zeromq socket: the SDK's queue, re-exported for the engine and client. */
export { SendQueue } from '../../sdk/src/filter/python/send-queue.js';

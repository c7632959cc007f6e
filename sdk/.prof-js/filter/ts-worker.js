import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Table, tableToIPC } from 'apache-arrow';
import { FilterEvaluationError, FilterTimeoutError } from '../errors.js';
import { withLightcurveFeatures } from './features.js';
import { checkColumns } from './columns-check.js';
import { DEFAULT_FILTER_TIMEOUT_MS } from './sql-filter.js';
const here = fileURLToPath(import.meta.url);
/** Worker bootstrap: registers tsx (so .ts filter modules load) unless running compiled JS. */
function bootstrapSource() {
    const ext = extname(here);
    const entry = pathToFileURL(join(dirname(here), `ts-worker-entry${ext}`)).href;
    if (ext !== '.ts') {
        return `import(${JSON.stringify(entry)});`;
    }
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve('tsx/package.json');
    const pkg = require(pkgPath);
    const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
    const report = "e => require('node:worker_threads').parentPort.postMessage({ type: 'error', seq: -1, message: String(e && e.message || e), stack: e && e.stack })";
    return `import(${JSON.stringify(api)}).then(a => { a.register(); return import(${JSON.stringify(entry)}); }).catch(${report});`;
}
/**
 * A TypeScript filter loaded from a module path and run in a worker thread, so a filter that loops
 * can be stopped: each batch has `timeoutMs`; on timeout the worker is terminated and a fresh one is
 * started for the next batch.
 */
export class WorkerTypeScriptFilter {
    id;
    source;
    options;
    meta;
    language = 'typescript';
    live;
    seq = 0;
    queue = Promise.resolve();
    constructor(id, source, options, meta) {
        this.id = id;
        this.source = source;
        this.options = options;
        this.meta = meta;
    }
    static async load(modulePath, options = {}) {
        const source = resolve(modulePath);
        const resolved = {
            exportName: options.exportName ?? 'default',
            timeoutMs: options.timeoutMs ?? DEFAULT_FILTER_TIMEOUT_MS,
            startTimeoutMs: options.startTimeoutMs ?? 20_000
        };
        const fallbackId = basename(source, extname(source));
        const live = await startWorker(source, resolved.exportName, resolved.startTimeoutMs, options.id ?? fallbackId);
        const filter = new WorkerTypeScriptFilter(options.id ?? live.meta.id ?? fallbackId, source, resolved, live.meta);
        filter.adopt(live);
        return filter;
    }
    /** Keeps a started worker; forgets it when it exits so the next batch starts a fresh one. */
    adopt(live) {
        this.live = live;
        this.meta = live.meta;
        live.worker.on('error', () => undefined);
        live.worker.on('exit', () => {
            if (this.live === live) {
                this.live = undefined;
            }
        });
    }
    get kind() {
        return this.meta.kind;
    }
    get outputs() {
        return this.meta.outputs;
    }
    get requiredColumns() {
        return this.meta.columns;
    }
    evaluate(batch, ctx = {}) {
        const run = this.queue.then(() => this.evaluateNow(batch, ctx));
        this.queue = run.catch(() => undefined);
        return run;
    }
    async evaluateNow(batch, ctx) {
        if (batch.numRows === 0) {
            return { outputs: this.outputs, index: new Int32Array(0) };
        }
        const enriched = withLightcurveFeatures(batch);
        checkColumns(this.id, 'TypeScript', this.requiredColumns, enriched);
        if (this.live === undefined) {
            this.adopt(await startWorker(this.source, this.options.exportName, this.options.startTimeoutMs, this.id));
        }
        const { worker } = this.live;
        const seq = ++this.seq;
        const timeoutMs = ctx.timeoutMs ?? this.options.timeoutMs;
        const ipc = tableToIPC(new Table(enriched), 'stream');
        return new Promise((resolvePromise, reject) => {
            const cleanup = () => {
                clearTimeout(timer);
                worker.off('message', onMessage);
                worker.off('error', onError);
                worker.off('exit', onExit);
                ctx.signal?.removeEventListener('abort', onAbort);
            };
            const kill = (error) => {
                cleanup();
                this.live = undefined;
                void worker.terminate();
                reject(error);
            };
            const timer = setTimeout(() => {
                kill(new FilterTimeoutError(`TypeScript filter "${this.id}" did not finish a batch of ${batch.numRows} alerts within ${timeoutMs} ms; its worker was stopped and will restart on the next batch. Make the filter faster (whole-batch loops over typed arrays) or raise timeoutMs.`, { context: { filterId: this.id, timeoutMs, rows: batch.numRows } }));
            }, timeoutMs);
            const onAbort = () => kill(new FilterEvaluationError(`TypeScript filter "${this.id}": evaluation aborted.`, {
                context: { filterId: this.id }
            }));
            const onError = (error) => kill(new FilterEvaluationError(`TypeScript filter "${this.id}" crashed its worker: ${error.message}`, { cause: error, context: { filterId: this.id } }));
            const onExit = (code) => kill(new FilterEvaluationError(`TypeScript filter "${this.id}": its worker exited (code ${code}) during a batch.`, { context: { filterId: this.id } }));
            const onMessage = (reply) => {
                if (reply.type === 'ready' || reply.seq !== seq) {
                    return;
                }
                cleanup();
                if (reply.type === 'result') {
                    resolvePromise({ outputs: this.outputs, index: reply.index });
                }
                else {
                    const error = new FilterEvaluationError(`TypeScript filter "${this.id}" threw on a batch of ${batch.numRows} alerts: ${reply.message}`, {
                        context: { filterId: this.id, stack: reply.stack }
                    });
                    reject(error);
                }
            };
            worker.on('message', onMessage);
            worker.on('error', onError);
            worker.on('exit', onExit);
            ctx.signal?.addEventListener('abort', onAbort, { once: true });
            worker.postMessage({ type: 'evaluate', seq, ipc }, [ipc.buffer]);
        });
    }
    async close() {
        const live = this.live;
        this.live = undefined;
        if (live !== undefined) {
            await live.worker.terminate();
        }
    }
}
function startWorker(modulePath, exportName, startTimeoutMs, id) {
    const init = { modulePath, exportName };
    const worker = new Worker(bootstrapSource(), { eval: true, workerData: init });
    return new Promise((resolvePromise, reject) => {
        const detach = () => {
            clearTimeout(timer);
            worker.off('error', onError);
            worker.off('exit', onExit);
            worker.off('message', onMessage);
        };
        const fail = (message, cause) => {
            detach();
            void worker.terminate();
            reject(new FilterEvaluationError(`TypeScript filter "${id}" could not start from ${modulePath}: ${message}`, { cause, context: { filterId: id, modulePath } }));
        };
        const onError = (error) => fail(error.message, error);
        const onExit = (code) => fail(`worker exited with code ${code}`);
        const onMessage = (reply) => {
            if (reply.type === 'ready') {
                detach();
                resolvePromise({ worker, meta: reply.meta });
            }
            else if (reply.type === 'error' && reply.seq === -1) {
                fail(reply.message);
            }
        };
        const timer = setTimeout(() => fail(`no answer within ${startTimeoutMs} ms (a loop at module top level?)`), startTimeoutMs);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.on('message', onMessage);
    });
}

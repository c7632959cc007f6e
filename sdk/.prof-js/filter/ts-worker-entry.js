/**
 * Worker thread that runs one TypeScript filter module. Messages in: `{ type: 'evaluate', seq, ipc }`
 * (the batch as Arrow IPC stream bytes). Messages out: `{ type: 'ready', meta }` once the module is
 * loaded, `{ type: 'result', seq, index }` or `{ type: 'error', seq, message, stack }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { isFilterDefinition, runDefinition } from './ts-define.js';
const port = parentPort;
if (port !== null) {
    const init = workerData;
    const send = (reply, transfer = []) => port.postMessage(reply, transfer);
    try {
        const mod = (await import(pathToFileURL(init.modulePath).href));
        const def = mod[init.exportName];
        if (!isFilterDefinition(def)) {
            throw new TypeError(`${init.modulePath} has no filter export "${init.exportName}". Export one made with defineFilter({...}).`);
        }
        port.on('message', (request) => {
            try {
                const batch = tableFromIPC(request.ipc).batches[0];
                const index = runDefinition(def, batch);
                send({ type: 'result', seq: request.seq, index }, [index.buffer]);
            }
            catch (error) {
                const e = error instanceof Error ? error : new Error(String(error));
                send({ type: 'error', seq: request.seq, message: e.message, stack: e.stack });
            }
        });
        const meta = {
            id: def.id,
            kind: def.kind,
            outputs: def.resolvedOutputs,
            defaultOutput: def.defaultOutput,
            columns: def.columns ?? []
        };
        send({ type: 'ready', meta });
    }
    catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        send({ type: 'error', seq: -1, message: e.message, stack: e.stack });
    }
}

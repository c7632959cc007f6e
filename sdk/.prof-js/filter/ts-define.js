import { resolveOutputs } from './outputs.js';
/**
 * Defines a TypeScript filter; outputs are validated now. Export the result from a module
 * (`export default defineFilter({...})`) to run it in a worker with a time limit, or pass it to
 * `typeScriptFilter(...)` to run it in-process.
 */
export function defineFilter(input) {
    const { outputs, defaultIndex } = resolveOutputs({
        id: input.id ?? '(typescript)',
        kind: input.kind,
        outputs: input.outputs,
        defaultOutput: input.defaultOutput
    });
    return Object.freeze({
        ...input,
        __alertlabFilter: true,
        resolvedOutputs: outputs,
        defaultIndex
    });
}
export function isFilterDefinition(value) {
    return (typeof value === 'object' &&
        value !== null &&
        value.__alertlabFilter === true);
}
function columnsOf(batch) {
    const cols = {};
    for (const field of batch.schema.fields) {
        Object.defineProperty(cols, field.name, {
            enumerable: true,
            get: () => batch.getChild(field.name)
        });
    }
    return cols;
}
/** Runs a definition over a batch and turns whatever it returns into an output index per row. */
export function runDefinition(def, batch) {
    const n = batch.numRows;
    const outputs = def.resolvedOutputs;
    const index = new Int32Array(n);
    const fallback = def.kind === 'switch' ? def.defaultIndex : def.kind === 'leftright' ? 1 : -1;
    const byName = (value) => {
        if (typeof value === 'boolean') {
            if (def.kind === 'switch') {
                throw new TypeError('a switch filter returns output names, not booleans');
            }
            return value ? 0 : fallback;
        }
        const k = typeof value === 'string' ? outputs.indexOf(value) : -1;
        return k >= 0 ? k : fallback;
    };
    if (def.mode === 'alert') {
        for (let row = 0; row < n; row++) {
            index[row] = byName(def.fn(batch.get(row)));
        }
        return index;
    }
    const result = def.fn(batch, columnsOf(batch));
    if (result === null || typeof result !== 'object' || result.length !== n) {
        throw new TypeError(`a batch filter must return one entry per row (${n}), got ${result === null || typeof result !== 'object' ? typeof result : `${result.length} entries`}`);
    }
    if (result instanceof Int32Array) {
        for (let row = 0; row < n; row++) {
            const k = result[row];
            if (k < (def.kind === 'leftright' ? 0 : -1) || k >= outputs.length) {
                throw new RangeError(`routing index ${k} at row ${row} is not a valid output index for a ${def.kind} filter (0..${outputs.length - 1}${def.kind === 'leftright' ? '' : ', or -1'})`);
            }
            index[row] = k < 0 ? (def.kind === 'switch' ? def.defaultIndex : -1) : k;
        }
        return index;
    }
    for (let row = 0; row < n; row++) {
        index[row] = byName(result[row]);
    }
    return index;
}

import { FilterEvaluationError } from '../errors.js';
import { checkColumns } from './columns-check.js';
import { withLightcurveFeatures } from './features.js';
import { runDefinition } from './ts-define.js';
/**
 * A TypeScript filter run in the calling thread (a notebook, a test). Synchronous user code cannot be
 * interrupted here, so there is no time limit: export the definition from a module and use
 * `loadTypeScriptFilter(path)` to run it in a worker with `timeoutMs`.
 */
export class InlineTypeScriptFilter {
    def;
    language = 'typescript';
    id;
    kind;
    outputs;
    requiredColumns;
    source;
    constructor(def, options = {}) {
        this.def = def;
        this.id = options.id ?? def.id ?? 'typescript-filter';
        this.kind = def.kind;
        this.outputs = def.resolvedOutputs;
        this.requiredColumns = def.columns ?? [];
        this.source = options.source ?? def.fn.toString();
    }
    async evaluate(batch, _ctx = {}) {
        const enriched = withLightcurveFeatures(batch);
        checkColumns(this.id, 'TypeScript', this.requiredColumns, enriched);
        try {
            return { outputs: this.outputs, index: runDefinition(this.def, enriched) };
        }
        catch (cause) {
            throw new FilterEvaluationError(`TypeScript filter "${this.id}" threw on a batch of ${batch.numRows} alerts: ${cause.message}`, {
                cause,
                context: { filterId: this.id }
            });
        }
    }
    async close() { }
}

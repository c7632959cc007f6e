import { SqlFilter } from './sql-filter.js';
import { InlineTypeScriptFilter } from './ts-filter.js';
import { defineFilter, isFilterDefinition } from './ts-define.js';
import { WorkerTypeScriptFilter } from './ts-worker.js';
/** A SQL filter: `sqlFilter("mag < 19 AND band = 'g'", { id: 'bright-g', kind: 'yesno' })`. */
export function sqlFilter(sql, options) {
    return SqlFilter.create({ ...options, language: 'sql', source: sql });
}
/** An in-process TypeScript filter from a definition (or the input to defineFilter). No time limit. */
export function typeScriptFilter(def, options = {}) {
    return new InlineTypeScriptFilter(isFilterDefinition(def) ? def : defineFilter(def), options);
}
/** A TypeScript filter module (.ts/.js exporting a defineFilter result) run in a worker with a time limit. */
export function loadTypeScriptFilter(modulePath, options = {}) {
    return WorkerTypeScriptFilter.load(modulePath, options);
}

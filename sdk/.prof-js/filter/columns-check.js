import { FilterColumnError } from '../errors.js';
/** Refuses a batch that lacks columns a filter declared, listing the columns that do exist. */
export function checkColumns(filterId, language, required, batch) {
    const existing = batch.schema.fields.map(f => f.name);
    const have = new Set(existing);
    const missing = required.filter(c => !have.has(c));
    if (missing.length > 0) {
        throw new FilterColumnError(`${language} filter "${filterId}" needs column(s) ${missing.join(', ')} that the batch does not have. Columns that exist: ${existing.join(', ')}. Fix the column names or add the cross-match that provides them.`, { context: { filterId, missing, existing } });
    }
}

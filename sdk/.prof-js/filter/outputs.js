import { FilterDefinitionError } from '../errors.js';
/** Kafka topic names allow [a-zA-Z0-9._-] up to 249 characters; a suffix leaves room for the stage prefix. */
const OUTPUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Default output names by kind (a switch has none). */
export const DEFAULT_OUTPUTS = {
    yesno: ['pass'],
    leftright: ['left', 'right']
};
/**
 * Validates and resolves a spec's outputs: names are valid topic suffixes and unique; yes/no has one
 * output, left/right two; a switch has at least one named output plus its default, which must be
 * listed. Throws {@link FilterDefinitionError} saying what to change.
 */
export function resolveOutputs(spec) {
    const { id, kind } = spec;
    const fail = (message) => {
        throw new FilterDefinitionError(`Filter "${id}": ${message}`, {
            context: { filterId: id, kind }
        });
    };
    if (kind !== 'yesno' && kind !== 'leftright' && kind !== 'switch') {
        fail(`unknown kind "${String(kind)}". Use 'yesno', 'leftright' or 'switch'.`);
    }
    const outputs = spec.outputs ??
        (kind === 'switch'
            ? fail('a switch needs outputs, e.g. ["sn", "agn", "default"].')
            : DEFAULT_OUTPUTS[kind]);
    for (const name of outputs) {
        if (typeof name !== 'string' || !OUTPUT_NAME.test(name)) {
            fail(`output name ${JSON.stringify(name)} is not a valid topic suffix. Use 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit.`);
        }
    }
    const seen = new Set();
    for (const name of outputs) {
        if (seen.has(name)) {
            fail(`output "${name}" is declared twice. Give each output a unique name.`);
        }
        seen.add(name);
    }
    if (kind === 'yesno' && outputs.length !== 1) {
        fail(`a yes/no filter has exactly one output (got ${outputs.length}). Use kind 'leftright' or 'switch' for more.`);
    }
    if (kind === 'leftright' && outputs.length !== 2) {
        fail(`a left/right filter has exactly two outputs (got ${outputs.length}).`);
    }
    if (kind !== 'switch') {
        return { outputs: [...outputs], defaultIndex: -1 };
    }
    const defaultOutput = spec.defaultOutput ?? 'default';
    const defaultIndex = outputs.indexOf(defaultOutput);
    if (defaultIndex < 0) {
        fail(`the switch's default output "${defaultOutput}" is not among its outputs [${outputs.join(', ')}]. Add it to outputs or set defaultOutput.`);
    }
    if (outputs.length < 2) {
        fail('a switch needs at least one named output besides its default.');
    }
    return { outputs: [...outputs], defaultIndex };
}

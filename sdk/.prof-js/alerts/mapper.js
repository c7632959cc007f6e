import { Slots } from './avro/slots.js';
export class SurveyMapper {
    cols;
    slots;
    refs = new Map();
    /** The input being decoded (string slots point into it). */
    buf = new Uint8Array(0);
    constructor(cols, slotSpec) {
        this.cols = cols;
        slotSpec.forEach(([path, kind], index) => this.refs.set(path, { index, kind }));
        this.slots = new Slots(slotSpec.length);
    }
    /** Slot index of `path` (declared in the slot spec). */
    slot(path) {
        const ref = this.refs.get(path);
        if (!ref) {
            throw new Error(`internal: no slot for ${path}`);
        }
        return ref.index;
    }
    /** The projection used to compile a reader for one writer schema. */
    plan(includeCutouts) {
        const used = new Set();
        const hooks = this.hooks();
        return {
            scalar: (path, kind) => {
                const slot = this.refs.get(path);
                const cut = kind === 'bytes' ? this.cutoutName(path) : undefined;
                if (cut !== undefined) {
                    return includeCutouts ? { column: this.cols.cutout(cut), slot } : slot && { slot };
                }
                const name = this.flatName(path);
                let column;
                if (name !== undefined && !used.has(name)) {
                    used.add(name);
                    column = this.cols.column(name, kind);
                }
                return column || slot ? { column, slot } : undefined;
            },
            arrayHook: (path) => hooks[path]
        };
    }
}
/** Flattening shared by both surveys: top-level scalars by name, `main.x` as `x`, `rec.x` as `rec_x`. */
export function flattenPath(path, main, prefixes, skipRecords) {
    if (path.includes('[]')) {
        return undefined;
    }
    const parts = path.split('.');
    if (parts.length === 1) {
        return parts[0];
    }
    if (parts.length !== 2 || skipRecords.has(parts[0])) {
        return undefined;
    }
    if (parts[0] === main) {
        return parts[1];
    }
    return `${prefixes[parts[0]] ?? `${parts[0]}_`}${parts[1]}`;
}

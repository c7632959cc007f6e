/**
 * The in-memory columnar form of catalog data (what loaders produce and what the in-memory matchers
 * hold): typed arrays for numbers, plain arrays only for strings.
 */
/** DuckDB SQL type of a column kind. */
export function sqlTypeOf(kind) {
    switch (kind) {
        case 'double':
            return 'DOUBLE';
        case 'int':
            return 'INTEGER';
        case 'bigint':
            return 'BIGINT';
        case 'bool':
            return 'BOOLEAN';
        case 'string':
            return 'VARCHAR';
    }
}
/** Column kind of a DuckDB type name, or undefined when the type needs a cast to VARCHAR. */
export function kindOfSqlType(sqlType) {
    const t = sqlType.toUpperCase();
    if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL' || t.startsWith('DECIMAL')) {
        return 'double';
    }
    if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(t)) {
        return 'int';
    }
    if (t === 'BIGINT' || t === 'UINTEGER') {
        return 'bigint';
    }
    if (t === 'BOOLEAN') {
        return 'bool';
    }
    if (t === 'VARCHAR') {
        return 'string';
    }
    return undefined;
}
/** Number of rows of a column. */
export function columnLength(c) {
    return c.values.length;
}
/** A new column holding rows `rows` of `c` (a gather). */
export function takeColumn(c, rows) {
    const n = rows.length;
    const takeValid = (valid) => {
        if (!valid) {
            return undefined;
        }
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
            out[i] = valid[rows[i]];
        }
        return out;
    };
    switch (c.kind) {
        case 'double': {
            const v = new Float64Array(n);
            for (let i = 0; i < n; i++) {
                v[i] = c.values[rows[i]];
            }
            return { kind: 'double', values: v, valid: takeValid(c.valid) };
        }
        case 'int': {
            const v = new Int32Array(n);
            for (let i = 0; i < n; i++) {
                v[i] = c.values[rows[i]];
            }
            return { kind: 'int', values: v, valid: takeValid(c.valid) };
        }
        case 'bigint': {
            const v = new BigInt64Array(n);
            for (let i = 0; i < n; i++) {
                v[i] = c.values[rows[i]];
            }
            return { kind: 'bigint', values: v, valid: takeValid(c.valid) };
        }
        case 'bool': {
            const v = new Uint8Array(n);
            for (let i = 0; i < n; i++) {
                v[i] = c.values[rows[i]];
            }
            return { kind: 'bool', values: v, valid: takeValid(c.valid) };
        }
        case 'string': {
            const v = new Array(n);
            for (let i = 0; i < n; i++) {
                v[i] = c.values[rows[i]];
            }
            return { kind: 'string', values: v };
        }
    }
}
/** An empty column of a kind. */
export function emptyColumn(kind, n = 0) {
    switch (kind) {
        case 'double':
            return { kind, values: new Float64Array(n) };
        case 'int':
            return { kind, values: new Int32Array(n) };
        case 'bigint':
            return { kind, values: new BigInt64Array(n) };
        case 'bool':
            return { kind, values: new Uint8Array(n) };
        case 'string':
            return { kind, values: new Array(n).fill(null) };
    }
}
/** Rows [start, end) of a column (typed-array views, no copy for numbers). */
export function sliceColumn(c, start, end) {
    switch (c.kind) {
        case 'string':
            return { kind: 'string', values: c.values.slice(start, end) };
        case 'double':
            return { kind: 'double', values: c.values.subarray(start, end), valid: c.valid?.subarray(start, end) };
        case 'int':
            return { kind: 'int', values: c.values.subarray(start, end), valid: c.valid?.subarray(start, end) };
        case 'bigint':
            return { kind: 'bigint', values: c.values.subarray(start, end), valid: c.valid?.subarray(start, end) };
        case 'bool':
            return { kind: 'bool', values: c.values.subarray(start, end), valid: c.valid?.subarray(start, end) };
    }
}
/** Gathers item `item[i]` of column `parts[part[i]]` for every i (all parts of one kind). */
export function gatherColumns(kind, parts, part, item) {
    const n = part.length;
    const out = emptyColumn(kind, n);
    const anyValid = parts.some(p => p.kind !== 'string' && p.valid);
    const valid = anyValid ? new Uint8Array(n) : undefined;
    for (let i = 0; i < n; i++) {
        const p = parts[part[i]];
        const k = item[i];
        out.values[i] = p.values[k];
        if (valid && p.kind !== 'string') {
            valid[i] = p.valid ? p.valid[k] : 1;
        }
    }
    if (valid && out.kind !== 'string') {
        out.valid = valid;
    }
    return out;
}

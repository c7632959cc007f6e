/**
 * The first, purely textual line of defence for SQL filters: before any DuckDB sees the text, refuse
 * anything that is not one SELECT over the batch. The DuckDB parse (sql-ast.ts) and the locked
 * DuckDB configuration (sql-sandbox.ts) are the second and third lines.
 */
/** Statement keywords that never belong in a filter (checked as bare words outside strings/comments). */
const FORBIDDEN_WORDS = [
    'COPY',
    'ATTACH',
    'DETACH',
    'INSTALL',
    'LOAD',
    'PRAGMA',
    'SET',
    'RESET',
    'CALL',
    'EXPORT',
    'IMPORT',
    'CREATE',
    'DROP',
    'ALTER',
    'INSERT',
    'UPDATE',
    'DELETE',
    'TRUNCATE',
    'VACUUM',
    'CHECKPOINT',
    'USE',
    'BEGIN',
    'COMMIT',
    'ROLLBACK',
    'ABORT',
    'DESCRIBE',
    'SHOW',
    'SUMMARIZE',
    'EXPLAIN',
    'PREPARE',
    'EXECUTE',
    'DEALLOCATE',
    'MERGE',
    'SECRET'
];
/** Functions that read files, the network, other databases or the engine's own state. */
const FORBIDDEN_FUNCTION = /^(read_\w*|glob|\w*_scan|parquet_\w*|sniff_csv|query|query_table|getenv|pragma_\w*|duckdb_\w*|iceberg_\w*|delta_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|http\w*|write_\w*|json_execute_serialized_sql|load_\w*|current_setting|which_secret|from_csv_auto|from_parquet)$/i;
/** Removes comments and the contents of string literals and quoted identifiers (keeps the quotes). */
export function stripLiterals(sql) {
    let out = '';
    let i = 0;
    while (i < sql.length) {
        const c = sql[i];
        const next = sql[i + 1];
        if (c === '-' && next === '-') {
            const end = sql.indexOf('\n', i);
            i = end < 0 ? sql.length : end;
            out += ' ';
        }
        else if (c === '/' && next === '*') {
            const end = sql.indexOf('*/', i + 2);
            i = end < 0 ? sql.length : end + 2;
            out += ' ';
        }
        else if (c === "'" || c === '"') {
            let j = i + 1;
            while (j < sql.length) {
                if (sql[j] === c && sql[j + 1] === c) {
                    j += 2;
                }
                else if (sql[j] === c) {
                    break;
                }
                else {
                    j++;
                }
            }
            out += c === "'" ? "''" : '"q"';
            i = j + 1;
        }
        else if (c === '$' && /[$A-Za-z_]/.test(next ?? '')) {
            const tagEnd = sql.indexOf('$', i + 1);
            const tag = tagEnd < 0 ? '' : sql.slice(i, tagEnd + 1);
            const close = tag && /^\$\w*\$$/.test(tag) ? sql.indexOf(tag, tagEnd + 1) : -1;
            if (close < 0) {
                out += c;
                i++;
            }
            else {
                out += "''";
                i = close + tag.length;
            }
        }
        else {
            out += c;
            i++;
        }
    }
    return out;
}
/** Textual check: one statement, no forbidden statement keywords, no file/network/system functions. */
export function staticSqlCheck(sql) {
    const text = stripLiterals(sql).trim().replace(/;\s*$/, '');
    if (text.length === 0) {
        return { ok: false, reason: 'the SQL is empty' };
    }
    if (text.includes(';')) {
        return { ok: false, reason: 'more than one statement (a ";" inside the SQL)' };
    }
    for (const word of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
        if (FORBIDDEN_WORDS.includes(word[0].toUpperCase())) {
            return {
                ok: false,
                reason: `"${word[0]}" is not allowed in a filter (only a SELECT over the alerts batch is). Quote an identifier with that name: "${word[0].toLowerCase()}"`
            };
        }
    }
    for (const call of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
        if (FORBIDDEN_FUNCTION.test(call[1])) {
            return {
                ok: false,
                reason: `function ${call[1]}() reads outside the batch and is not allowed in a filter`
            };
        }
    }
    return { ok: true };
}

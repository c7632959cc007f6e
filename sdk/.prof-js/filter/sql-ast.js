import { quoteIdent } from '../duck/index.js';
const FORBIDDEN_FUNCTION_NAMES = /^(read_\w*|glob|\w*_scan|parquet_\w*|sniff_csv|query|query_table|getenv|duckdb_\w*|pragma_\w*|current_setting)$/i;
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Parses with DuckDB (`json_serialize_sql`) and walks the tree. */
export async function analyzeSql(connection, sql, table) {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS j', [
        sql
    ]);
    const parsed = JSON.parse(String(reader.getRowObjectsJS()[0].j));
    if (parsed.error === true) {
        return {
            check: {
                ok: false,
                reason: `DuckDB refused to parse it as a SELECT: ${String(parsed.error_message)}`
            },
            columns: []
        };
    }
    const statements = parsed.statements;
    if (statements.length !== 1) {
        return {
            check: {
                ok: false,
                reason: `${statements.length} statements; a filter is exactly one SELECT`
            },
            columns: []
        };
    }
    const statement = statements[0];
    const columns = [];
    const ctes = new Set();
    let refusal;
    const visit = (node) => {
        if (refusal !== undefined) {
            return;
        }
        if (Array.isArray(node)) {
            node.forEach(visit);
            return;
        }
        if (!isObject(node)) {
            return;
        }
        if (isObject(node.cte_map) && Array.isArray(node.cte_map.map)) {
            for (const entry of node.cte_map.map) {
                if (isObject(entry) && typeof entry.key === 'string') {
                    ctes.add(entry.key.toLowerCase());
                }
            }
        }
        if (node.type === 'TABLE_FUNCTION') {
            refusal = 'a table function in FROM; a filter reads only the alerts batch';
        }
        else if (node.type === 'BASE_TABLE') {
            const name = String(node.table_name).toLowerCase();
            if ((name !== table && !ctes.has(name)) ||
                node.schema_name !== '' ||
                node.catalog_name !== '') {
                refusal = `table ${quoteIdent(String(node.table_name))}; a filter reads only the ${table} batch`;
            }
        }
        else if (node.class === 'FUNCTION' &&
            typeof node.function_name === 'string' &&
            FORBIDDEN_FUNCTION_NAMES.test(node.function_name)) {
            refusal = `function ${node.function_name}() reads outside the batch`;
        }
        else if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
            const name = String(node.column_names[node.column_names.length - 1]);
            if (!columns.includes(name)) {
                columns.push(name);
            }
        }
        for (const value of Object.values(node)) {
            visit(value);
        }
    };
    visit(statement);
    if (refusal !== undefined) {
        return { check: { ok: false, reason: refusal }, columns };
    }
    const node = statement.node;
    if (node.type !== 'SELECT_NODE') {
        return {
            check: { ok: false, reason: `a ${String(node.type)}; a filter is one plain SELECT` },
            columns
        };
    }
    return { check: { ok: true }, columns, statement };
}
/**
 * Rewrites a parsed `SELECT ... FROM alerts WHERE ...` to select only the row-index column, keeping
 * its FROM, WHERE and modifiers (ORDER BY / LIMIT), and prints it back with json_deserialize_sql.
 */
export async function selectRowIndexSql(connection, statement, rowIndexColumn) {
    const node = statement.node;
    if (node.group_expressions.length > 0 || node.having !== null) {
        throw new Error('GROUP BY / HAVING cannot select alerts; write the condition in WHERE');
    }
    const rewritten = {
        ...statement,
        node: {
            ...node,
            select_list: [
                {
                    class: 'COLUMN_REF',
                    type: 'COLUMN_REF',
                    alias: '',
                    query_location: 0,
                    column_names: [rowIndexColumn]
                }
            ]
        }
    };
    const json = JSON.stringify({ error: false, statements: [rewritten] });
    const reader = await connection.runAndReadAll('SELECT json_deserialize_sql($1::JSON) AS s', [
        json
    ]);
    return String(reader.getRowObjectsJS()[0].s);
}

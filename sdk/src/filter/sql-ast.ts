import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/index.js';
import type { SqlCheck } from './sql-static.js';

/** DuckDB's own parse of a filter query, as produced by json_serialize_sql. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const FORBIDDEN_FUNCTION_NAMES =
  /^(read_\w*|glob|\w*_scan|parquet_\w*|sniff_csv|query|query_table|getenv|duckdb_\w*|pragma_\w*|current_setting)$/i;

/** Most elements or characters one call may generate (see {@link generatedSizeIssue}). */
export const MAX_GENERATED_PER_CALL = 1000;

/**
 * Functions whose output size is an argument's value, not the input's, and argument positions
 * that decide it ('range' = the range arguments). DuckDB builds such a value in one step that its
 * `memory_limit` does not count and an interrupt does not stop (measured: `len(range(300000000))`
 * held 19.7 GB for 82 s after an interrupt at 1 s), so these sizes must be literals within a cap.
 */
const SIZED_ARGS: Readonly<Record<string, readonly number[] | 'range'>> = {
  range: 'range',
  generate_series: 'range',
  repeat: [1],
  lpad: [1],
  rpad: [1],
  list_resize: [1],
  array_resize: [1],
  bar: [3]
};

function constantNumber(node: Json): number | undefined {
  if (!isObject(node) || node.class !== 'CONSTANT' || !isObject(node.value)) {
    return undefined;
  }
  const v = node.value.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Why a call could generate an unbounded value, or undefined when its size is a small literal. */
export function generatedSizeIssue(name: string, args: readonly Json[]): string | undefined {
  const lower = name.toLowerCase();
  const cap = MAX_GENERATED_PER_CALL;
  const fix = `sizes in ${lower}() must be integer literals giving at most ${cap} elements or characters`;
  if (lower === 'format' || lower === 'printf') {
    const first = args[0];
    const text = isObject(first) && isObject(first.value) ? first.value.value : undefined;
    if (typeof text !== 'string' || /\d{4,}|\*|\{[^}]*\{/.test(text)) {
      return `${lower}() needs a literal format string without widths of 1000 or more`;
    }
    return undefined;
  }
  const sized = SIZED_ARGS[lower];
  if (sized === undefined) {
    return undefined;
  }
  if (sized === 'range') {
    const nums = args.map(constantNumber);
    if (nums.length === 0 || nums.some(n => n === undefined)) {
      return fix;
    }
    const [start, stop, step] =
      nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
    const n =
      step === 0 ? Infinity : Math.ceil(((stop as number) - (start as number)) / (step as number));
    return n <= cap ? undefined : `${fix} (this one asks for ${n})`;
  }
  for (const i of sized) {
    const n = constantNumber(args[i] ?? null);
    if (n === undefined || Math.abs(n) > cap) {
      return fix;
    }
  }
  return undefined;
}

/** The sandbox's watch macros and the batch column each one reads (see SqlSandbox.create). */
const WATCH_MACRO_COLUMNS: Readonly<Record<string, string>> = {
  in_watchlist: 'watchlists',
  in_watchmap: 'watchmaps'
};

/** What the parse says about a query: whether it is acceptable, and the columns it reads. */
export interface SqlAnalysis {
  check: SqlCheck;
  /** Column names referenced (last part of qualified names), in first-seen order. */
  columns: string[];
  /** Whether it expands columns by pattern (`*`, `COLUMNS(...)`): it may read columns not listed. */
  star: boolean;
  /** The parsed statement (JSON), when it is one SELECT. */
  statement?: JsonObject;
  /** Tables it reads (lower case, CTEs aside). @default [] */
  tables?: string[];
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses with DuckDB (`json_serialize_sql`) and walks the tree. */
export async function analyzeSql(
  connection: DuckDBConnection,
  sql: string,
  table: string,
  /** Other tables the query may read (e.g. `objects`). */
  also: readonly string[] = []
): Promise<SqlAnalysis> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS j', [
    sql
  ]);
  const parsed = JSON.parse(String(reader.getRowObjectsJS()[0].j)) as JsonObject;
  if (parsed.error === true) {
    return {
      check: {
        ok: false,
        reason: `DuckDB refused to parse it as a SELECT: ${String(parsed.error_message)}`
      },
      columns: [],
      star: false
    };
  }
  const statements = parsed.statements as Json[];
  if (statements.length !== 1) {
    return {
      check: {
        ok: false,
        reason: `${statements.length} statements; a filter is exactly one SELECT`
      },
      columns: [],
      star: false
    };
  }
  const statement = statements[0] as JsonObject;
  const columns: string[] = [];
  const seen = new Set<string>();
  let star = false;
  let refusal: string | undefined;
  const tables = new Set<string>();
  // CTE names are scoped as DuckDB binds them: a WITH's names are visible in its own query node
  // (and in the subqueries below it); each CTE's definition sees only the CTEs defined before it;
  // a recursive CTE sees itself. A name defined in a subquery is not visible outside it.
  const visit = (node: Json, scope: ReadonlySet<string>): void => {
    if (refusal !== undefined) {
      return;
    }
    if (Array.isArray(node)) {
      for (const child of node) {
        visit(child, scope);
      }
      return;
    }
    if (!isObject(node)) {
      return;
    }
    let inner = scope;
    if (node.type === 'RECURSIVE_CTE_NODE' && typeof node.cte_name === 'string') {
      inner = new Set([...inner, node.cte_name.toLowerCase()]);
    }
    const map = isObject(node.cte_map) ? node.cte_map.map : undefined;
    if (Array.isArray(map) && map.length > 0) {
      const defined = new Set(inner);
      for (const entry of map) {
        if (!isObject(entry) || typeof entry.key !== 'string') {
          continue;
        }
        visit(entry.value, defined);
        defined.add(entry.key.toLowerCase());
      }
      inner = defined;
    }
    if (node.type === 'TABLE_FUNCTION') {
      refusal = 'a table function in FROM; a filter reads only the alerts batch';
    } else if (node.type === 'BASE_TABLE') {
      const name = String(node.table_name).toLowerCase();
      if (!inner.has(name)) {
        tables.add(name);
      }
      if (
        (name !== table && !also.includes(name) && !inner.has(name)) ||
        node.schema_name !== '' ||
        node.catalog_name !== ''
      ) {
        refusal = `table ${quoteIdent(String(node.table_name))}; a filter reads only the ${table} batch (a CTE is visible only inside the query that defines it)`;
      }
    } else if (
      node.class === 'FUNCTION' &&
      typeof node.function_name === 'string' &&
      FORBIDDEN_FUNCTION_NAMES.test(node.function_name)
    ) {
      refusal = `function ${node.function_name}() reads outside the batch`;
    } else if (
      node.class === 'FUNCTION' &&
      typeof node.function_name === 'string' &&
      Array.isArray(node.children) &&
      generatedSizeIssue(node.function_name, node.children) !== undefined
    ) {
      refusal = generatedSizeIssue(node.function_name, node.children);
    } else if (
      node.class === 'FUNCTION' &&
      typeof node.function_name === 'string' &&
      WATCH_MACRO_COLUMNS[node.function_name.toLowerCase()] !== undefined
    ) {
      // in_watchlist('x') / in_watchmap('x') read a column the query does not name
      const name = WATCH_MACRO_COLUMNS[node.function_name.toLowerCase()];
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    } else if (node.class === 'STAR') {
      star = true;
    } else if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
      const name = String(node.column_names[node.column_names.length - 1]);
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'cte_map') {
        visit(value, inner);
      }
    }
  };
  visit(statement, new Set());
  if (refusal !== undefined) {
    return { check: { ok: false, reason: refusal }, columns, star };
  }
  const node = statement.node as JsonObject;
  if (node.type !== 'SELECT_NODE') {
    return {
      check: { ok: false, reason: `a ${String(node.type)}; a filter is one plain SELECT` },
      columns,
      star
    };
  }
  return { check: { ok: true }, columns, star, statement, tables: [...tables] };
}

/**
 * Rewrites a parsed `SELECT ... FROM alerts WHERE ...` to select only the row-index column, keeping
 * its FROM, WHERE and modifiers (ORDER BY / LIMIT), and prints it back with json_deserialize_sql.
 */
export async function selectRowIndexSql(
  connection: DuckDBConnection,
  statement: JsonObject,
  rowIndexColumn: string
): Promise<string> {
  const node = statement.node as JsonObject;
  if ((node.group_expressions as Json[]).length > 0 || node.having !== null) {
    throw new Error('GROUP BY / HAVING cannot select alerts; write the condition in WHERE');
  }
  const rewritten: JsonObject = {
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
  // "no location" is uint64 max, which a JS number cannot hold: 0 prints the same SQL
  const json = JSON.stringify({ error: false, statements: [rewritten] }, (key, value: Json) =>
    key === 'query_location' && typeof value === 'number' && value > Number.MAX_SAFE_INTEGER
      ? 0
      : value
  );
  const reader = await connection.runAndReadAll('SELECT json_deserialize_sql($1::JSON) AS s', [
    json
  ]);
  return String(reader.getRowObjectsJS()[0].s);
}

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
const FORBIDDEN_FUNCTION =
  /^(read_\w*|glob|\w*_scan|parquet_\w*|sniff_csv|query|query_table|getenv|pragma_\w*|duckdb_\w*|iceberg_\w*|delta_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|http\w*|write_\w*|json_execute_serialized_sql|load_\w*|current_setting|which_secret|from_csv_auto|from_parquet)$/i;

/*
 * Words are runs of letters, digits and "_" that start with a letter or "_" (digits before one are
 * not part of it). Both scans are one native regex pass, anchored at word starts by the
 * lookbehind, so each word is looked at once: linear in the text.
 */
const WORD_START = '(?<![A-Za-z0-9_])[0-9]*';
const KEYWORD_RE = new RegExp(`${WORD_START}(${FORBIDDEN_WORDS.join('|')})(?![A-Za-z0-9_])`, 'i');
const CALL_RE = new RegExp(
  `${WORD_START}(${FORBIDDEN_FUNCTION.source.replace(/^\^\(|\)\$$/g, '')})(?![A-Za-z0-9_])\\s*\\(`,
  'i'
);

export type SqlCheck = { ok: true } | { ok: false; reason: string };

/** Longest SQL text a filter may have (1 MiB). */
export const MAX_SQL_CHARS = 1 << 20;

const isWordStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Removes comments and the contents of string literals and quoted identifiers (keeps the quotes).
 * One pass: every search starts where the last one ended, so the work is linear in the text (an
 * unclosed dollar-quote takes the rest of the text as its literal, as an unclosed quote does).
 */
export function stripLiterals(sql: string): string {
  const out: string[] = [];
  let i = 0;
  let plain = 0;
  let last = '';
  const flush = (to: number, put: string): void => {
    if (to > plain) {
      out.push(sql.slice(plain, to));
    } else if (put === last) {
      return; // back-to-back comments or literals: one stands for all
    }
    out.push(put);
    last = put;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      flush(i, ' ');
      i = end < 0 ? sql.length : end;
      plain = i;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      flush(i, ' ');
      i = end < 0 ? sql.length : end + 2;
      plain = i;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c && sql[j + 1] === c) {
          j += 2;
        } else if (sql[j] === c) {
          break;
        } else {
          j++;
        }
      }
      flush(i, c === "'" ? "''" : '"q"');
      i = j + 1;
      plain = i;
    } else if (
      c === '$' &&
      next !== undefined &&
      (next === '$' || isWordStart(next.charCodeAt(0)))
    ) {
      // $tag$ ... $tag$: the tag is letters, digits and "_" between two "$"
      let t = i + 1;
      while (t < sql.length && isWordPart(sql.charCodeAt(t))) {
        t++;
      }
      if (sql[t] !== '$') {
        i = t;
        continue;
      }
      const tag = sql.slice(i, t + 1);
      const close = sql.indexOf(tag, t + 1);
      flush(i, "''");
      i = close < 0 ? sql.length : close + tag.length;
      plain = i;
    } else {
      i++;
    }
  }
  out.push(sql.slice(plain));
  return out.join('');
}

/**
 * Textual check: one statement, no forbidden statement keywords, no file/network/system
 * functions. Linear in the text: one scan over its words (a word followed by "(" is a call).
 */
export function staticSqlCheck(sql: string): SqlCheck {
  if (sql.length > MAX_SQL_CHARS) {
    return { ok: false, reason: `the SQL is ${sql.length} characters; at most ${MAX_SQL_CHARS}` };
  }
  const text = stripLiterals(sql);
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) {
    end--;
  }
  if (end > 0 && text[end - 1] === ';') {
    end--;
  }
  const semicolon = text.indexOf(';');
  if (semicolon >= 0 && semicolon < end) {
    return { ok: false, reason: 'more than one statement (a ";" inside the SQL)' };
  }
  let i = 0;
  while (i < end && isSpace(text.charCodeAt(i))) {
    i++;
  }
  if (i === end) {
    return { ok: false, reason: 'the SQL is empty' };
  }
  const body = end === text.length ? text : text.slice(0, end);
  const keyword = KEYWORD_RE.exec(body);
  if (keyword) {
    const word = keyword[1];
    return {
      ok: false,
      reason: `"${word}" is not allowed in a filter (only a SELECT over the alerts batch is). Quote an identifier with that name: "${word.toLowerCase()}"`
    };
  }
  const call = CALL_RE.exec(body);
  if (call) {
    return {
      ok: false,
      reason: `function ${call[1]}() reads outside the batch and is not allowed in a filter`
    };
  }
  return { ok: true };
}

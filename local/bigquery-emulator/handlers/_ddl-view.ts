/** What a `CREATE [OR REPLACE] [MATERIALIZED] VIEW name [(columns)] [OPTIONS(…)] AS query` names. */
export interface CreateViewStatement {
  /** The name's parts as written: [table], [dataset, table] or [project, dataset, table]. */
  nameParts: string[];
  /** The view's query in the caller's BigQuery SQL, as BigQuery reports it in `view.query`. */
  query: string;
}

const HEAD =
  /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?/i;

/**
 * Reads the name and the query text of a single CREATE VIEW statement, so a view made by DDL keeps
 * its BigQuery SQL (DuckDB only knows the translation). Returns undefined for anything it does not
 * follow (a leading comment, a script): the view then reports its DuckDB SQL, as before.
 */
export function parseCreateView(sql: string): CreateViewStatement | undefined {
  const head = HEAD.exec(sql);
  if (!head) return undefined;
  let at = head[0].length;
  const nameParts: string[] = [];
  for (;;) {
    if (sql[at] === '`') {
      const end = sql.indexOf('`', at + 1);
      if (end < 0) return undefined;
      nameParts.push(...sql.slice(at + 1, end).split('.'));
      at = end + 1;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(sql.slice(at));
      if (!word) return undefined;
      nameParts.push(word[0]);
      at += word[0].length;
    }
    if (sql[at] !== '.') break;
    at++;
  }
  if (nameParts.length < 1 || nameParts.length > 3 || nameParts.some((p) => p === ''))
    return undefined;
  at = skipSpace(sql, at);
  if (sql[at] === '(') {
    at = skipParenthesized(sql, at);
    if (at < 0) return undefined;
    at = skipSpace(sql, at);
  }
  if (/^OPTIONS\s*\(/i.test(sql.slice(at))) {
    at = skipParenthesized(sql, sql.indexOf('(', at));
    if (at < 0) return undefined;
    at = skipSpace(sql, at);
  }
  if (!/^AS\b/i.test(sql.slice(at))) return undefined;
  const query = sql
    .slice(at + 2)
    .trim()
    .replace(/;\s*$/, '')
    .trim();
  if (query === '' || query.includes(';')) return undefined;
  return { nameParts, query };
}

function skipSpace(sql: string, at: number): number {
  while (at < sql.length && /\s/.test(sql[at]!)) at++;
  return at;
}

/** Index just past the parenthesis that closes the one at `at` (quotes respected), or -1. */
function skipParenthesized(sql: string, at: number): number {
  let depth = 0;
  for (let i = at; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

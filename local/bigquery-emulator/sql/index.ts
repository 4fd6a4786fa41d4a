/**
 * BigQuery Standard SQL → DuckDB SQL for the BigQuery emulator. One DuckDB schema per dataset,
 * named `<projectId>__<datasetId>`; BigQuery TIMESTAMP is TIMESTAMPTZ and the DuckDB session time
 * zone must be UTC; query parameters are inlined as typed literals.
 */
import { quoteIdent } from '../types/duckdb-names.js';
import { UnsupportedSqlError, positionOf } from './errors.js';
import { type Token, tokenize } from './tokenizer.js';
import { Translator, duckDbTableName, readAlias } from './translator.js';
import type { TableRef, TranslateOptions } from './translator.js';
import { type Node, buildTree, isGroup, isWord, splitCommas } from './tree.js';
import { duckDbType, parseType } from './types.js';

export { UnsupportedSqlError } from './errors.js';
export type { SqlPosition } from './errors.js';
export type { QueryParam, TableRef, TableResolver, TranslateOptions } from './translator.js';
export { duckDbTableName } from './translator.js';
export { duckDbType, parseTypeText, formatBqType } from './types.js';
export type { BqType } from './types.js';
export { supportedFunctions } from './functions/index.js';

export type StatementType =
  | 'SELECT'
  | 'CREATE_VIEW'
  | 'INSERT'
  | 'DELETE'
  | 'UPDATE'
  | 'MERGE'
  | 'CREATE_TABLE'
  | 'DROP_TABLE'
  | 'SCRIPT';

export interface TranslateResult {
  sql: string;
  statementType: StatementType;
  /** For CREATE/DROP: the table or view the statement defines or drops (defaults filled in). */
  target?: Required<TableRef>;
}

type StatementResult = TranslateResult;

export function translate(sql: string, options: TranslateOptions): TranslateResult {
  const tokens = tokenize(sql);
  const statements = splitStatements(tokens);
  if (statements.length === 0) {
    throw new UnsupportedSqlError(
      'empty query',
      positionOf(sql, 0),
      'Syntax error: Unexpected end of statement',
    );
  }
  const t = new Translator(sql, options);
  const results = statements.map((toks) => translateStatement(t, buildTree(toks, sql)));
  if (results.length === 1) return results[0]!;
  return { sql: results.map((r) => r.sql).join(';\n'), statementType: 'SCRIPT' };
}

/** Splits at top-level `;` (not inside brackets), dropping empty statements. */
function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const tok of tokens) {
    if (tok.kind === 'op' && (tok.value === '(' || tok.value === '[')) depth++;
    if (tok.kind === 'op' && (tok.value === ')' || tok.value === ']')) depth--;
    if (tok.kind === 'op' && tok.value === ';' && depth === 0) out.push([]);
    else out[out.length - 1]!.push(tok);
  }
  return out.filter((s) => s.length > 0);
}

function translateStatement(t: Translator, nodes: Node[]): StatementResult {
  t.collectCtes(nodes);
  const first = nodes[0]!;
  if (isGroup(first, '(') || isWord(first, 'SELECT', 'WITH')) {
    return { sql: t.seq(nodes, { nested: false }), statementType: 'SELECT' };
  }
  if (!isWord(first)) return t.fail('statement', first, 'Syntax error: expected a statement');
  switch (first.upper) {
    case 'CREATE':
      return create(t, nodes);
    case 'INSERT':
      return insert(t, nodes);
    case 'DELETE':
      return dml(t, nodes, 'DELETE');
    case 'UPDATE':
      return dml(t, nodes, 'UPDATE');
    case 'MERGE':
      return merge(t, nodes);
    case 'DROP':
      return drop(t, nodes);
    default:
      return t.fail(`${first.upper} statement`, first);
  }
}

function create(t: Translator, nodes: Node[]): StatementResult {
  const head = createHead(t, nodes);
  return head.kind === 'VIEW' ? createView(t, nodes, head) : createTable(t, nodes, head);
}

/** `CREATE … name` read: DuckDB's statement head, the target, the index after the name. */
interface CreateHead {
  readonly kind: 'VIEW' | 'TABLE';
  readonly sql: string;
  readonly target: Required<TableRef>;
  readonly next: number;
}

/** `CREATE [OR REPLACE] [MATERIALIZED] VIEW|TABLE [IF NOT EXISTS] name`, as DuckDB's head. */
function createHead(t: Translator, nodes: Node[]): CreateHead {
  let i = 1;
  let orReplace = false;
  if (isWord(nodes[i], 'OR') && isWord(nodes[i + 1], 'REPLACE')) {
    orReplace = true;
    i += 2;
  }
  if (isWord(nodes[i], 'TEMP', 'TEMPORARY', 'EXTERNAL', 'SNAPSHOT')) {
    return t.fail(`CREATE ${(nodes[i] as Token).upper}`, nodes[i]);
  }
  if (isWord(nodes[i], 'MATERIALIZED')) i++; // served as a plain view: always fresh, same rows
  const kind = nodes[i];
  if (!isWord(kind, 'VIEW', 'TABLE')) return t.fail('CREATE statement', kind ?? nodes[0]);
  i++;
  let ifNotExists = false;
  if (isWord(nodes[i], 'IF') && isWord(nodes[i + 1], 'NOT') && isWord(nodes[i + 2], 'EXISTS')) {
    ifNotExists = true;
    i += 3;
  }
  if (orReplace && ifNotExists) {
    return t.fail(
      'CREATE OR REPLACE ... IF NOT EXISTS',
      nodes[0],
      'Syntax error: OR REPLACE and IF NOT EXISTS cannot both be used',
    );
  }
  const path = t.readPath(nodes, i);
  const target = t.tableRef(path);
  const sql = `CREATE${orReplace ? ' OR REPLACE' : ''} ${kind.upper}${ifNotExists ? ' IF NOT EXISTS' : ''} ${duckDbTableName(target)}`;
  return { kind: kind.upper as 'VIEW' | 'TABLE', sql, target, next: path.next };
}

/** An optional `(a, b, …)` at `i`, each item rendered; `''` when there is none. */
function parenthesisedList(
  nodes: Node[],
  i: number,
  render: (item: Node[]) => string,
): { sql: string; next: number } {
  const g = nodes[i];
  if (!isGroup(g, '(')) return { sql: '', next: i };
  return { sql: ` (${splitCommas(g.items).map(render).join(', ')})`, next: i + 1 };
}

/** `[(columns)] [OPTIONS(…)] AS query` after a view's name. */
function createView(t: Translator, nodes: Node[], head: CreateHead): StatementResult {
  const { sql: cols, next } = parenthesisedList(nodes, head.next, (c) => identOf(t, c));
  let i = next;
  if (isWord(nodes[i], 'OPTIONS') && isGroup(nodes[i + 1], '(')) i += 2;
  if (!isWord(nodes[i], 'AS'))
    return t.fail('CREATE VIEW', nodes[i] ?? nodes[0], 'Syntax error: expected AS <query>');
  const query = nodes.slice(i + 1);
  if (query.length === 0)
    return t.fail('CREATE VIEW', nodes[i], 'Syntax error: expected a query after AS');
  return {
    sql: `${head.sql}${cols} AS ${t.seq(query, { nested: false })}`,
    statementType: 'CREATE_VIEW',
    target: head.target,
  };
}

/** `(columns) [PARTITION BY …] [CLUSTER BY …] [OPTIONS(…)]` or `AS query` after a table's name. */
function createTable(t: Translator, nodes: Node[], head: CreateHead): StatementResult {
  const { target } = head;
  const { sql: columns, next } = parenthesisedList(nodes, head.next, (c) => columnDef(t, c));
  let i = next;
  while (i < nodes.length && !isWord(nodes[i], 'AS')) {
    const n = nodes[i]!;
    if (isWord(n, 'PARTITION', 'CLUSTER') && isWord(nodes[i + 1], 'BY')) {
      // Partitioning and clustering change nothing about the rows: dropped here.
      i += 2;
      while (i < nodes.length && !isWord(nodes[i], 'CLUSTER', 'OPTIONS', 'AS')) i++;
    } else if (isWord(n, 'OPTIONS') && isGroup(nodes[i + 1], '(')) {
      i += 2;
    } else {
      return t.fail(`CREATE TABLE ${isWord(n) ? n.upper : ''}`.trim(), n);
    }
  }
  if (isWord(nodes[i], 'AS')) {
    const query = nodes.slice(i + 1);
    if (query.length === 0)
      return t.fail('CREATE TABLE AS', nodes[i], 'Syntax error: expected a query after AS');
    if (columns) return t.fail('CREATE TABLE (columns) AS SELECT', nodes[i]);
    return {
      sql: `${head.sql} AS ${t.seq(query, { nested: false })}`,
      statementType: 'CREATE_TABLE',
      target,
    };
  }
  if (!columns)
    return t.fail(
      'CREATE TABLE',
      nodes[0],
      'Syntax error: CREATE TABLE needs columns or AS <query>',
    );
  return { sql: `${head.sql}${columns}`, statementType: 'CREATE_TABLE', target };
}

function identOf(t: Translator, nodes: Node[]): string {
  const n = nodes[0];
  if (nodes.length !== 1 || !n || (n.kind !== 'ident' && n.kind !== 'qident')) {
    return t.fail('column name', n, 'Syntax error: expected a column name');
  }
  return quoteIdent(n.value);
}

function columnDef(t: Translator, nodes: Node[]): string {
  const name = nodes[0];
  if (!name || (name.kind !== 'ident' && name.kind !== 'qident')) {
    return t.fail('column definition', name, 'Syntax error: expected a column name');
  }
  if (isWord(name, 'PRIMARY', 'FOREIGN', 'CONSTRAINT'))
    return t.fail(`table constraint ${name.upper}`, name);
  const { type, next } = parseType(nodes, 1, t.sql);
  let def = `${quoteIdent(name.value)} ${duckDbType(type)}`;
  let i = next;
  while (i < nodes.length) {
    if (isWord(nodes[i], 'NOT') && isWord(nodes[i + 1], 'NULL')) {
      def += ' NOT NULL';
      i += 2;
    } else if (isWord(nodes[i], 'OPTIONS') && isGroup(nodes[i + 1], '(')) {
      i += 2;
    } else {
      return t.fail('column option', nodes[i]);
    }
  }
  return def;
}

function insert(t: Translator, nodes: Node[]): StatementResult {
  let i = 1;
  if (isWord(nodes[i], 'INTO')) i++;
  const path = t.readPath(nodes, i);
  const table = t.resolveTable(path);
  i = path.next;
  let cols = '';
  const g = nodes[i];
  if (isGroup(g, '(') && !isWord(g.items[0], 'SELECT', 'WITH')) {
    cols = ` (${splitCommas(g.items)
      .map((c) => identOf(t, c))
      .join(', ')})`;
    i++;
  }
  const rest = nodes.slice(i);
  if (rest.length === 0)
    return t.fail('INSERT', nodes[0], 'Syntax error: INSERT needs VALUES or a query');
  return {
    sql: `INSERT INTO ${table}${cols} ${t.seq(rest, { nested: false })}`,
    statementType: 'INSERT',
  };
}

function dml(t: Translator, nodes: Node[], kind: 'DELETE' | 'UPDATE'): StatementResult {
  let i = 1;
  if (kind === 'DELETE' && isWord(nodes[i], 'FROM')) i++;
  const path = t.readPath(nodes, i);
  const table = t.resolveTable(path);
  const { alias, next } = readAlias(nodes, path.next);
  i = next;
  const aliasSql = alias === undefined ? '' : ` AS ${quoteIdent(alias)}`;
  if (!nodes.some((n) => isWord(n, 'WHERE'))) {
    return t.fail(
      `${kind} without WHERE`,
      nodes[0],
      `Syntax error: ${kind} must have a WHERE clause`,
    );
  }
  const rest = t.seq(nodes.slice(i), { nested: false });
  if (kind === 'DELETE')
    return { sql: `DELETE FROM ${table}${aliasSql} ${rest}`, statementType: 'DELETE' };
  if (!isWord(nodes[i], 'SET'))
    return t.fail('UPDATE', nodes[i] ?? nodes[0], 'Syntax error: expected SET');
  return { sql: `UPDATE ${table}${aliasSql} ${rest}`, statementType: 'UPDATE' };
}

function merge(t: Translator, nodes: Node[]): StatementResult {
  let i = 1;
  if (isWord(nodes[i], 'INTO')) i++;
  const path = t.readPath(nodes, i);
  const table = t.resolveTable(path);
  const { alias, next } = readAlias(nodes, path.next);
  i = next;
  if (!isWord(nodes[i], 'USING'))
    return t.fail('MERGE', nodes[i] ?? nodes[0], 'Syntax error: expected USING');
  const aliasSql = alias === undefined ? '' : ` AS ${quoteIdent(alias)}`;
  for (let k = i; k < nodes.length; k++) {
    if (isWord(nodes[k], 'INSERT') && isWord(nodes[k + 1], 'ROW'))
      return t.fail('MERGE ... INSERT ROW', nodes[k]);
  }
  const rest = t.seq(nodes.slice(i + 1), { nested: false, fromMode: true, expectFromItem: true });
  return { sql: `MERGE INTO ${table}${aliasSql} USING ${rest}`, statementType: 'MERGE' };
}

function drop(t: Translator, nodes: Node[]): StatementResult {
  if (!isWord(nodes[1], 'TABLE'))
    return t.fail(`DROP ${isWord(nodes[1]) ? nodes[1].upper : ''}`.trim(), nodes[1] ?? nodes[0]);
  let i = 2;
  let ifExists = false;
  if (isWord(nodes[i], 'IF') && isWord(nodes[i + 1], 'EXISTS')) {
    ifExists = true;
    i += 2;
  }
  const path = t.readPath(nodes, i);
  if (path.next !== nodes.length)
    return t.fail('DROP TABLE', nodes[path.next], 'Syntax error: unexpected tokens');
  const target = t.tableRef(path);
  // Without IF EXISTS the resolver reports an unknown table the way the emulator wants.
  const name = ifExists ? duckDbTableName(target) : t.resolveTable(path);
  return {
    sql: `DROP TABLE${ifExists ? ' IF EXISTS' : ''} ${name}`,
    statementType: 'DROP_TABLE',
    target,
  };
}

import { type BigQueryScalar, duckDbScalarType } from '../types/bigquery-types.js';
import { quoteIdent } from '../types/duckdb-names.js';
import { UnsupportedSqlError, positionOf } from './errors.js';
import { tokenize } from './tokenizer.js';
import { type Node, buildTree, isGroup, isOp, splitCommas, startOf } from './tree.js';

/** A BigQuery data type, as written in CAST, STRUCT<...>, column definitions and parameters. */
export type BqType =
  | { readonly kind: 'scalar'; readonly name: BqScalar; readonly params?: readonly number[] }
  | { readonly kind: 'array'; readonly element: BqType }
  | { readonly kind: 'struct'; readonly fields: readonly { name?: string; type: BqType }[] };

/**
 * The scalars SQL can name. GEOGRAPHY has no spelling here: BigQuery has no CAST to it and the
 * translator no geography functions.
 */
export type BqScalar = Exclude<BigQueryScalar, 'GEOGRAPHY'>;

/** Every spelling BigQuery accepts, mapped to the canonical name. */
const SCALAR_ALIASES: Record<string, BqScalar> = {
  INT64: 'INT64',
  INT: 'INT64',
  INTEGER: 'INT64',
  SMALLINT: 'INT64',
  BIGINT: 'INT64',
  TINYINT: 'INT64',
  BYTEINT: 'INT64',
  FLOAT64: 'FLOAT64',
  FLOAT: 'FLOAT64',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  STRING: 'STRING',
  BYTES: 'BYTES',
  BOOL: 'BOOL',
  BOOLEAN: 'BOOL',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIME: 'TIME',
  JSON: 'JSON',
  INTERVAL: 'INTERVAL',
};

export function isScalarTypeName(upper: string): boolean {
  return upper in SCALAR_ALIASES;
}

/** The DuckDB type that stores/represents a BigQuery type (the map is `types/bigquery-types.ts`). */
export function duckDbType(t: BqType): string {
  switch (t.kind) {
    case 'array':
      return `${duckDbType(t.element)}[]`;
    case 'struct':
      return `STRUCT(${t.fields.map((f, i) => `${quoteIdent(f.name ?? `_field_${i + 1}`)} ${duckDbType(f.type)}`).join(', ')})`;
    case 'scalar':
      return duckDbScalarType(t.name, t.params);
  }
}

export function formatBqType(t: BqType): string {
  switch (t.kind) {
    case 'array':
      return `ARRAY<${formatBqType(t.element)}>`;
    case 'struct':
      return `STRUCT<${t.fields.map((f) => (f.name ? `${f.name} ${formatBqType(f.type)}` : formatBqType(f.type))).join(', ')}>`;
    case 'scalar':
      return t.params ? `${t.name}(${t.params.join(', ')})` : t.name;
  }
}

/**
 * Reads one type from `nodes` starting at `index`; returns it and the index after it. Handles
 * `ARRAY<T>`, `STRUCT<name T, ...>`, parameterised `NUMERIC(p, s)` / `STRING(n)`, and the `>>`
 * token that closes two nested type lists at once.
 */
export function parseType(
  nodes: Node[],
  index: number,
  sql: string,
): { type: BqType; next: number } {
  // `>>` is split into two pending `>` closers; this cursor hands them out one at a time.
  const cursor = { nodes: [...nodes], index };
  const type = readType(cursor, sql);
  return { type, next: cursor.index - (cursor.nodes.length - nodes.length) };
}

interface Cursor {
  nodes: Node[];
  index: number;
}

function readType(c: Cursor, sql: string): BqType {
  const node = c.nodes[c.index];
  const fail = (what: string): never => {
    const at = node ? startOf(node) : sql.length;
    throw new UnsupportedSqlError(
      what,
      positionOf(sql, at),
      `Syntax error: expected a type, found ${what}`,
    );
  };
  if (!node || node.kind !== 'ident') return fail(node ? describe(node) : 'end of input');
  const upper = node.upper;
  c.index++;
  if (upper === 'ARRAY') {
    expectAngle(c, '<', sql);
    const element = readType(c, sql);
    expectAngle(c, '>', sql);
    return { kind: 'array', element };
  }
  if (upper === 'STRUCT') {
    expectAngle(c, '<', sql);
    const fields: { name?: string; type: BqType }[] = [];
    for (;;) {
      const a = c.nodes[c.index];
      const b = c.nodes[c.index + 1];
      let name: string | undefined;
      // A field is `name TYPE` or just `TYPE`; a name is followed by something that starts a type.
      if (
        a &&
        (a.kind === 'ident' || a.kind === 'qident') &&
        b &&
        (b.kind === 'ident' || b.kind === 'qident')
      ) {
        name = a.value;
        c.index++;
      }
      fields.push(
        name === undefined ? { type: readType(c, sql) } : { name, type: readType(c, sql) },
      );
      if (isOp(c.nodes[c.index], ',')) {
        c.index++;
        continue;
      }
      break;
    }
    expectAngle(c, '>', sql);
    return { kind: 'struct', fields };
  }
  const name = SCALAR_ALIASES[upper];
  if (!name) {
    throw new UnsupportedSqlError(`type ${node.value}`, positionOf(sql, node.start));
  }
  const next = c.nodes[c.index];
  if (isGroup(next, '(')) {
    c.index++;
    const params = splitCommas(next.items).map((part) => {
      const tok = part[0];
      if (part.length !== 1 || !tok || tok.kind !== 'number') {
        throw new UnsupportedSqlError('type parameter', positionOf(sql, startOf(next)));
      }
      return Number(tok.value);
    });
    return { kind: 'scalar', name, params };
  }
  return { kind: 'scalar', name };
}

function expectAngle(c: Cursor, angle: '<' | '>', sql: string): void {
  const node = c.nodes[c.index];
  if (isOp(node, angle)) {
    c.index++;
    return;
  }
  if (angle === '>' && isOp(node, '>>')) {
    // Replace `>>` by a single `>` left for the enclosing list.
    c.nodes.splice(c.index, 1, {
      ...node,
      text: '>',
      value: '>',
      upper: '>',
      start: node.start + 1,
    });
    return;
  }
  const at = node ? startOf(node) : sql.length;
  throw new UnsupportedSqlError(angle, positionOf(sql, at), `Syntax error: expected "${angle}"`);
}

function describe(node: Node): string {
  return node.kind === 'group' ? `"${node.open}"` : `"${node.text}"`;
}

/** Parses a type written as text, e.g. a query parameter's `ARRAY<STRUCT<a INT64>>`. */
export function parseTypeText(text: string): BqType {
  const nodes = buildTree(tokenize(text), text);
  const { type, next } = parseType(nodes, 0, text);
  if (next !== nodes.length) {
    throw new UnsupportedSqlError(`type ${text}`, positionOf(text, 0), `Invalid type: ${text}`);
  }
  return type;
}

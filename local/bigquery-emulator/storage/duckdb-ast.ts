/**
 * The parts of DuckDB's parse tree (`json_serialize_sql`, DuckDB 1.5) that the incremental
 * refresh planner reads, typed, with type guards on the `class` / `type` tags. Only the fields
 * the planner uses are named; a node keeps every other field DuckDB wrote (the planner copies
 * trees and hands them back to `json_deserialize_sql`, so nothing may be dropped).
 */

/** Any node of the tree: an expression (`class`), a table reference or a query node (`type`). */
export interface AstNode {
  readonly class?: string;
  readonly type?: string;
  readonly alias?: string;
  readonly query_location?: number;
  readonly [field: string]: unknown;
}

/** An expression (its `class` says which kind). */
export interface Expression extends AstNode {
  readonly class: string;
  readonly alias: string;
}

export interface ColumnRef extends Expression {
  readonly class: 'COLUMN_REF';
  /** `t.c` is `['t', 'c']`. */
  readonly column_names: string[];
}

export interface Constant extends Expression {
  readonly class: 'CONSTANT';
  readonly value: { readonly value?: unknown };
}

export interface FunctionCall extends Expression {
  readonly class: 'FUNCTION';
  readonly function_name: string;
  readonly children: Expression[];
  readonly distinct?: boolean;
  readonly filter?: Expression | null;
}

export interface WindowCall extends Expression {
  readonly class: 'WINDOW';
  readonly function_name: string;
  readonly children?: Expression[];
  readonly partitions: Expression[];
  readonly orders?: { readonly expression: Expression }[];
  readonly arg_orders?: unknown[];
  readonly start_expr?: Expression | null;
  readonly end_expr?: Expression | null;
  readonly offset_expr?: Expression | null;
  readonly default_expr?: Expression | null;
  readonly filter_expr?: Expression | null;
}

/** `*`, `t.*`, `* EXCLUDE (…)`, `* REPLACE (…)`, `COLUMNS(…)`. */
export interface Star extends Expression {
  readonly class: 'STAR';
  readonly relation_name?: string;
  readonly exclude_list?: unknown[];
  readonly replace_list?: unknown[];
  readonly expr?: unknown;
  readonly columns?: unknown;
}

export interface SelectNode extends AstNode {
  readonly type: 'SELECT_NODE';
  readonly select_list: Expression[];
  from_table: TableRef;
  readonly where_clause?: Expression | null;
  readonly group_expressions: Expression[];
  readonly group_sets: unknown[];
  readonly aggregate_handling: string;
  readonly having?: Expression | null;
  readonly qualify?: Expression | null;
  readonly sample?: unknown;
  readonly modifiers: unknown[];
  readonly cte_map?: { readonly map?: unknown[] };
}

/** A FROM item (its `type` says which kind). */
export interface TableRef extends AstNode {
  readonly type: string;
}

export interface BaseTable extends TableRef {
  readonly type: 'BASE_TABLE';
  readonly schema_name?: string;
  readonly table_name?: string;
  readonly catalog_name?: string;
  readonly sample?: unknown;
  readonly at_clause?: unknown;
  readonly column_name_alias?: unknown[];
}

export interface SubqueryRef extends TableRef {
  readonly type: 'SUBQUERY';
  readonly subquery: { readonly node: AstNode; readonly named_param_map: unknown[] };
  readonly sample: unknown;
  readonly column_name_alias: unknown[];
}

export function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isSelectNode(node: unknown): node is SelectNode {
  return (
    isNode(node) &&
    node.type === 'SELECT_NODE' &&
    Array.isArray(node.select_list) &&
    Array.isArray(node.group_expressions) &&
    Array.isArray(node.modifiers) &&
    isNode(node.from_table)
  );
}

export function isBaseTable(node: AstNode): node is BaseTable {
  return node.type === 'BASE_TABLE';
}

export function isSubqueryRef(node: AstNode): node is SubqueryRef {
  return node.type === 'SUBQUERY' && isNode(node.subquery);
}

export function isColumnRef(node: AstNode): node is ColumnRef {
  return node.class === 'COLUMN_REF' && Array.isArray(node.column_names);
}

export function isConstant(node: AstNode): node is Constant {
  return node.class === 'CONSTANT';
}

export function isFunctionCall(node: AstNode): node is FunctionCall {
  return node.class === 'FUNCTION' && typeof node.function_name === 'string';
}

export function isWindowCall(node: AstNode): node is WindowCall {
  return node.class === 'WINDOW' && Array.isArray(node.partitions);
}

export function isStar(node: AstNode): node is Star {
  return node.class === 'STAR';
}

/** Calls `each` on every node of `tree`, parents before children. */
export function visit(tree: unknown, each: (node: AstNode) => void): void {
  if (Array.isArray(tree)) for (const child of tree) visit(child, each);
  else if (isNode(tree)) {
    each(tree);
    for (const child of Object.values(tree)) visit(child, each);
  }
}

import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../sql/literals.js';
import { quoteIdent } from '../types/duckdb-names.js';
import {
  type AstNode,
  type BaseTable,
  type ColumnRef,
  type Expression,
  type SelectNode,
  type SubqueryRef,
  type WindowCall,
  isBaseTable,
  isColumnRef,
  isConstant,
  isFunctionCall,
  isNode,
  isSelectNode,
  isStar,
  isSubqueryRef,
  isWindowCall,
  visit,
} from './duckdb-ast.js';

/**
 * Incremental refresh of a materialized view whose result is grouped by keys computed from the
 * rows of one base table, the way BigQuery answers a materialized view from its stored result plus
 * the base table's delta: only the groups touched by rows appended since the last refresh are
 * recomputed (deleted from the stored result, recomputed from the base rows of those keys,
 * inserted).
 *
 * The shape is proven on DuckDB's own parse tree of the translated query (`json_serialize_sql`),
 * and anything else gets no plan (the caller recomputes everything):
 *
 * - `SELECT … FROM base [WHERE row filter] GROUP BY keys [HAVING …]`, or the same over one
 *   subquery `(SELECT *, row expressions, windows FROM base [WHERE row filter])`; no CTE, join,
 *   second subquery, LIMIT, DISTINCT, QUALIFY, GROUPING SETS or volatile function anywhere;
 * - each group key is a select-list column of the view, and a deterministic row expression of
 *   the base table (looked through the subquery's select list);
 * - every window of the subquery is partitioned by (at least) the keys used to pick the touched
 *   groups, so restricting the base table to the rows of those keys leaves each window intact.
 *
 * The base table's delta is `rowid >= watermark`: appends give new rows the next row ids while
 * the row ids are dense (`count(*) = max(rowid) + 1`, i.e. no deleted row waiting to be
 * vacuumed). The caller guarantees only appends happened since the watermark (insertAll, DML
 * INSERT); anything else (UPDATE, DELETE, MERGE, DDL, schema change) forces a full recompute.
 */
export interface IncrementalPlan {
  /** Quoted DuckDB name of the base table. */
  readonly base: string;
  /** SELECT DISTINCT of all filter keys over the appended rows (the temporary delta table). */
  readonly touchedKeysSql: string;
  /** How many filter keys there are (columns `_pmp_key_<i>` of the touched keys). */
  readonly keyCount: number;
  /**
   * Ways to pick the groups to recompute: by all filter keys (first), then by each one alone
   * when there are several. One key alone can recompute more groups than were touched, but
   * finding the base rows of one key is several times cheaper than of a tuple of keys.
   */
  readonly selections: readonly KeySelection[];
}

interface KeySelection {
  /** Indexes of the filter keys used. */
  readonly keys: readonly number[];
  /**
   * The view's query with the base table restricted to those keys, per join flavour; `ranged`
   * (equality, plus the time range of a bucket key) when one of the keys is a time bucket.
   */
  readonly recomputeSql: { equal: string; nullSafe: string; ranged?: RangedSql };
  /** The view's columns holding those keys, quoted, in the order of `keys`. */
  readonly viewKeyColumns: readonly string[];
}

/**
 * A key of the form `epoch_us(t) // width` (a time bucket: what `DIV(UNIX_MICROS(t), width)`
 * translates to) also bounds `t` itself, which DuckDB can check against each row group's min/max
 * and skip most of the table, where the bucket expression has to be computed for every row.
 */
interface RangedSql {
  /** The filter key that is a time bucket. */
  readonly key: number;
  readonly widthMicros: bigint;
  /** SQL with {@link RANGE_LOW} and {@link RANGE_HIGH} standing for the bounds in microseconds. */
  readonly sql: string;
}

// Within 2^53: the parse tree goes through JSON.parse, which would round a larger number.
const RANGE_LOW = '-4503599627301';
const RANGE_HIGH = '-4503599627302';

/** Temporary tables of a refresh: the appended rows, the keys they touch, the keys used. */
const DELTA = 'temp.main._pmp_mv_delta';
const TOUCHED_ALL = 'temp.main._pmp_mv_touched_all';
const TOUCHED = 'temp.main._pmp_mv_touched';
const TOUCHED_ALIAS = '_pmp_touched';
/** Column names standing for a key expression in the SQL templates of a plan. */
const PLACEHOLDER = '__pmp_key_expression_';
const keyColumn = (i: number) => `_pmp_key_${i}`;

/** One subquery between the grouped SELECT and the base table, and the alias it is read by. */
interface Level {
  readonly node: SelectNode;
  readonly alias: string;
}

/** The grouped SELECT, the subqueries below it (outermost first) and the base table they read. */
interface Chain {
  readonly tree: SelectNode;
  readonly levels: readonly Level[];
  readonly baseRef: BaseTable;
  /** Quoted DuckDB name of the base table. */
  readonly base: string;
  /** The name the base table is read by (its alias, else its name). */
  readonly baseAlias: string;
  /** The base table's columns, lower-cased. */
  readonly baseColumns: ReadonlySet<string>;
}

/** A group key: the view column holding it and the base-table row expression it stands for. */
interface GroupKey {
  readonly viewColumn: string;
  readonly expression: Expression;
}

/**
 * The plan for `duckSql` (the view's translated query), or undefined when the incremental path
 * cannot be proven for it.
 */
export async function planIncrementalRefresh(
  connection: DuckDBConnection,
  duckSql: string,
): Promise<IncrementalPlan | undefined> {
  const tree = await parse(connection, duckSql);
  if (!tree) return undefined;
  const functions = await functionKinds(connection);
  if (!groupedSelect(tree, functions)) return undefined;
  const chain = await chainToBase(connection, tree, functions);
  if (!chain) return undefined;
  const keys = groupKeys(chain, functions);
  const filterKeys = keys && keysPartitioningEveryWindow(chain, keys);
  if (!filterKeys || filterKeys.length === 0) return undefined;
  return buildPlan(connection, chain, filterKeys);
}

/** `SELECT … GROUP BY keys` with one grouping set, no window, subquery or `*` in its clauses. */
function groupedSelect(outer: SelectNode, functions: FunctionKinds): boolean {
  if (!plainSelect(outer) || !noVolatile(outer, functions)) return false;
  if (outer.group_expressions.length === 0 || outer.group_sets.length > 1) return false;
  if (outer.qualify || containsClass(outer.select_list, ['WINDOW', 'SUBQUERY', 'STAR']))
    return false;
  return !containsClass([outer.where_clause, outer.having], ['WINDOW', 'SUBQUERY']);
}

/** Follows the FROM of `tree` through row-wise subqueries down to a plain base table. */
async function chainToBase(
  connection: DuckDBConnection,
  tree: SelectNode,
  functions: FunctionKinds,
): Promise<Chain | undefined> {
  const levels: Level[] = [];
  let from = tree.from_table;
  while (isSubqueryRef(from)) {
    const node = from.subquery.node;
    if (!isSelectNode(node) || !plainSelect(node) || !subqueryIsRowWise(node, functions))
      return undefined;
    levels.push({ node, alias: String(from.alias ?? '') });
    from = node.from_table;
  }
  if (!isBaseTable(from)) return undefined;
  const baseRef = from;
  if (baseRef.sample || baseRef.at_clause) return undefined;
  if (baseRef.column_name_alias?.length) return undefined;
  const schemaName = String(baseRef.schema_name ?? '');
  const tableName = String(baseRef.table_name ?? '');
  if (schemaName === '' || baseRef.catalog_name) return undefined;
  const baseAlias = String(baseRef.alias || tableName);
  const baseColumns = await columnsOf(connection, schemaName, tableName);
  if (baseColumns.size === 0 || !starsReadTheLevelBelow(levels, baseAlias)) return undefined;
  const base = `${quoteIdent(schemaName)}.${quoteIdent(tableName)}`;
  return { tree, levels, baseRef, base, baseAlias, baseColumns };
}

/** Every `t.*` of a level names the relation just below it. */
function starsReadTheLevelBelow(levels: readonly Level[], baseAlias: string): boolean {
  return levels.every(({ node }, depth) => {
    const belowAlias = levels[depth + 1]?.alias ?? baseAlias;
    return node.select_list.every((item) => {
      if (!isStar(item)) return true;
      const relation = String(item.relation_name ?? '');
      return relation === '' || relation.toLowerCase() === belowAlias.toLowerCase();
    });
  });
}

/**
 * `expression`, evaluated over the rows of `levels[depth]` (the base table past the last
 * level), rewritten over base-table columns only; undefined when a name cannot be followed.
 */
function toBase(chain: Chain, expression: Expression, depth: number): Expression | undefined {
  const { levels, baseAlias, baseColumns } = chain;
  if (depth === levels.length) {
    const known = columnNames(expression).every((parts) => {
      const column = parts.at(-1)!.toLowerCase();
      if (parts.length === 2 && parts[0]!.toLowerCase() !== baseAlias.toLowerCase()) return false;
      return parts.length <= 2 && baseColumns.has(column);
    });
    return known ? expression : undefined;
  }
  const { node, alias } = levels[depth]!;
  const below = levels[depth + 1]?.node;
  const belowColumns = below ? undefined : baseColumns;
  return mapColumns(expression, (parts) => {
    if (parts.length > 2) return undefined;
    if (parts.length === 2 && parts[0]!.toLowerCase() !== alias.toLowerCase()) return undefined;
    const item = resolveName(parts.at(-1)!, node, belowColumns, below);
    return item && toBase(chain, item, depth + 1);
  });
}

/** Each group key as a view column and a row expression of the base table, or undefined. */
function groupKeys(chain: Chain, functions: FunctionKinds): GroupKey[] | undefined {
  const selectList = chain.tree.select_list;
  const keys: GroupKey[] = [];
  for (let group of chain.tree.group_expressions) {
    if (isConstant(group)) {
      // GROUP BY 1: the select item at that position.
      const position = Number(group.value?.value);
      const item = selectList[position - 1];
      if (!Number.isInteger(position) || !item) return undefined;
      group = item;
    }
    const item = selectList.find((candidate) => sameExpression(candidate, group));
    const viewColumn = item && outputName(item);
    if (!viewColumn) return undefined;
    const expression = toBase(chain, stripAlias(group), 0);
    if (!expression || !rowExpression(expression, functions)) return undefined;
    keys.push({ viewColumn, expression });
  }
  return keys;
}

/**
 * The keys that can pick the touched groups: those every window, at every level, is partitioned
 * by (restricting the base table to the rows of those keys leaves each window intact).
 */
function keysPartitioningEveryWindow(chain: Chain, keys: readonly GroupKey[]): GroupKey[] {
  const partitionSets: Expression[][] = [];
  for (const [depth, { node }] of chain.levels.entries()) {
    for (const item of node.select_list) {
      if (!isWindowCall(item)) continue;
      partitionSets.push(
        item.partitions
          .map((partition) => toBase(chain, stripAlias(partition), depth + 1))
          .filter((partition): partition is Expression => partition !== undefined),
      );
    }
  }
  return keys.filter(({ expression }) =>
    partitionSets.every((partitions) =>
      partitions.some((partition) => sameExpression(partition, expression)),
    ),
  );
}

/** What the SQL templates of a plan are made from. */
interface PlanContext {
  readonly connection: DuckDBConnection;
  readonly chain: Chain;
  /** The filter keys' base-table expressions, and the placeholder column for each. */
  readonly expressions: readonly Expression[];
  readonly placeholders: readonly string[];
  /** The time bucket of each filter key that is one. */
  readonly buckets: readonly (TimeBucket | undefined)[];
}

async function buildPlan(
  connection: DuckDBConnection,
  chain: Chain,
  filterKeys: readonly GroupKey[],
): Promise<IncrementalPlan> {
  const expressions = filterKeys.map(({ expression }) => expression);
  const buckets: (TimeBucket | undefined)[] = [];
  for (const expression of expressions) buckets.push(await timeBucket(connection, expression));
  const placeholders = expressions.map((_, i) => `${PLACEHOLDER}${i}`);
  const context: PlanContext = { connection, chain, expressions, placeholders, buckets };
  const alias = quoteIdent(chain.baseAlias);
  const touchedKeysSql = await unparse(
    connection,
    substitute(
      await parseOrThrow(
        connection,
        `SELECT DISTINCT ${placeholders.map((p, i) => `${p} AS ${keyColumn(i)}`).join(', ')} FROM ${DELTA} AS ${alias}`,
      ),
      expressions,
    ),
  );
  const all = filterKeys.map((_, i) => i);
  const selections: KeySelection[] = [];
  for (const keys of filterKeys.length > 1 ? [all, ...all.map((i) => [i])] : [all]) {
    const bucketKey = keys.find((i) => buckets[i] !== undefined);
    selections.push({
      keys,
      recomputeSql: {
        equal: await restrictedSql(context, keys, '='),
        nullSafe: await restrictedSql(context, keys, 'IS NOT DISTINCT FROM'),
        ...(bucketKey !== undefined ? await rangedOf(context, bucketKey, keys) : {}),
      },
      viewKeyColumns: keys.map((i) => quoteIdent(filterKeys[i]!.viewColumn)),
    });
  }
  return { base: chain.base, touchedKeysSql, keyCount: filterKeys.length, selections };
}

/**
 * The view's query with its base table replaced by the base rows whose `keys` are among the
 * touched ones (joined with `operator`), and with a time range on `range.key`'s bucket.
 */
async function restrictedSql(
  context: PlanContext,
  keys: readonly number[],
  operator: '=' | 'IS NOT DISTINCT FROM',
  range?: { key: number },
): Promise<string> {
  const { connection, chain, placeholders } = context;
  const alias = quoteIdent(chain.baseAlias);
  const on = keys
    .map((i) => `${placeholders[i]} ${operator} ${TOUCHED_ALIAS}.${keyColumn(i)}`)
    .join(' AND ');
  const bounded = range ? `${PLACEHOLDER}t${range.key}` : '';
  const where = range
    ? ` WHERE ${bounded} >= CAST(make_timestamp(CAST(${RANGE_LOW} AS BIGINT)) AS TIMESTAMPTZ) AND ${bounded} < CAST(make_timestamp(CAST(${RANGE_HIGH} AS BIGINT)) AS TIMESTAMPTZ)`
    : '';
  const restrictedTree = substitute(
    await parseOrThrow(
      connection,
      `SELECT ${alias}.* FROM ${chain.base} AS ${alias} SEMI JOIN ${TOUCHED} AS ${TOUCHED_ALIAS} ON ${on}${where}`,
    ),
    context.expressions,
    context.buckets,
  );
  const replacement: SubqueryRef = {
    type: 'SUBQUERY',
    alias: chain.baseAlias,
    sample: null,
    query_location: chain.baseRef.query_location,
    subquery: { node: restrictedTree, named_param_map: [] },
    column_name_alias: [],
  };
  const rewritten = structuredClone(chain.tree);
  let target = rewritten;
  for (let depth = 0; depth < chain.levels.length; depth++) {
    // The copy has the chain `chainToBase` walked: a subquery at each level.
    const from = target.from_table;
    if (!isSubqueryRef(from) || !isSelectNode(from.subquery.node)) throw new Error('no subquery');
    target = from.subquery.node;
  }
  target.from_table = replacement;
  return unparse(connection, rewritten);
}

/** The ranged recompute of a selection whose `key` is a time bucket, when it can be made. */
async function rangedOf(
  context: PlanContext,
  key: number,
  keys: readonly number[],
): Promise<{ ranged?: RangedSql }> {
  const sql = await restrictedSql(context, keys, '=', { key });
  const occurrences = (text: string, token: string) => text.split(token).length - 1;
  // The bounds are filled in by text: each placeholder must be there exactly once.
  if (occurrences(sql, RANGE_LOW) !== 1 || occurrences(sql, RANGE_HIGH) !== 1) return {};
  return { ranged: { key, widthMicros: context.buckets[key]!.widthMicros, sql } };
}

/** Row count of the base table when its row ids are dense (the delta can be read by rowid). */
export async function appendWatermark(
  connection: DuckDBConnection,
  plan: IncrementalPlan,
): Promise<bigint | undefined> {
  const [row] = (
    await connection.runAndReadAll(`SELECT count(*), max(rowid) FROM ${plan.base}`)
  ).getRows();
  const count = row?.[0] as bigint;
  const maxRowId = row?.[1] as bigint | null;
  return (maxRowId === null ? -1n : maxRowId) + 1n === count ? count : undefined;
}

/**
 * Brings `view` up to date with the rows appended to the plan's base table since `watermark`.
 * Returns the new watermark and the filter keys used (none when nothing was appended), or
 * undefined when the delta cannot be read (the caller recomputes). Runs in its own transaction:
 * the stored result never holds half a refresh.
 */
export async function refreshIncrementally(
  connection: DuckDBConnection,
  plan: IncrementalPlan,
  view: string,
  watermark: bigint,
): Promise<{ watermark: bigint; keys: readonly number[] } | undefined> {
  const now = await appendWatermark(connection, plan);
  if (now === undefined || now < watermark) return undefined;
  if (now === watermark) return { watermark: now, keys: [] };
  let selection: KeySelection;
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${DELTA} AS SELECT * FROM ${plan.base} WHERE rowid >= ${watermark}`,
    );
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${TOUCHED_ALL} AS ${plan.touchedKeysSql}`);
    selection = await chooseSelection(connection, plan);
    const columns = selection.keys.map(keyColumn);
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${TOUCHED} AS SELECT DISTINCT ${columns.join(', ')} FROM ${TOUCHED_ALL}`,
    );
    const nullCheck = columns.map((column) => `${column} IS NULL`).join(' OR ');
    const [[nulls]] = (
      await connection.runAndReadAll(`SELECT count(*) FROM ${TOUCHED} WHERE ${nullCheck}`)
    ).getRows() as [[bigint]];
    const nullSafe = nulls > 0n;
    const operator = nullSafe ? 'IS NOT DISTINCT FROM' : '=';
    const on = selection.viewKeyColumns
      .map((column, i) => `${view}.${column} ${operator} ${TOUCHED_ALIAS}.${columns[i]}`)
      .join(' AND ');
    await connection.run(`DELETE FROM ${view} USING ${TOUCHED} AS ${TOUCHED_ALIAS} WHERE ${on}`);
    const recompute = nullSafe
      ? selection.recomputeSql.nullSafe
      : ((await rangedSql(connection, selection.recomputeSql.ranged)) ??
        selection.recomputeSql.equal);
    await connection.run(`INSERT INTO ${view} ${recompute}`);
    await connection.run(`DROP TABLE ${TOUCHED_ALL}`);
    await connection.run(`DROP TABLE ${TOUCHED}`);
    await connection.run(`DROP TABLE ${DELTA}`);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return { watermark: now, keys: selection.keys };
}

/**
 * The ranged recompute with the touched buckets' bounds filled in, when every touched bucket is
 * after 1970 (integer division truncates toward zero: below that a bucket is not a plain range).
 */
async function rangedSql(
  connection: DuckDBConnection,
  ranged: RangedSql | undefined,
): Promise<string | undefined> {
  if (!ranged) return undefined;
  const column = keyColumn(ranged.key);
  const [[low, high]] = (
    await connection.runAndReadAll(`SELECT min(${column}), max(${column}) FROM ${TOUCHED}`)
  ).getRows() as [[bigint | null, bigint | null]];
  if (low === null || high === null || typeof low !== 'bigint' || low <= 0n) return undefined;
  return ranged.sql
    .replaceAll(RANGE_LOW, String(low * ranged.widthMicros))
    .replaceAll(RANGE_HIGH, String((BigInt(high) + 1n) * ranged.widthMicros));
}

/**
 * All keys, unless one key alone has fewer distinct touched values than there are touched key
 * tuples (a new snapshot: one hour, every station), which then picks the groups far cheaper.
 */
async function chooseSelection(
  connection: DuckDBConnection,
  plan: IncrementalPlan,
): Promise<KeySelection> {
  const [all, ...singles] = plan.selections as [KeySelection, ...KeySelection[]];
  if (singles.length === 0) return all;
  const counts = (
    await connection.runAndReadAll(
      `SELECT count(*), ${singles.map((s) => `count(DISTINCT ${keyColumn(s.keys[0]!)})`).join(', ')} FROM ${TOUCHED_ALL}`,
    )
  ).getRows()[0] as bigint[];
  let best = all;
  let bestCount = counts[0]!;
  singles.forEach((single, i) => {
    if (counts[i + 1]! < bestCount) {
      best = single;
      bestCount = counts[i + 1]!;
    }
  });
  return best;
}

async function parse(connection: DuckDBConnection, sql: string): Promise<SelectNode | undefined> {
  // The function takes a constant only (no parameter).
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`);
  // "No location" is 2^64 - 1, which a JS number cannot hold: kept as a marker, restored below.
  const text = String(reader.getRows()[0]?.[0]).replaceAll(NO_LOCATION, '"query_location":-1');
  const parsed = JSON.parse(text) as {
    error?: boolean;
    statements?: { node?: unknown }[];
  };
  if (parsed.error || parsed.statements?.length !== 1) return undefined;
  const node = parsed.statements[0]?.node;
  return isSelectNode(node) ? node : undefined;
}

const NO_LOCATION = '"query_location":18446744073709551615';

async function parseOrThrow(connection: DuckDBConnection, sql: string): Promise<SelectNode> {
  const tree = await parse(connection, sql);
  if (!tree) throw new Error(`DuckDB could not parse its own template: ${sql}`);
  return tree;
}

async function unparse(connection: DuckDBConnection, tree: AstNode): Promise<string> {
  const document = JSON.stringify({
    error: false,
    statements: [{ node: tree, named_param_map: [] }],
  }).replaceAll('"query_location":-1', NO_LOCATION);
  const reader = await connection.runAndReadAll(
    `SELECT json_deserialize_sql(${sqlString(document)}::JSON)`,
  );
  return String(reader.getRows()[0]?.[0]);
}

/** A SELECT without CTEs and modifiers (LIMIT, DISTINCT, ORDER BY). */
function plainSelect(node: SelectNode): boolean {
  const ctes = node.cte_map?.map ?? [];
  return (
    ctes.length === 0 &&
    node.modifiers.length === 0 &&
    node.aggregate_handling === 'STANDARD_HANDLING' &&
    !node.sample
  );
}

interface FunctionKind {
  /** Every overload is a scalar whose result depends on its arguments only. */
  deterministicScalar: boolean;
  volatile: boolean;
}

type FunctionKinds = ReadonlyMap<string, FunctionKind>;

let functionKindsCache: Promise<Map<string, FunctionKind>> | undefined;

/** DuckDB's function catalogue: which names are deterministic scalars, which are volatile. */
function functionKinds(connection: DuckDBConnection): Promise<Map<string, FunctionKind>> {
  functionKindsCache ??= connection
    .runAndReadAll(
      `SELECT function_name,
         bool_and(function_type = 'scalar' AND stability = 'CONSISTENT'),
         bool_or(stability IS NOT NULL AND stability <> 'CONSISTENT')
       FROM duckdb_functions() GROUP BY function_name`,
    )
    .then((reader) => {
      const kinds = new Map<string, FunctionKind>();
      for (const [name, scalar, volatile] of reader.getRows()) {
        kinds.set(String(name), {
          deterministicScalar: scalar === true,
          volatile: volatile === true,
        });
      }
      // error() is flagged volatile because it throws; its result never varies.
      kinds.set('error', { deterministicScalar: true, volatile: false });
      return kinds;
    });
  return functionKindsCache;
}

/** No volatile or per-query function (random(), now(), nextval()…) anywhere in the tree. */
function noVolatile(tree: unknown, functions: FunctionKinds): boolean {
  let ok = true;
  visit(tree, (node) => {
    if (
      (node.class === 'FUNCTION' || node.class === 'WINDOW') &&
      typeof node.function_name === 'string'
    ) {
      const kind = functions.get(node.function_name);
      if (!kind || kind.volatile) ok = false;
    }
  });
  return ok;
}

const ROW_CLASSES = new Set([
  'COLUMN_REF',
  'CONSTANT',
  'OPERATOR',
  'COMPARISON',
  'CONJUNCTION',
  'CASE',
  'CAST',
  'BETWEEN',
  'FUNCTION',
]);

/** An expression computed from one row alone: deterministic scalars over columns and constants. */
function rowExpression(node: AstNode, functions: FunctionKinds): boolean {
  let ok = true;
  visit(node, (child) => {
    if (typeof child.class !== 'string') return;
    if (!ROW_CLASSES.has(child.class)) ok = false;
    else if (child.class === 'FUNCTION') {
      const kind = functions.get(String(child.function_name));
      if (!kind?.deterministicScalar || child.distinct || child.filter) ok = false;
    } else if (child.class === 'OPERATOR' && child.type === 'OPERATOR_UNPACK') ok = false;
  });
  return ok;
}

/** A window whose arguments, ordering and frame are row expressions (no nested window). */
function windowIsRowLocal(window: WindowCall, functions: FunctionKinds): boolean {
  const parts: (Expression | null | undefined)[] = [
    ...(window.children ?? []),
    ...window.partitions,
    ...(window.orders ?? []).map((o) => o.expression),
    window.start_expr,
    window.end_expr,
    window.offset_expr,
    window.default_expr,
    window.filter_expr,
  ];
  if (window.arg_orders?.length) return false;
  return parts.every((part) => !part || rowExpression(part, functions));
}

/**
 * The select item of `level` that produces column `name`: an item of that name, or a column of
 * the relation below passed through `*` (`belowColumns` for the base table, else the select list
 * of `below`). Undefined when missing, ambiguous, or the output of a window.
 */
function resolveName(
  name: string,
  level: SelectNode,
  belowColumns: ReadonlySet<string> | undefined,
  below: SelectNode | undefined,
): Expression | undefined {
  const wanted = name.toLowerCase();
  const items = level.select_list;
  const named = items.filter((item) => outputName(item)?.toLowerCase() === wanted);
  const star = items.find(isStar);
  const excluded = (star?.exclude_list ?? []).length > 0;
  const passedThrough =
    star !== undefined &&
    (belowColumns
      ? belowColumns.has(wanted)
      : (below?.select_list ?? []).some(
          (item) => outputName(item)?.toLowerCase() === wanted || isStar(item),
        ));
  if (passedThrough && excluded) return undefined;
  if (named.length + (passedThrough ? 1 : 0) !== 1) return undefined;
  if (named.length === 1) return isWindowCall(named[0]!) ? undefined : stripAlias(named[0]!);
  const ref: ColumnRef = {
    class: 'COLUMN_REF',
    type: 'COLUMN_REF',
    alias: '',
    column_names: [name],
  };
  return ref;
}

function stripAlias<T extends Expression>(node: T): T {
  return { ...node, alias: '' };
}

/** Every column reference's name parts. */
function columnNames(tree: AstNode): string[][] {
  const names: string[][] = [];
  visit(tree, (node) => {
    if (isColumnRef(node)) names.push(node.column_names);
  });
  return names;
}

/**
 * A copy of `tree` with each column reference replaced by what `replace` makes of it (the
 * reference itself to keep it); a replacement is not walked into.
 */
function mapColumnRefs<T extends AstNode>(tree: T, replace: (ref: ColumnRef) => AstNode): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!isNode(value)) return value;
    if (isColumnRef(value)) return replace(value);
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, walk(child)]));
  };
  return walk(tree) as T;
}

/** A copy with each column reference replaced by its name parts; undefined when one has none. */
function mapColumns(
  tree: Expression,
  replace: (parts: string[]) => Expression | undefined,
): Expression | undefined {
  let failed = false;
  const result = mapColumnRefs(tree, (ref) => {
    const replacement = replace(ref.column_names);
    if (!replacement) failed = true;
    return replacement ?? ref;
  });
  return failed ? undefined : result;
}

/**
 * A subquery level that maps rows to rows: no grouping, every item a row expression, a plain
 * `*` or a window whose arguments are row expressions, and a row-level WHERE.
 */
function subqueryIsRowWise(node: SelectNode, functions: FunctionKinds): boolean {
  if (node.group_expressions.length > 0 || node.having || node.qualify) return false;
  if (node.where_clause) {
    if (containsClass([node.where_clause], ['SUBQUERY', 'WINDOW'])) return false;
    if (!rowExpression(node.where_clause, functions)) return false;
  }
  return node.select_list.every((item) => {
    if (item.class === 'WINDOW') return isWindowCall(item) && windowIsRowLocal(item, functions);
    if (isStar(item)) return !item.expr && !item.columns && (item.replace_list ?? []).length === 0;
    return rowExpression(item, functions);
  });
}

/** The column name a select item produces, when it is certain (an alias or a column reference). */
function outputName(item: Expression): string | undefined {
  if (typeof item.alias === 'string' && item.alias !== '') return item.alias;
  if (isColumnRef(item)) return item.column_names.at(-1);
  return undefined;
}

/** Structural equality ignoring aliases and source positions. */
function sameExpression(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'alias' || key === 'query_location') continue;
    out[key] =
      key === 'column_names' ? (child as string[]).map((n) => n.toLowerCase()) : normalized(child);
  }
  return out;
}

interface TimeBucket {
  /** The time the bucket is computed from. */
  readonly time: Expression;
  readonly widthMicros: bigint;
}

/**
 * `expression` as `epoch_us(time) // width` with a constant positive width (evaluated once here),
 * or undefined.
 */
async function timeBucket(
  connection: DuckDBConnection,
  expression: Expression,
): Promise<TimeBucket | undefined> {
  if (!isFunctionCall(expression) || expression.function_name !== '//') return undefined;
  const [epoch, width] = expression.children;
  if (!epoch || !isFunctionCall(epoch) || epoch.function_name !== 'epoch_us') return undefined;
  const time = epoch.children[0];
  if (!time || epoch.children.length !== 1 || !width) return undefined;
  if (columnNames(width).length > 0) return undefined;
  try {
    const template = await parseOrThrow(connection, `SELECT ${PLACEHOLDER}0 AS w`);
    const sql = await unparse(connection, substitute(template, [width]));
    const reader = await connection.runAndReadAll(`SELECT CAST(w AS BIGINT) FROM (${sql}) AS _w`);
    const value = reader.getRows()[0]?.[0];
    return typeof value === 'bigint' && value > 0n ? { time, widthMicros: value } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A copy of `tree` with each placeholder column replaced by its expression (`…<i>`) or by the
 * time its bucket is computed from (`…t<i>`).
 */
function substitute(
  tree: SelectNode,
  expressions: readonly Expression[],
  buckets: readonly (TimeBucket | undefined)[] = [],
): SelectNode {
  return mapColumnRefs(tree, (ref) => {
    const names = ref.column_names;
    if (names.length !== 1 || !names[0]!.startsWith(PLACEHOLDER)) return ref;
    const suffix = names[0]!.slice(PLACEHOLDER.length);
    const expression = suffix.startsWith('t')
      ? buckets[Number(suffix.slice(1))]?.time
      : expressions[Number(suffix)];
    if (!expression) throw new Error(`no expression for placeholder ${names[0]}`);
    return { ...structuredClone(expression), alias: ref.alias };
  });
}

function containsClass(tree: unknown, classes: readonly string[]): boolean {
  let found = false;
  visit(tree, (node) => {
    if (typeof node.class === 'string' && classes.includes(node.class)) found = true;
    if (node.type === 'SUBQUERY' || node.type === 'JOIN') found = true;
  });
  return found;
}

async function columnsOf(
  connection: DuckDBConnection,
  schemaName: string,
  tableName: string,
): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = $1 AND table_name = $2`,
    [schemaName, tableName],
  );
  return new Set(reader.getRows().map(([name]) => String(name).toLowerCase()));
}

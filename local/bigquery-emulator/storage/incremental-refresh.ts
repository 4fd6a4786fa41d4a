import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../sql/literals.js';
import { quoteIdent } from '../types/duckdb-names.js';

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

type Node = Record<string, unknown> & { class?: string; type?: string };

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
  const outer = tree;
  if (!plainSelect(outer) || !noVolatile(outer, functions)) return undefined;
  const groups = outer.group_expressions as Node[];
  const groupSets = outer.group_sets as unknown[];
  if (groups.length === 0 || groupSets.length > 1) return undefined;
  if (outer.qualify || containsClass(outer.select_list, ['WINDOW', 'SUBQUERY', 'STAR']))
    return undefined;
  if (containsClass([outer.where_clause, outer.having], ['WINDOW', 'SUBQUERY'])) return undefined;

  // The chain of subqueries between the grouped SELECT and the base table, outermost first.
  const levels: { node: Node; alias: string }[] = [];
  let from = outer.from_table as Node;
  while (from.type === 'SUBQUERY') {
    const node = (from.subquery as { node?: Node } | undefined)?.node;
    if (!node || !plainSelect(node) || !subqueryIsRowWise(node, functions)) return undefined;
    levels.push({ node, alias: String(from.alias ?? '') });
    from = node.from_table as Node;
  }
  if (from.type !== 'BASE_TABLE') return undefined;
  const baseRef = from;
  if (baseRef.sample || baseRef.at_clause) return undefined;
  if ((baseRef.column_name_alias as unknown[] | undefined)?.length) return undefined;
  const schemaName = String(baseRef.schema_name ?? '');
  const tableName = String(baseRef.table_name ?? '');
  if (schemaName === '' || baseRef.catalog_name) return undefined;
  const base = `${quoteIdent(schemaName)}.${quoteIdent(tableName)}`;
  const baseAlias = String(baseRef.alias || tableName);
  const baseColumns = await columnsOf(connection, schemaName, tableName);
  if (baseColumns.size === 0) return undefined;
  for (const [depth, { node }] of levels.entries()) {
    const belowAlias = levels[depth + 1]?.alias ?? baseAlias;
    for (const item of node.select_list as Node[]) {
      if (item.class !== 'STAR') continue;
      const relation = String(item.relation_name ?? '');
      if (relation !== '' && relation.toLowerCase() !== belowAlias.toLowerCase()) return undefined;
    }
  }

  /**
   * `expression`, evaluated over the rows of `levels[depth]` (the base table past the last
   * level), rewritten over base-table columns only; undefined when a name cannot be followed.
   */
  const toBase = (expression: Node, depth: number): Node | undefined => {
    if (depth === levels.length) {
      const names = columnNames(expression);
      const known = names.every((parts) => {
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
      return item && toBase(item, depth + 1);
    });
  };

  // Each group key: the view column holding it and the base-table row expression it stands for.
  const selectList = outer.select_list as Node[];
  const keys: { viewColumn: string; expression: Node }[] = [];
  for (let group of groups) {
    if (group.class === 'CONSTANT') {
      const position = Number((group.value as { value?: unknown } | undefined)?.value);
      const item = selectList[position - 1];
      if (!Number.isInteger(position) || !item) return undefined;
      group = item;
    }
    const item = selectList.find((candidate) => sameExpression(candidate, group));
    const viewColumn = item && outputName(item);
    if (!viewColumn) return undefined;
    const expression = toBase(stripAlias(group), 0);
    if (!expression || !rowExpression(expression, functions)) return undefined;
    keys.push({ viewColumn, expression });
  }

  // Every window, at every level, must be partitioned by the keys that pick the touched groups.
  const partitionSets: Node[][] = [];
  for (const [depth, { node }] of levels.entries()) {
    for (const item of node.select_list as Node[]) {
      if (item.class !== 'WINDOW') continue;
      partitionSets.push(
        (item.partitions as Node[])
          .map((partition) => toBase(stripAlias(partition), depth + 1))
          .filter((partition): partition is Node => partition !== undefined),
      );
    }
  }
  const filterKeys = keys.filter(({ expression }) =>
    partitionSets.every((partitions) =>
      partitions.some((partition) => sameExpression(partition, expression)),
    ),
  );
  if (filterKeys.length === 0) return undefined;

  const expressions = filterKeys.map(({ expression }) => expression);
  const placeholders = expressions.map((_, i) => `${PLACEHOLDER}${i}`);
  const buckets: (TimeBucket | undefined)[] = [];
  for (const expression of expressions) buckets.push(await timeBucket(connection, expression));
  const alias = quoteIdent(baseAlias);
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
  const restricted = async (
    keys: readonly number[],
    operator: '=' | 'IS NOT DISTINCT FROM',
    range?: { key: number },
  ) => {
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
        `SELECT ${alias}.* FROM ${base} AS ${alias} SEMI JOIN ${TOUCHED} AS ${TOUCHED_ALIAS} ON ${on}${where}`,
      ),
      expressions,
      buckets,
    );
    const replacement: Node = {
      type: 'SUBQUERY',
      alias: baseAlias,
      sample: null,
      query_location: baseRef.query_location,
      subquery: { node: restrictedTree, named_param_map: [] },
      column_name_alias: [],
    };
    const rewritten = structuredClone(tree);
    let target = rewritten;
    for (let depth = 0; depth < levels.length; depth++)
      target = ((target.from_table as Node).subquery as { node: Node }).node;
    target.from_table = replacement;
    return unparse(connection, rewritten);
  };
  const all = filterKeys.map((_, i) => i);
  const selections: KeySelection[] = [];
  const occurrences = (text: string, token: string) => text.split(token).length - 1;
  const rangedOf = async (key: number, keys: readonly number[]) => {
    const sql = await restricted(keys, '=', { key });
    // The bounds are filled in by text: each placeholder must be there exactly once.
    if (occurrences(sql, RANGE_LOW) !== 1 || occurrences(sql, RANGE_HIGH) !== 1) return {};
    return { ranged: { key, widthMicros: buckets[key]!.widthMicros, sql } };
  };
  for (const keys of filterKeys.length > 1 ? [all, ...all.map((i) => [i])] : [all]) {
    const bucketKey = keys.find((i) => buckets[i] !== undefined);
    selections.push({
      keys,
      recomputeSql: {
        equal: await restricted(keys, '='),
        nullSafe: await restricted(keys, 'IS NOT DISTINCT FROM'),
        ...(bucketKey !== undefined ? await rangedOf(bucketKey, keys) : {}),
      },
      viewKeyColumns: keys.map((i) => quoteIdent(filterKeys[i]!.viewColumn)),
    });
  }
  return { base, touchedKeysSql, keyCount: filterKeys.length, selections };
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

async function parse(connection: DuckDBConnection, sql: string): Promise<Node | undefined> {
  // The function takes a constant only (no parameter).
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`);
  // "No location" is 2^64 - 1, which a JS number cannot hold: kept as a marker, restored below.
  const text = String(reader.getRows()[0]?.[0]).replaceAll(NO_LOCATION, '"query_location":-1');
  const parsed = JSON.parse(text) as {
    error?: boolean;
    statements?: { node?: Node }[];
  };
  if (parsed.error || parsed.statements?.length !== 1) return undefined;
  const node = parsed.statements[0]?.node;
  return node?.type === 'SELECT_NODE' ? node : undefined;
}

const NO_LOCATION = '"query_location":18446744073709551615';

async function parseOrThrow(connection: DuckDBConnection, sql: string): Promise<Node> {
  const tree = await parse(connection, sql);
  if (!tree) throw new Error(`DuckDB could not parse its own template: ${sql}`);
  return tree;
}

async function unparse(connection: DuckDBConnection, tree: Node): Promise<string> {
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
function plainSelect(node: Node): boolean {
  const ctes = (node.cte_map as { map?: unknown[] } | undefined)?.map ?? [];
  return (
    node.type === 'SELECT_NODE' &&
    ctes.length === 0 &&
    (node.modifiers as unknown[]).length === 0 &&
    node.aggregate_handling === 'STANDARD_HANDLING' &&
    !node.sample
  );
}

interface FunctionKind {
  /** Every overload is a scalar whose result depends on its arguments only. */
  deterministicScalar: boolean;
  volatile: boolean;
}

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
function noVolatile(tree: unknown, functions: ReadonlyMap<string, FunctionKind>): boolean {
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
function rowExpression(node: Node, functions: ReadonlyMap<string, FunctionKind>): boolean {
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
function windowIsRowLocal(window: Node, functions: ReadonlyMap<string, FunctionKind>): boolean {
  const parts: unknown[] = [
    ...((window.children as Node[]) ?? []),
    ...((window.partitions as Node[]) ?? []),
    ...((window.orders as { expression: Node }[]) ?? []).map((o) => o.expression),
    window.start_expr,
    window.end_expr,
    window.offset_expr,
    window.default_expr,
    window.filter_expr,
  ];
  if ((window.arg_orders as unknown[] | undefined)?.length) return false;
  return parts.every((part) => !part || rowExpression(part as Node, functions));
}

/**
 * The select item of `level` that produces column `name`: an item of that name, or a column of
 * the relation below passed through `*` (`belowColumns` for the base table, else the select list
 * of `below`). Undefined when missing, ambiguous, or the output of a window.
 */
function resolveName(
  name: string,
  level: Node,
  belowColumns: ReadonlySet<string> | undefined,
  below: Node | undefined,
): Node | undefined {
  const wanted = name.toLowerCase();
  const items = level.select_list as Node[];
  const named = items.filter((item) => outputName(item)?.toLowerCase() === wanted);
  const star = items.find((item) => item.class === 'STAR');
  const excluded = ((star?.exclude_list as unknown[] | undefined) ?? []).length > 0;
  const passedThrough =
    star !== undefined &&
    (belowColumns
      ? belowColumns.has(wanted)
      : ((below?.select_list as Node[] | undefined) ?? []).some(
          (item) => outputName(item)?.toLowerCase() === wanted || item.class === 'STAR',
        ));
  if (passedThrough && excluded) return undefined;
  if (named.length + (passedThrough ? 1 : 0) !== 1) return undefined;
  if (named.length === 1) return named[0]!.class === 'WINDOW' ? undefined : stripAlias(named[0]!);
  return { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', column_names: [name] };
}

function stripAlias(node: Node): Node {
  return { ...node, alias: '' };
}

/** Every column reference's name parts. */
function columnNames(tree: Node): string[][] {
  const names: string[][] = [];
  visit(tree, (node) => {
    if (node.class === 'COLUMN_REF') names.push(node.column_names as string[]);
  });
  return names;
}

/**
 * A copy of `tree` with each column reference replaced by what `replace` makes of it (the
 * reference itself to keep it); a replacement is not walked into.
 */
function mapColumnRefs(tree: Node, replace: (ref: Node) => Node): Node {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Node;
    if (node.class === 'COLUMN_REF') return replace(node);
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
  };
  return walk(tree) as Node;
}

/** A copy with each column reference replaced by its name parts; undefined when one has none. */
function mapColumns(tree: Node, replace: (parts: string[]) => Node | undefined): Node | undefined {
  let failed = false;
  const result = mapColumnRefs(tree, (ref) => {
    const replacement = replace(ref.column_names as string[]);
    if (!replacement) failed = true;
    return replacement ?? ref;
  });
  return failed ? undefined : result;
}

/**
 * A subquery level that maps rows to rows: no grouping, every item a row expression, a plain
 * `*` or a window whose arguments are row expressions, and a row-level WHERE.
 */
function subqueryIsRowWise(node: Node, functions: ReadonlyMap<string, FunctionKind>): boolean {
  if ((node.group_expressions as unknown[]).length > 0 || node.having || node.qualify) return false;
  if (node.where_clause) {
    if (containsClass([node.where_clause], ['SUBQUERY', 'WINDOW'])) return false;
    if (!rowExpression(node.where_clause as Node, functions)) return false;
  }
  return (node.select_list as Node[]).every((item) => {
    if (item.class === 'WINDOW') return windowIsRowLocal(item, functions);
    if (item.class === 'STAR')
      return !item.expr && !item.columns && ((item.replace_list as unknown[]) ?? []).length === 0;
    return rowExpression(item, functions);
  });
}

/** The column name a select item produces, when it is certain (an alias or a column reference). */
function outputName(item: Node): string | undefined {
  if (typeof item.alias === 'string' && item.alias !== '') return item.alias;
  if (item.class === 'COLUMN_REF') return (item.column_names as string[]).at(-1);
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
  readonly time: Node;
  readonly widthMicros: bigint;
}

/**
 * `expression` as `epoch_us(time) // width` with a constant positive width (evaluated once here),
 * or undefined.
 */
async function timeBucket(
  connection: DuckDBConnection,
  expression: Node,
): Promise<TimeBucket | undefined> {
  if (expression.class !== 'FUNCTION' || expression.function_name !== '//') return undefined;
  const [epoch, width] = expression.children as Node[];
  if (epoch?.class !== 'FUNCTION' || epoch.function_name !== 'epoch_us') return undefined;
  const time = (epoch.children as Node[] | undefined)?.[0];
  if (!time || (epoch.children as Node[]).length !== 1 || !width) return undefined;
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
  tree: Node,
  expressions: readonly Node[],
  buckets: readonly (TimeBucket | undefined)[] = [],
): Node {
  return mapColumnRefs(tree, (ref) => {
    const names = ref.column_names as string[] | undefined;
    if (names?.length !== 1 || !names[0]!.startsWith(PLACEHOLDER)) return ref;
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

function visit(tree: unknown, each: (node: Node) => void): void {
  if (Array.isArray(tree)) for (const child of tree) visit(child, each);
  else if (tree !== null && typeof tree === 'object') {
    each(tree as Node);
    for (const child of Object.values(tree)) visit(child, each);
  }
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

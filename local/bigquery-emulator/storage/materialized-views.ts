import type { DuckDBConnection } from '@duckdb/node-api';
import { translateSql } from '../translate-sql.js';
import {
  appendWatermark,
  planIncrementalRefresh,
  refreshIncrementally,
  type IncrementalPlan,
} from './incremental-refresh.js';
import type { EmulatorState } from '../state.js';
import type { TableResource } from './metadata.js';
import { qualifiedName, schemaName } from '../types/duckdb-names.js';
import { sqlString } from '../sql/literals.js';

/**
 * Materialized views as real DuckDB tables, so a query over one reads the stored result instead of
 * recomputing it. BigQuery answers a query over a materialized view with data no older than its
 * `maxStaleness` (fresh data without it); the emulator does the same by recomputing a
 * materialized view, on the next query that reads it, when some table was written since its last
 * refresh (a write generation, not per-table tracking: cheap and never wrongly fresh) and that
 * refresh is older than `maxStaleness`. When only appends happened since the last refresh (insertAll,
 * DML INSERT) and the view's shape allows it, the refresh recomputes only the groups the appended
 * rows touch (`incremental-refresh.ts`), as BigQuery combines a materialized view with its base
 * table's delta; otherwise (UPDATE, DELETE, MERGE, DDL, schema change, another shape) it
 * recomputes the whole result. BigQuery's background refresh is not emulated. With `--data-dir`
 * the incremental marks are kept in the database (`refresh-marks.ts`), so the first read after a
 * restart catches up incrementally too.
 */
interface Generations {
  /** Bumped by every insertAll, DML statement, DDL and table deletion. */
  writes: number;
  /** Bumped by every write that is not an append: a stored result can then only be recomputed. */
  rewrites: number;
  /** How and when each materialized view (by DuckDB name) was last computed. */
  readonly refreshed: Map<string, Refresh>;
  /**
   * Incremental plans by translated query, made since the last rewrite: a plan depends on the
   * base table's columns, which DDL can change under the same query text, so every rewrite
   * empties the cache (a plan from before could never be used again).
   */
  readonly plans: Map<string, Promise<IncrementalPlan | undefined>>;
}

interface Refresh {
  writes: number;
  rewrites: number;
  atMs: number;
  /** The view's query (a redefined view starts over). */
  query: string;
  /** With an incremental plan: the base table's row count the stored result covers. */
  incremental?: IncrementalStart;
}

/** Where an incremental refresh starts: the plan of the view's translated query and its mark. */
interface IncrementalStart {
  plan: IncrementalPlan;
  duckSql: string;
  watermark: bigint;
}

/**
 * A GoogleSQL INTERVAL in canonical form (`Y-M D H:M:S[.F]`, what BigQuery returns for
 * maxStaleness) in milliseconds, months counted as 30 days; undefined when absent or unreadable.
 */
export function intervalMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(-?\d+)-(\d+) (-?\d+) (-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match) return undefined;
  const [y, mo, d, h, mi, sec] = match.slice(1).map(Number) as number[];
  const days = (y! * 12 + mo!) * 30 + d!;
  return ((days * 24 + h!) * 60 + mi!) * 60_000 + sec! * 1000;
}

const byState = new WeakMap<EmulatorState, Generations>();

function generations(state: EmulatorState): Generations {
  let found = byState.get(state);
  if (!found) {
    found = { writes: 0, rewrites: 0, refreshed: new Map(), plans: new Map() };
    byState.set(state, found);
  }
  return found;
}

/**
 * Call after rows were only appended to tables (insertAll, DML INSERT): materialized views are
 * stale but may catch up incrementally.
 */
export function noteTableAppend(state: EmulatorState): void {
  generations(state).writes++;
}

/**
 * Call before any other change to table data or definitions (UPDATE, DELETE, MERGE, scripts, DDL,
 * schema patches, deletions), or in its transaction: materialized views are stale and must be
 * recomputed in full, and the persisted incremental marks go first, so that a crash after the
 * change cannot leave a mark that claims only appends happened.
 */
export async function noteTableRewrite(
  state: EmulatorState,
  connection: DuckDBConnection,
): Promise<void> {
  const found = generations(state);
  found.writes++;
  found.rewrites++;
  found.plans.clear();
  await state.refreshMarks?.clear(connection);
}

/**
 * Call when a table or view is dropped (API, DROP statement, dataset deletion): a materialized
 * view of that name no longer has a refresh to remember (a new one of the same name starts over).
 */
export function forgetMaterializedView(
  state: EmulatorState,
  projectId: string,
  datasetId: string,
  tableId: string,
): void {
  generations(state).refreshed.delete(qualifiedName(projectId, datasetId, tableId));
}

/** What the refresh bookkeeping holds (for tests: dropped and replaced views leave nothing). */
export function materializedViewCacheSizes(state: EmulatorState): {
  plans: number;
  refreshed: number;
} {
  const { plans, refreshed } = generations(state);
  return { plans: plans.size, refreshed: refreshed.size };
}

/** The plan for a translated query, made again after any rewrite (see `Generations.plans`). */
function planFor(
  state: EmulatorState,
  connection: DuckDBConnection,
  duckSql: string,
): Promise<IncrementalPlan | undefined> {
  const { plans } = generations(state);
  let plan = plans.get(duckSql);
  if (!plan) {
    // A query DuckDB cannot analyse just gets no plan: the full recompute always works.
    plan = planIncrementalRefresh(connection, duckSql).catch(() => undefined);
    plans.set(duckSql, plan);
    if (plans.size > 100) plans.delete(plans.keys().next().value!);
  }
  return plan;
}

/** (Re)computes one materialized view into its table, from its BigQuery query. */
export async function materialize(
  state: EmulatorState,
  connection: DuckDBConnection,
  table: TableResource,
  query: string,
): Promise<void> {
  const { projectId, datasetId, tableId } = table.tableReference;
  const translation = translateSql(state, {
    sql: query,
    defaultProjectId: projectId,
    defaultDatasetId: datasetId,
  });
  const name = qualifiedName(projectId, datasetId, tableId);
  // A view of the same name (made by an older emulator, before materialization) goes first.
  const [kind] = (
    await connection.runAndReadAll(
      `SELECT table_type FROM information_schema.tables
       WHERE table_schema = ${sqlString(schemaName(projectId, datasetId))}
         AND table_name = ${sqlString(tableId)}`,
    )
  ).getRows();
  if (kind?.[0] === 'VIEW') await connection.run(`DROP VIEW ${name}`);
  await connection.run(`CREATE OR REPLACE TABLE ${name} AS ${translation.sql}`);
  const plan = await planFor(state, connection, translation.sql);
  const watermark = plan && (await appendWatermark(connection, plan));
  const incremental =
    plan && watermark !== undefined ? { plan, duckSql: translation.sql, watermark } : undefined;
  await remember(state, connection, name, query, incremental);
}

/** Notes (and with `--data-dir` keeps) that `view` was just computed from `query`. */
async function remember(
  state: EmulatorState,
  connection: DuckDBConnection,
  view: string,
  query: string,
  incremental: IncrementalStart | undefined,
): Promise<void> {
  const { writes, rewrites, refreshed } = generations(state);
  refreshed.set(view, {
    writes,
    rewrites,
    atMs: state.now().getTime(),
    query,
    ...(incremental ? { incremental } : {}),
  });
  if (!state.refreshMarks) return;
  if (incremental) {
    const { duckSql, watermark } = incremental;
    await state.refreshMarks.put(connection, view, { query, duckSql, watermark });
  } else await state.refreshMarks.delete(connection, view);
}

/**
 * Where the stored result of `table` stands according to its persisted mark (after a restart,
 * when this process has not computed it yet): only for the same query, translated the same way.
 */
async function resumeFromMark(
  state: EmulatorState,
  connection: DuckDBConnection,
  table: TableResource,
  query: string,
): Promise<IncrementalStart | undefined> {
  const mark = state.refreshMarks?.get(nameOf(table));
  if (!mark || mark.query !== query) return undefined;
  const { projectId, datasetId } = table.tableReference;
  let duckSql: string;
  try {
    duckSql = translateSql(state, {
      sql: query,
      defaultProjectId: projectId,
      defaultDatasetId: datasetId,
    }).sql;
  } catch {
    return undefined; // the full recompute reports the error
  }
  if (duckSql !== mark.duckSql) return undefined;
  const plan = await planFor(state, connection, duckSql);
  return plan && { plan, duckSql, watermark: mark.watermark };
}

/**
 * Brings a stale materialized view up to date: incrementally when only appends happened since
 * its last refresh and it has a plan, else by recomputing it.
 */
async function refresh(
  state: EmulatorState,
  connection: DuckDBConnection,
  table: TableResource,
  last: Refresh | undefined,
): Promise<void> {
  const query = table.materializedView?.query ?? '';
  const { rewrites } = generations(state);
  const start = last
    ? last.rewrites === rewrites && last.query === query
      ? last.incremental
      : undefined
    : await resumeFromMark(state, connection, table, query);
  if (start) {
    const refreshed = await refreshIncrementally(
      connection,
      start.plan,
      nameOf(table),
      start.watermark,
    );
    if (refreshed !== undefined) {
      state.log.debug(
        {
          view: table.id,
          fromRow: String(start.watermark),
          toRow: String(refreshed.watermark),
          keys: refreshed.keys.length,
          ...(last ? {} : { resumed: true }),
        },
        'materialized view refreshed incrementally',
      );
      await remember(state, connection, nameOf(table), query, {
        ...start,
        watermark: refreshed.watermark,
      });
      return;
    }
  }
  state.log.debug({ view: table.id }, 'materialized view recomputed');
  await materialize(state, connection, table, query);
}

/**
 * Refreshes the stale materialized views of `projectId` that `duckSql` (a translated query) reads,
 * directly or through views. Runs inside the caller's exclusive unit, before the query.
 */
export async function refreshStaleMaterializedViews(
  state: EmulatorState,
  connection: DuckDBConnection,
  projectId: string,
  duckSql: string,
): Promise<void> {
  const { writes, refreshed } = generations(state);
  const derived = state.meta
    .listDatasets(projectId)
    .flatMap((d) => state.meta.listTables(projectId, d.datasetReference.datasetId))
    .filter((t) => t.type === 'VIEW' || t.type === 'MATERIALIZED_VIEW');
  const nowMs = state.now().getTime();
  const staleViews = derived.filter((t) => {
    if (t.type !== 'MATERIALIZED_VIEW') return false;
    const last = refreshed.get(nameOf(t));
    if (!last) return true; // never computed by this process (e.g. after a restart)
    if (last.writes === writes) return false;
    const allowed = intervalMs((t.materializedView as { maxStaleness?: unknown }).maxStaleness);
    return allowed === undefined || allowed <= 0 || nowMs - last.atMs > allowed;
  });
  if (staleViews.length === 0) return;
  // DuckDB keeps every view's SQL (names unquoted); matching ignores quotes on both sides.
  const views = new Map(
    (
      await connection.runAndReadAll(
        `SELECT schema_name || '.' || view_name, sql FROM duckdb_views() WHERE NOT internal`,
      )
    )
      .getRows()
      .map(([name, sql]) => [String(name), unquoted(String(sql))]),
  );
  const query = unquoted(duckSql);
  for (const table of staleViews) {
    if (!reads(query, unquoted(nameOf(table)), views, new Set())) continue;
    // The query's unit is a read: a refresh is a write, which the idle checkpoint waits out.
    state.db.noteWrite();
    await refresh(state, connection, table, refreshed.get(nameOf(table)));
  }
}

function nameOf(table: TableResource): string {
  const { projectId, datasetId, tableId } = table.tableReference;
  return qualifiedName(projectId, datasetId, tableId);
}

function unquoted(sql: string): string {
  return sql.replaceAll('"', '');
}

/** Whether `sql` names `target`, or a view whose query does, transitively. */
function reads(
  sql: string,
  target: string,
  views: ReadonlyMap<string, string>,
  seen: Set<string>,
): boolean {
  if (sql.includes(target)) return true;
  for (const [name, definition] of views) {
    if (seen.has(name) || !sql.includes(name)) continue;
    seen.add(name);
    if (reads(definition, target, views, seen)) return true;
  }
  return false;
}

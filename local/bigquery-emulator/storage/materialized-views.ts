import type { DuckDBConnection } from '@duckdb/node-api';
import { translateSql } from '../handlers/_translate.js';
import type { EmulatorState } from '../state.js';
import type { TableResource } from './metadata.js';
import { qualifiedName } from './rows.js';

/**
 * Materialized views as real DuckDB tables, so a query over one reads the stored result instead of
 * recomputing it. BigQuery answers a query over a materialized view with fresh data; the emulator
 * gets the same answers by refreshing a materialized view, on the next query that reads it, after
 * any write to any table (a write generation, not per-table tracking: cheap and never stale).
 * The refresh recomputes the whole result, like BigQuery's non-incremental materialized views.
 */
interface Generations {
  /** Bumped by every insertAll, DML statement, DDL and table deletion. */
  writes: number;
  /** Write generation each materialized view (by DuckDB name) was last computed at. */
  readonly refreshed: Map<string, number>;
}

const byState = new WeakMap<EmulatorState, Generations>();

function generations(state: EmulatorState): Generations {
  let found = byState.get(state);
  if (!found) {
    found = { writes: 0, refreshed: new Map() };
    byState.set(state, found);
  }
  return found;
}

/** Call after table data changed (insertAll, DML, DDL): materialized views are now stale. */
export function noteTableWrite(state: EmulatorState): void {
  generations(state).writes++;
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
       WHERE table_schema = '${`${projectId}__${datasetId}`.replaceAll("'", "''")}'
         AND table_name = '${tableId.replaceAll("'", "''")}'`,
    )
  ).getRows();
  if (kind?.[0] === 'VIEW') await connection.run(`DROP VIEW ${name}`);
  await connection.run(`CREATE OR REPLACE TABLE ${name} AS ${translation.sql}`);
  generations(state).refreshed.set(name, generations(state).writes);
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
  const staleViews = derived.filter(
    (t) => t.type === 'MATERIALIZED_VIEW' && (refreshed.get(nameOf(t)) ?? -1) < writes,
  );
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
    await materialize(state, connection, table, table.materializedView?.query ?? '');
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

import type { DuckDBConnection } from '@duckdb/node-api';
import { translateSql } from '../handlers/_translate.js';
import type { EmulatorState } from '../state.js';
import type { TableResource } from './metadata.js';
import { qualifiedName } from './rows.js';

/**
 * Materialized views as real DuckDB tables, so a query over one reads the stored result instead of
 * recomputing it. BigQuery answers a query over a materialized view with data no older than its
 * `maxStaleness` (fresh data without it); the emulator does the same by recomputing a
 * materialized view, on the next query that reads it, when some table was written since its last
 * refresh (a write generation, not per-table tracking: cheap and never wrongly fresh) and that
 * refresh is older than `maxStaleness`. The refresh recomputes the whole result, like BigQuery's
 * non-incremental materialized views; BigQuery's background refresh is not emulated.
 */
interface Generations {
  /** Bumped by every insertAll, DML statement, DDL and table deletion. */
  writes: number;
  /** Write generation and time (ms) each materialized view (by DuckDB name) was computed at. */
  readonly refreshed: Map<string, { writes: number; atMs: number }>;
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
  generations(state).refreshed.set(name, {
    writes: generations(state).writes,
    atMs: state.now().getTime(),
  });
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

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from 'koa';
import { duplicate, invalid, notFound } from '../errors.js';
import type { EmulatorState } from '../state.js';
import { materialize, noteTableRewrite } from '../storage/materialized-views.js';
import type { TableResource } from '../storage/metadata.js';
import {
  countRows,
  createTable,
  createView,
  describeQuery,
  dropRelation,
  evolveTable,
} from '../storage/rows.js';
import { qualifiedName } from '../types/duckdb-names.js';
import { normalizeSchema, type RestField } from '../types/schema.js';
import { forgetTable } from './_forget-table.js';
import { requireDataset } from './datasets.js';
import { checkTableId, etag, listPage, param, readJsonBody } from './_request.js';
import { duckErrorToInvalidQuery, translateSql } from '../translate-sql.js';

/** Metadata fields a client may set and change without touching storage. */
const MUTABLE = [
  'description',
  'friendlyName',
  'labels',
  'expirationTime',
  'clustering',
  'timePartitioning',
  'rangePartitioning',
  'requirePartitionFilter',
];

export function requireTable(
  state: EmulatorState,
  projectId: string,
  datasetId: string,
  tableId: string,
): TableResource {
  requireDataset(state, projectId, datasetId);
  // Partition decorators (`table$20240101`) address the same table.
  const table = state.meta.getTable(projectId, datasetId, tableId.split('$')[0]!);
  if (!table) throw notFound(`Table ${projectId}:${datasetId}.${tableId}`);
  return table;
}

export async function insertTable(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const body = await readJsonBody(ctx);
  const reference = (body.tableReference ?? {}) as Record<string, unknown>;
  const tableId = checkTableId(reference.tableId);
  requireDataset(state, projectId, datasetId);
  const now = String(state.now().getTime());
  const viewQuery = viewQueryOf(body);
  const table: TableResource = {
    kind: 'bigquery#table',
    id: `${projectId}:${datasetId}.${tableId}`,
    etag: etag(),
    selfLink: `${ctx.origin}/bigquery/v2/projects/${projectId}/datasets/${datasetId}/tables/${tableId}`,
    tableReference: { projectId, datasetId, tableId },
    type: viewQuery ? viewQuery.type : 'TABLE',
    schema: { fields: [] },
    location: state.location,
    creationTime: now,
    lastModifiedTime: now,
  };
  copyMutable(body, table);
  const name = qualifiedName(projectId, datasetId, tableId);
  ctx.body = await state.db.transaction(async (connection) => {
    if (state.meta.getTable(projectId, datasetId, tableId)) {
      throw duplicate(`Table ${projectId}:${datasetId}.${tableId}`);
    }
    if (viewQuery) {
      setViewQuery(table, viewQuery.type, viewQuery.query, body);
      table.schema = { fields: await defineView(state, connection, table, viewQuery.query) };
    } else {
      const schema = body.schema as { fields?: unknown } | undefined;
      const fields = normalizeSchema(schema?.fields ?? []);
      if (fields.length === 0) {
        throw invalid(
          `The emulator needs a schema to create table ${projectId}:${datasetId}.${tableId}`,
        );
      }
      checkPartitioningAndClustering(table, fields);
      table.schema = { fields };
      await createTable(connection, name, fields);
    }
    await state.meta.putTable(connection, table);
    return table;
  });
}

export async function getTable(state: EmulatorState, ctx: Context): Promise<void> {
  const table = requireTable(
    state,
    param(ctx, 'projectId'),
    param(ctx, 'datasetId'),
    param(ctx, 'tableId'),
  );
  if (table.type !== 'TABLE') {
    ctx.body = table;
    return;
  }
  const { projectId, datasetId, tableId } = table.tableReference;
  const numRows = await state.db.read((c) =>
    countRows(c, qualifiedName(projectId, datasetId, tableId)),
  );
  ctx.body = { ...table, numRows: String(numRows), numBytes: '0', numLongTermBytes: '0' };
}

export function listTables(state: EmulatorState, ctx: Context): void {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  requireDataset(state, projectId, datasetId);
  const all = state.meta.listTables(projectId, datasetId);
  const page = listPage(ctx, all, (t) => t.tableReference.tableId);
  ctx.body = {
    kind: 'bigquery#tableList',
    etag: etag(),
    totalItems: all.length,
    tables: page.items.map((t) => {
      const item: Record<string, unknown> = {
        kind: 'bigquery#table',
        id: t.id,
        tableReference: t.tableReference,
        type: t.type,
        creationTime: t.creationTime,
      };
      for (const field of [
        'friendlyName',
        'labels',
        'timePartitioning',
        'clustering',
        'expirationTime',
      ]) {
        if (t[field] !== undefined) item[field] = t[field];
      }
      if (t.type === 'VIEW') item.view = { useLegacySql: false };
      return item;
    }),
    ...page.next,
  };
}

/**
 * PATCH changes the fields sent; PUT (update) also clears mutable fields it omits. Schema changes
 * follow BigQuery: columns may be added and REQUIRED relaxed to NULLABLE, nothing else.
 */
export async function patchTable(
  state: EmulatorState,
  ctx: Context,
  replace: boolean,
): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const tableId = param(ctx, 'tableId');
  const body = await readJsonBody(ctx);
  ctx.body = await state.db.transaction(async (connection) => {
    const current = requireTable(state, projectId, datasetId, tableId);
    const next: TableResource = structuredClone(current);
    next.etag = etag();
    next.lastModifiedTime = String(state.now().getTime());
    if (replace) for (const field of MUTABLE) delete next[field];
    copyMutable(body, next);
    const viewQuery = viewQueryOf(body);
    if (current.type !== 'TABLE') {
      if (viewQuery) {
        // A redefined view is DDL: what reads it (a materialized view over it) is stale, and
        // incremental plans made for its old query are of no further use.
        await noteTableRewrite(state, connection);
        setViewQuery(next, current.type, viewQuery.query, body);
        next.schema = { fields: await defineView(state, connection, next, viewQuery.query) };
      }
    } else {
      if (viewQuery) throw invalid(`Table ${current.id} is not a view`);
      const schema = body.schema as { fields?: unknown } | undefined;
      if (schema?.fields !== undefined) {
        const fields = normalizeSchema(schema.fields);
        const { added, relaxed } = diffSchema(current.schema.fields, fields);
        await evolveTable(
          connection,
          qualifiedName(projectId, datasetId, current.tableReference.tableId),
          added,
          relaxed,
        );
        await noteTableRewrite(state, connection);
        next.schema = { fields };
      }
      checkPartitioningAndClustering(next, next.schema.fields);
    }
    await state.meta.putTable(connection, next);
    return next;
  });
}

export async function deleteTable(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const tableId = param(ctx, 'tableId');
  await state.db.transaction(async (connection) => {
    const table = requireTable(state, projectId, datasetId, tableId);
    const id = table.tableReference.tableId;
    await dropRelation(
      connection,
      qualifiedName(projectId, datasetId, id),
      table.type === 'VIEW' ? 'VIEW' : 'TABLE',
    );
    await noteTableRewrite(state, connection);
    await forgetTable(state, connection, projectId, datasetId, id);
  });
  ctx.status = 204;
}

function viewQueryOf(
  body: Record<string, unknown>,
): { type: 'VIEW' | 'MATERIALIZED_VIEW'; query: string } | undefined {
  for (const [key, type] of [
    ['view', 'VIEW'],
    ['materializedView', 'MATERIALIZED_VIEW'],
  ] as const) {
    const definition = body[key] as { query?: unknown; useLegacySql?: unknown } | undefined;
    if (definition === undefined || definition === null) continue;
    if (typeof definition.query !== 'string' || definition.query.trim() === '') {
      throw invalid(`${key}.query is required`);
    }
    if (definition.useLegacySql === true)
      throw invalid('Legacy SQL views are not supported by the emulator');
    return { type, query: definition.query };
  }
  return undefined;
}

function setViewQuery(
  table: TableResource,
  type: TableResource['type'],
  query: string,
  body: Record<string, unknown> = {},
): void {
  if (type === 'MATERIALIZED_VIEW') {
    // The refresh options are kept: maxStaleness decides when the emulator recomputes. The REST
    // API (and Config Connector's spec) puts maxStaleness on the table, not inside the definition.
    const given = {
      ...(typeof body.maxStaleness === 'string' ? { maxStaleness: body.maxStaleness } : {}),
      ...((body.materializedView ?? {}) as Record<string, unknown>),
    } as Record<string, unknown>;
    const options = Object.fromEntries(
      ['enableRefresh', 'refreshIntervalMs', 'maxStaleness', 'allowNonIncrementalDefinition']
        .filter((key) => given[key] !== undefined && given[key] !== null)
        .map((key) => [key, given[key]]),
    );
    table.materializedView = {
      ...(table.materializedView ?? {}),
      enableRefresh: true,
      ...options,
      query,
    } as TableResource['materializedView'];
  } else {
    table.view = { query, useLegacySql: false };
  }
}

/**
 * Views are DuckDB views of the translated SQL; names inside are resolved to qualified DuckDB
 * names, so a view over a view in another dataset works. Materialized views are DuckDB tables
 * holding the result, refreshed when stale (storage/materialized-views.ts).
 */
async function defineView(
  state: EmulatorState,
  connection: DuckDBConnection,
  table: TableResource,
  query: string,
): Promise<RestField[]> {
  const { projectId, datasetId, tableId } = table.tableReference;
  const translation = translateSql(state, {
    sql: query,
    defaultProjectId: projectId,
    defaultDatasetId: datasetId,
  });
  if (translation.statementType !== 'SELECT')
    throw invalid('A view query must be a SELECT statement');
  try {
    const fields = await describeQuery(connection, translation.sql);
    if (table.type === 'MATERIALIZED_VIEW') await materialize(state, connection, table, query);
    else
      await createView(connection, qualifiedName(projectId, datasetId, tableId), translation.sql);
    return fields;
  } catch (error) {
    throw duckErrorToInvalidQuery(error);
  }
}

function diffSchema(
  current: readonly RestField[],
  next: readonly RestField[],
): { added: RestField[]; relaxed: string[] } {
  const byName = new Map(next.map((f) => [f.name.toLowerCase(), f]));
  const relaxed: string[] = [];
  for (const field of current) {
    const replacement = byName.get(field.name.toLowerCase());
    if (!replacement) {
      throw invalid(
        `Provided Schema does not match Table. Field ${field.name} is missing in new schema`,
      );
    }
    if (
      replacement.type !== field.type ||
      JSON.stringify(replacement.fields ?? null) !== JSON.stringify(field.fields ?? null)
    ) {
      throw invalid(
        `Provided Schema does not match Table. Field ${field.name} has changed type from ${field.type} to ${replacement.type}`,
      );
    }
    if (replacement.mode !== field.mode) {
      if (field.mode === 'REQUIRED' && replacement.mode === 'NULLABLE') relaxed.push(field.name);
      else
        throw invalid(
          `Provided Schema does not match Table. Field ${field.name} has changed mode from ${field.mode} to ${replacement.mode}`,
        );
    }
  }
  const currentNames = new Set(current.map((f) => f.name.toLowerCase()));
  const added = next.filter((f) => !currentNames.has(f.name.toLowerCase()));
  for (const field of added) {
    if (field.mode === 'REQUIRED') {
      throw invalid(
        `Provided Schema does not match Table. Cannot add required field ${field.name}`,
      );
    }
  }
  return { added, relaxed };
}

/** Partitioning and clustering are metadata here, but they must name real, suitable columns. */
function checkPartitioningAndClustering(table: TableResource, fields: readonly RestField[]): void {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const partitioning = table.timePartitioning as { type?: unknown; field?: unknown } | undefined;
  if (partitioning) {
    if (!['DAY', 'HOUR', 'MONTH', 'YEAR'].includes(String(partitioning.type ?? 'DAY'))) {
      throw invalid(`Invalid time partitioning type ${String(partitioning.type)}`);
    }
    if (partitioning.type === undefined) partitioning.type = 'DAY';
    if (partitioning.field !== undefined) {
      const field = byName.get(String(partitioning.field));
      if (
        !field ||
        !['TIMESTAMP', 'DATE', 'DATETIME'].includes(field.type) ||
        field.mode === 'REPEATED'
      ) {
        throw invalid(
          `The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME. The type found is: ${field?.type ?? 'missing'}.`,
        );
      }
    }
  }
  const clustering = table.clustering as { fields?: unknown } | undefined;
  if (clustering) {
    const names = clustering.fields;
    if (!Array.isArray(names) || names.length === 0 || names.length > 4) {
      throw invalid('Clustering must name between one and four fields');
    }
    for (const name of names) {
      const field = byName.get(String(name));
      if (!field || field.type === 'RECORD' || field.mode === 'REPEATED' || field.type === 'JSON') {
        throw invalid(
          `The field specified for clustering cannot be found in the schema or is not a clusterable type: ${String(name)}`,
        );
      }
    }
  }
}

function copyMutable(from: Record<string, unknown>, to: TableResource): void {
  for (const field of MUTABLE) {
    if (from[field] === null) delete to[field];
    else if (from[field] !== undefined) to[field] = structuredClone(from[field]);
  }
}

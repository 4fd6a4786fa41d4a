import type { Context } from 'koa';
import { duplicate, invalid, notFound } from '../errors.js';
import type { EmulatorState } from '../state.js';
import type { DatasetResource } from '../storage/metadata.js';
import { noteTableRewrite } from '../storage/materialized-views.js';
import { createSchema, dropSchema } from '../storage/rows.js';
import { forgetTable } from './_forget-table.js';
import { checkDatasetId, etag, listPage, param, queryBool, readJsonBody } from './_request.js';

/** Fields a client may set on a dataset (insert, patch, update). */
const MUTABLE = ['friendlyName', 'description', 'labels', 'defaultTableExpirationMs', 'access'];

export function requireDataset(
  state: EmulatorState,
  projectId: string,
  datasetId: string,
): DatasetResource {
  const dataset = state.meta.getDataset(projectId, datasetId);
  if (!dataset) throw notFound(`Dataset ${projectId}:${datasetId}`);
  return dataset;
}

export async function insertDataset(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const body = await readJsonBody(ctx);
  const reference = (body.datasetReference ?? {}) as Record<string, unknown>;
  const datasetId = checkDatasetId(reference.datasetId);
  if (reference.projectId !== undefined && reference.projectId !== projectId) {
    throw invalid(`Dataset project ${String(reference.projectId)} does not match ${projectId}`);
  }
  const now = String(state.now().getTime());
  const dataset: DatasetResource = {
    kind: 'bigquery#dataset',
    id: `${projectId}:${datasetId}`,
    etag: etag(),
    selfLink: `${ctx.origin}/bigquery/v2/projects/${projectId}/datasets/${datasetId}`,
    datasetReference: { projectId, datasetId },
    location: typeof body.location === 'string' ? body.location : state.location,
    creationTime: now,
    lastModifiedTime: now,
    type: 'DEFAULT',
  };
  copyMutable(body, dataset);
  await state.db.transaction(async (connection) => {
    if (state.meta.getDataset(projectId, datasetId)) {
      throw duplicate(`Dataset ${projectId}:${datasetId}`);
    }
    await createSchema(connection, projectId, datasetId);
    await state.meta.putDataset(connection, dataset);
  });
  ctx.body = dataset;
}

export function getDataset(state: EmulatorState, ctx: Context): void {
  ctx.body = requireDataset(state, param(ctx, 'projectId'), param(ctx, 'datasetId'));
}

export function listDatasets(state: EmulatorState, ctx: Context): void {
  const projectId = param(ctx, 'projectId');
  const page = listPage(
    ctx,
    state.meta.listDatasets(projectId),
    (d) => d.datasetReference.datasetId,
  );
  ctx.body = {
    kind: 'bigquery#datasetList',
    etag: etag(),
    datasets: page.items.map((d) => ({
      kind: 'bigquery#dataset',
      id: d.id,
      datasetReference: d.datasetReference,
      location: d.location,
      ...(d.friendlyName !== undefined ? { friendlyName: d.friendlyName } : {}),
      ...(d.labels !== undefined ? { labels: d.labels } : {}),
    })),
    ...page.next,
  };
}

/** PATCH changes only the fields sent; PUT (update) replaces the mutable fields. */
export async function patchDataset(
  state: EmulatorState,
  ctx: Context,
  replace: boolean,
): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const body = await readJsonBody(ctx);
  ctx.body = await state.db.exclusive(async (connection) => {
    const current = requireDataset(state, projectId, datasetId);
    const next: DatasetResource = { ...current, etag: etag() };
    if (replace) for (const field of MUTABLE) delete next[field];
    copyMutable(body, next);
    next.lastModifiedTime = String(state.now().getTime());
    await state.meta.putDataset(connection, next);
    return next;
  });
}

export async function deleteDataset(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const deleteContents = queryBool(ctx, 'deleteContents') ?? false;
  await state.db.transaction(async (connection) => {
    requireDataset(state, projectId, datasetId);
    const tables = state.meta.listTables(projectId, datasetId);
    if (tables.length > 0 && !deleteContents) {
      throw invalid(`Dataset ${projectId}:${datasetId} is still in use`);
    }
    for (const table of tables) {
      await forgetTable(state, connection, projectId, datasetId, table.tableReference.tableId);
    }
    await dropSchema(connection, projectId, datasetId);
    await noteTableRewrite(state, connection);
    await state.meta.deleteDataset(connection, projectId, datasetId);
  });
  ctx.status = 204;
}

function copyMutable(from: Record<string, unknown>, to: DatasetResource): void {
  for (const field of MUTABLE) {
    if (from[field] === null) delete to[field];
    else if (from[field] !== undefined) to[field] = from[field];
  }
}

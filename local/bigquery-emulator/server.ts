import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { errorHandler } from './errors.js';
import * as datasets from './handlers/datasets.js';
import * as jobs from './handlers/jobs.js';
import * as tabledata from './handlers/tabledata.js';
import * as tables from './handlers/tables.js';
import type { EmulatorState } from './state.js';

type Handler = (state: EmulatorState, ctx: Context) => unknown;

/**
 * The BigQuery v2 REST routes. The official client sends requests to BIGQUERY_EMULATOR_HOST
 * followed directly by `/projects/...` (no `/bigquery/v2`), while `apiEndpoint` users and the
 * documented paths carry the prefix, so every route is served under both.
 */
export function createApp(state: EmulatorState): Koa {
  const app = new Koa();
  const router = new Router();
  const on = (
    method: 'get' | 'post' | 'patch' | 'put' | 'delete',
    path: string,
    handler: Handler,
  ): void => {
    for (const prefix of ['', '/bigquery/v2']) {
      router[method](`${prefix}${path}`, async (ctx) => {
        await handler(state, ctx);
      });
    }
  };
  const dataset = '/projects/:projectId/datasets/:datasetId';
  const table = `${dataset}/tables/:tableId`;

  on('get', '/projects/:projectId/datasets', datasets.listDatasets);
  on('post', '/projects/:projectId/datasets', datasets.insertDataset);
  on('get', dataset, datasets.getDataset);
  on('patch', dataset, (s, ctx) => datasets.patchDataset(s, ctx, false));
  on('put', dataset, (s, ctx) => datasets.patchDataset(s, ctx, true));
  on('delete', dataset, datasets.deleteDataset);

  on('get', `${dataset}/tables`, tables.listTables);
  on('post', `${dataset}/tables`, tables.insertTable);
  on('get', table, tables.getTable);
  on('patch', table, (s, ctx) => tables.patchTable(s, ctx, false));
  on('put', table, (s, ctx) => tables.patchTable(s, ctx, true));
  on('delete', table, tables.deleteTable);

  on('post', `${table}/insertAll`, tabledata.insertAll);
  on('get', `${table}/data`, tabledata.listTableData);

  on('post', '/projects/:projectId/jobs', jobs.insertJob);
  on('get', '/projects/:projectId/jobs', jobs.listJobs);
  on('get', '/projects/:projectId/jobs/:jobId', jobs.getJob);
  on('post', '/projects/:projectId/jobs/:jobId/cancel', jobs.cancelJob);
  on('post', '/projects/:projectId/queries', jobs.query);
  on('get', '/projects/:projectId/queries/:jobId', jobs.getQueryResults);

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  app.use(errorHandler(state.log));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

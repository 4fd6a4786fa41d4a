import { BigQuery } from '@google-cloud/bigquery';
import type Koa from 'koa';
import type { Lifecycle } from './health.js';
import { createLogger, type Logger } from '../../runtime/logger.js';
import { settingsOrExit } from '../../runtime/config.js';
import type { PushAuthOptions } from './push-auth.js';
import { serveMain, type RunningServer } from './serve.js';
import { parseTableRef } from './table-ref.js';
import type { TableRef } from './warehouse-insert.js';
import { loadWriterSettings, type WriterSettings } from './writer-config.js';

/** What `main.ts` of a push writer hands to its `createApp`. */
export interface WriterWiring {
  readonly settings: WriterSettings;
  readonly bigquery: BigQuery;
  readonly table: TableRef;
  readonly dlqTable: TableRef;
  readonly auth: PushAuthOptions;
  readonly log: Logger;
  readonly lifecycle: Lifecycle;
}

/**
 * Start-up shared by the writers: validate the environment (fail fast, naming the variable), build
 * the BigQuery client (BIGQUERY_EMULATOR_HOST points it at the emulator), listen on HOST:PORT.
 */
export async function startWriter(
  name: string,
  defaults: { BQ_DATASET: string; BQ_TABLE: string },
  build: (wiring: WriterWiring) => Koa,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningServer> {
  const log = createLogger({ name });
  const settings = settingsOrExit(log, () => loadWriterSettings(env, defaults));
  const bigquery = new BigQuery(settings.PROJECT_ID ? { projectId: settings.PROJECT_ID } : {});
  const lifecycle: Lifecycle = { draining: false };
  const app = build({
    settings,
    bigquery,
    table: { datasetId: settings.BQ_DATASET, tableId: settings.BQ_TABLE },
    dlqTable: parseTableRef(settings.WRITER_DLQ_TABLE),
    auth: { audience: settings.PUSH_AUDIENCE, jwksUrl: settings.PUSH_JWKS_URL },
    log,
    lifecycle,
  });
  log.info(
    {
      table: `${settings.BQ_DATASET}.${settings.BQ_TABLE}`,
      dlqTable: settings.WRITER_DLQ_TABLE,
      pushAuth: settings.PUSH_AUDIENCE ? 'on' : 'off',
    },
    'starting',
  );
  return serveMain(app, settings, { log, lifecycle });
}

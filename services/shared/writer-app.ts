import type { BigQuery } from '@google-cloud/bigquery';
import type Koa from 'koa';
import type { Logger } from '../../runtime/logger.js';
import { createBaseApp } from './app-base.js';
import type { Lifecycle } from './health.js';
import type { PushAuthOptions } from './push-auth.js';
import { pushWriterRoutes, type PushWriterOptions } from './push-writer.js';
import type { TableRef } from './warehouse-insert.js';

/** What every push writer's `createApp` is built from (tests inject stand-ins). */
export interface PushWriterDeps {
  readonly bigquery: BigQuery;
  readonly table: TableRef;
  readonly dlqTable: TableRef;
  readonly log: Logger;
  readonly auth?: PushAuthOptions;
  readonly lifecycle?: Lifecycle;
  readonly now?: () => Date;
  readonly insertTimeoutMs?: number;
}

/** What makes one writer differ from another: its name, its rows and an optional drill. */
export type WriterRules<R extends object> = Pick<
  PushWriterOptions<R>,
  'writer' | 'toRows' | 'inspect'
>;

/** A push writer's app: the base app (request ids, errors, `/healthz`) plus `POST /pubsub`. */
export function createWriterApp<R extends object>(
  deps: PushWriterDeps,
  rules: WriterRules<R>,
): Koa {
  const app = createBaseApp(deps.log, deps.lifecycle ?? { draining: false });
  // The routes read only their own options: log, lifecycle and a writer's extras go unused.
  const routes = pushWriterRoutes({ ...deps, ...rules });
  app.use(routes.routes()).use(routes.allowedMethods());
  return app;
}

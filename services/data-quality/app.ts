import type { BigQuery } from '@google-cloud/bigquery';
import Router from '@koa/router';
import type Koa from 'koa';
import { createBaseApp } from '../shared/app-base.js';
import type { Lifecycle } from '../shared/health.js';
import type { Logger } from '../../runtime/logger.js';
import { pushAuth, type PushAuthOptions } from '../shared/push-auth.js';
import type { RequestState } from '../shared/request-context.js';
import type { Assertion } from './assertions.js';
import { recordRun } from './results-table.js';
import { failedErrors, runAssertions } from './run-assertions.js';

/** Cloud Scheduler sends an empty body: anything larger is refused before it is read. */
export const REQUEST_BODY_LIMIT_BYTES = 1024;

export interface DataQualityDeps {
  readonly bigquery: BigQuery;
  readonly assertions: readonly Assertion[];
  /** How far back each run looks. */
  readonly windowMs: number;
  /** OIDC check on `/run` (the scheduler's token); no audience means none. */
  readonly auth?: PushAuthOptions;
  readonly log: Logger;
  readonly lifecycle?: Lifecycle;
  readonly now?: () => Date;
}

const bodyLimit: Koa.Middleware = async (ctx, next) => {
  const length = ctx.request.length;
  if (
    (length !== undefined && length > REQUEST_BODY_LIMIT_BYTES) ||
    /chunked/i.test(ctx.get('Transfer-Encoding'))
  ) {
    ctx.throw(413, `request body exceeds ${REQUEST_BODY_LIMIT_BYTES} bytes`);
  }
  await next();
};

/**
 * `POST /run`: every assertion over the last window, recorded in pmp_ops.data_quality_results.
 * 200 when no `error` assertion failed, 500 otherwise (the scheduler's job shows it failed); the
 * body lists each result either way. Warnings are logged at WARNING, failures at ERROR.
 */
export function createApp(deps: DataQualityDeps): Koa {
  const app = createBaseApp(deps.log, deps.lifecycle ?? { draining: false });
  const now = deps.now ?? (() => new Date());
  const router = new Router();
  router.post('/run', bodyLimit, pushAuth(deps.auth ?? {}), async (ctx) => {
    const log = (ctx.state as RequestState).log;
    const at = now();
    const run = await runAssertions({
      bigquery: deps.bigquery,
      assertions: deps.assertions,
      now: at,
      since: new Date(at.getTime() - deps.windowMs),
    });
    const recorded = await recordRun(deps.bigquery, run, 'scheduler');
    for (const r of run.results.filter((x) => x.status === 'failed')) {
      const line = {
        assertion: r.name,
        failingRows: r.failingRows,
        sample: r.sample.slice(0, 1),
        reason: r.errorMessage,
      };
      if (r.severity === 'error') log.error(line, 'assertion failed');
      else log.warn(line, 'assertion warned');
    }
    const errors = failedErrors(run).length;
    log.info({ runId: run.runId, recorded, errors }, 'data-quality run finished');
    ctx.status = errors > 0 ? 500 : 200;
    ctx.body = {
      runId: run.runId,
      since: run.since.toISOString(),
      errors,
      results: run.results.map((r) => ({
        name: r.name,
        severity: r.severity,
        status: r.status,
        failingRows: r.failingRows,
      })),
    };
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

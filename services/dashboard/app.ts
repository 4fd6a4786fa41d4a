import type { BigQuery } from '@google-cloud/bigquery';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { createBaseApp } from '../shared/app-base.js';
import type { Lifecycle } from '../shared/health.js';
import type { Logger } from '../../runtime/logger.js';
import { apiRoutes } from './api.js';
import { MartsReader } from './marts-reader.js';
import { staticRoutes } from './static-assets.js';

export interface DashboardDeps {
  readonly bigquery: BigQuery;
  readonly log: Logger;
  /** @default 'pmp_marts' */
  readonly martsDataset?: string;
  /** How long mart results are reused. @default 15000 */
  readonly cacheMs?: number;
  readonly lifecycle?: Lifecycle;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The dashboard only answers GETs: any request body over this is refused before it is read. */
export const REQUEST_BODY_LIMIT_BYTES = 1024;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

function bodyLimit(limit: number): Middleware {
  return async (ctx, next) => {
    const length = ctx.request.length;
    const chunked = /chunked/i.test(ctx.get('Transfer-Encoding'));
    if ((length !== undefined && length > limit) || chunked) {
      ctx.throw(413, `request body exceeds ${limit} bytes`);
    }
    await next();
  };
}

const securityHeaders: Middleware = async (ctx, next) => {
  await next();
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
};

/** The dashboard: the page and its assets, `/api/*` over the marts, `/healthz`. */
export function createDashboardApp(deps: DashboardDeps): Koa {
  const app = createBaseApp(deps.log, deps.lifecycle ?? { draining: false });
  const marts = new MartsReader({
    bigquery: deps.bigquery,
    martsDataset: deps.martsDataset ?? 'pmp_marts',
    cacheMs: deps.cacheMs,
    now: deps.now ? () => deps.now!().getTime() : undefined,
  });
  const api = apiRoutes(marts, deps.now);
  const assets = staticRoutes();
  app.use(bodyLimit(REQUEST_BODY_LIMIT_BYTES));
  app.use(securityHeaders);
  app.use(api.routes()).use(api.allowedMethods());
  app.use(assets.routes()).use(assets.allowedMethods());
  return app;
}

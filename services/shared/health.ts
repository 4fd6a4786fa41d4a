import Router from '@koa/router';

/** Readiness that flips to "draining" on SIGTERM, so a load balancer stops sending new work. */
export interface Lifecycle {
  draining: boolean;
}

/** `GET /healthz`: 200 while serving, 503 once shutdown has begun. */
export function healthRoutes(lifecycle: Lifecycle): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.status = lifecycle.draining ? 503 : 200;
    ctx.body = { status: lifecycle.draining ? 'draining' : 'ok' };
  });
  return router;
}

import Koa from 'koa';
import { errorHandler } from './error-handler.js';
import { healthRoutes, type Lifecycle } from './health.js';
import type { Logger } from '../../runtime/logger.js';
import { requestContext } from './request-context.js';

/**
 * The Koa app every service starts from: request id and access log, JSON errors, `/healthz`.
 * Order matters (asserted in tests): the request context wraps the error handler so a failed
 * request is still logged with its id and final status.
 */
export function createBaseApp(log: Logger, lifecycle: Lifecycle): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged by requestContext/errorHandler, with the request id
  app.use(requestContext(log));
  app.use(errorHandler());
  const health = healthRoutes(lifecycle);
  app.use(health.routes()).use(health.allowedMethods());
  return app;
}

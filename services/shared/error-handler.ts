import type { Middleware } from 'koa';
import type { RequestState } from './request-context.js';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * Turns thrown errors into JSON answers. 4xx messages are the caller's business and are shown;
 * 5xx details stay in the logs (Koa's convention: `expose` is false for server errors).
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = (caught ?? {}) as HttpLikeError;
      const status = error.status ?? error.statusCode ?? 500;
      const valid = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
      const expose = error.expose ?? valid < 500;
      ctx.status = valid;
      if (error.headers) ctx.set(error.headers);
      ctx.body = { error: expose ? (error.message ?? 'error') : 'internal error' };
      const log = (ctx.state as Partial<RequestState>).log;
      if (valid >= 500) log?.error({ err: caught }, 'unhandled error');
      else log?.warn({ reason: error.message }, 'client error');
    }
  };
}

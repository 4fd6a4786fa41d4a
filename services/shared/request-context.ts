import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../runtime/logger.js';

/** What every request carries in `ctx.state` once `requestContext` has run. */
export interface RequestState {
  requestId: string;
  log: Logger;
}

const SAFE_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/**
 * The request id: a caller's `X-Request-Id`, else Cloud Run's trace id (so our lines join the
 * request log in Cloud Logging), else a fresh UUID. Untrusted input, so it is validated first.
 */
export function requestIdOf(headers: Record<string, string | string[] | undefined>): string {
  const explicit = headers['x-request-id'];
  if (typeof explicit === 'string' && SAFE_ID.test(explicit)) return explicit;
  const trace = headers['x-cloud-trace-context'];
  const traceId = typeof trace === 'string' ? trace.split('/')[0] : undefined;
  if (traceId && SAFE_ID.test(traceId)) return traceId;
  return randomUUID();
}

/**
 * First middleware of every service: gives the request an id (echoed as `X-Request-Id`) and a child
 * logger carrying it, and writes one access line per request with status and duration.
 */
export function requestContext(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = requestIdOf(ctx.headers);
    const state = ctx.state as RequestState;
    state.requestId = requestId;
    state.log = log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const status = ctx.status;
      const line = {
        method: ctx.method,
        path: ctx.path,
        status,
        durationMs: Math.round(performance.now() - started),
      };
      if (status >= 500) state.log.error(line, 'request failed');
      else if (status >= 400) state.log.warn(line, 'request rejected');
      else state.log.info(line, 'request served');
    }
  };
}

import { status } from '@grpc/grpc-js';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { toProto3JSON } from 'proto3-json-serializer';
import { ApiError } from '../errors.js';
import { loadPubSubRoot } from '../proto.js';

/** google.rpc.Code → HTTP status, the mapping Google's REST front end uses (google/rpc/code.proto). */
const HTTP_STATUS: Record<status, number> = {
  [status.OK]: 200,
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 500,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 500,
  [status.UNAVAILABLE]: 503,
  [status.DATA_LOSS]: 500,
  [status.UNAUTHENTICATED]: 401,
};

/** A failure of the HTTP layer itself (no route, wrong verb, body too large): its own HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: status,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface RestErrorBody {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly status: string;
    readonly details?: unknown[];
  };
}

/** `google.rpc.Status` details (exactly-once ErrorInfo) as the JSON `details` array. */
function detailsJson(statusDetailsBin: Buffer | undefined): unknown[] | undefined {
  if (!statusDetailsBin) return undefined;
  const Status = loadPubSubRoot().lookupType('google.rpc.Status');
  const json = toProto3JSON(Status.decode(statusDetailsBin)) as { details?: unknown[] } | null;
  return json?.details;
}

function body(
  httpStatus: number,
  code: status,
  message: string,
  details?: unknown[],
): RestErrorBody {
  return {
    error: {
      code: httpStatus,
      message,
      status: status[code],
      ...(details && details.length > 0 ? { details } : {}),
    },
  };
}

/** raw-body's own errors carry an HTTP status (413 too large, 400 aborted, 415 bad charset). */
function isBodyReadError(error: unknown): error is Error & { status: number; type: string } {
  return (
    error instanceof Error &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

/**
 * Renders every failure in Google's REST error shape `{error: {code, message, status, details?}}`:
 * handler errors keep the code the gRPC surface gives them (errors.ts), mapped to its HTTP status.
 */
export function restErrors(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      let httpStatus: number;
      let rendered: RestErrorBody;
      if (error instanceof HttpError) {
        httpStatus = error.httpStatus;
        rendered = body(httpStatus, error.code, error.message);
        ctx.set(error.headers);
      } else if (error instanceof ApiError) {
        httpStatus = HTTP_STATUS[error.code] ?? 500;
        rendered = body(
          httpStatus,
          error.code,
          error.message,
          detailsJson(error.details?.statusDetailsBin),
        );
      } else if (isBodyReadError(error) && error.status < 500) {
        httpStatus = error.status;
        rendered = body(httpStatus, status.INVALID_ARGUMENT, error.message);
      } else {
        log.error({ err: error, method: ctx.method, path: ctx.path }, 'REST request failed');
        httpStatus = 500;
        rendered = body(500, status.INTERNAL, 'Internal error.');
      }
      ctx.status = httpStatus;
      ctx.body = rendered;
    }
  };
}

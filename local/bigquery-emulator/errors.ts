import type { Middleware } from 'koa';
import type { Logger } from '../../runtime/logger.js';

/** The `reason` values BigQuery puts in `error.errors[].reason` that our emulator produces. */
export type ErrorReason =
  'notFound' | 'duplicate' | 'invalid' | 'invalidQuery' | 'badRequest' | 'internalError';

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  500: 'INTERNAL',
};

/**
 * An error the API returns to the client, rendered in Google's JSON error shape
 * (`{error: {code, message, errors: [{message, domain, reason, location?}], status}}`), which the
 * official client turns into an `ApiError` with `code`, `errors` and `message`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: ErrorReason;
  readonly location: string | undefined;

  constructor(status: number, reason: ErrorReason, message: string, location?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.location = location;
  }

  toJSON(): unknown {
    const detail: Record<string, string> = {
      message: this.message,
      domain: 'global',
      reason: this.reason,
    };
    if (this.location !== undefined) {
      detail.location = this.location;
      detail.locationType = 'other';
    }
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [detail],
        status: STATUS_TEXT[this.status] ?? 'UNKNOWN',
      },
    };
  }
}

export const notFound = (what: string): ApiError =>
  new ApiError(404, 'notFound', `Not found: ${what}`);
export const duplicate = (what: string): ApiError =>
  new ApiError(409, 'duplicate', `Already Exists: ${what}`);
export const invalid = (message: string, location?: string): ApiError =>
  new ApiError(400, 'invalid', message, location);
export const invalidQuery = (message: string, location?: string): ApiError =>
  new ApiError(400, 'invalidQuery', message, location);

/** Renders every failure as a Google JSON error; unexpected ones are logged and hidden as 500. */
export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'notFound', `Not found: URL ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : isKoaHttpError(error)
            ? new ApiError(
                error.status,
                error.status === 404 ? 'notFound' : 'badRequest',
                error.message,
              )
            : undefined;
      if (apiError) {
        ctx.status = apiError.status;
        ctx.body = apiError.toJSON();
        return;
      }
      log.error({ err: error, path: ctx.path, method: ctx.method }, 'request failed');
      const internal = new ApiError(500, 'internalError', 'Internal error in the emulator');
      ctx.status = 500;
      ctx.body = internal.toJSON();
    }
  };
}

function isKoaHttpError(error: unknown): error is { status: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    typeof (error as { status: unknown }).status === 'number' &&
    (error as { status: number }).status < 500 &&
    (error as { expose?: unknown }).expose === true
  );
}

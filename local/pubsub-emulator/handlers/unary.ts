import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ApiError, toServiceError } from '../errors.js';

/** Wraps a handler so anything it throws (sync or async) becomes a gRPC status, never a crash. */
export function unary<Req, Res>(
  log: Logger,
  method: string,
  handle: (request: Req) => Res | Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request ?? ({} as Req)))
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          const { code, details } = toServiceError(error);
          if (!(error instanceof ApiError)) log.error({ err: error, method }, 'handler failed');
          const metadata = new Metadata();
          if (error instanceof ApiError && error.details?.statusDetailsBin) {
            metadata.set('grpc-status-details-bin', error.details.statusDetailsBin);
          }
          callback({ code, details, metadata });
        },
      );
  };
}

/** Page through a sorted list with an offset token, as the List calls do. */
export function paginate<T>(
  items: readonly T[],
  pageSize: number | undefined,
  pageToken: string | undefined,
): { page: T[]; nextPageToken: string } {
  const start = pageToken ? Number(pageToken) || 0 : 0;
  const size = pageSize && pageSize > 0 ? pageSize : 1000;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? String(start + size) : '';
  return { page, nextPageToken: next };
}

import { EventEmitter } from 'node:events';
import {
  Metadata,
  status,
  type handleUnaryCall,
  type MethodDefinition,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import { ApiError } from '../errors.js';

/**
 * Runs one gRPC unary handler on request bytes and resolves with the response bytes, through the
 * method's own deserializer and serializer: exactly what a gRPC call to it does, minus HTTP/2. A
 * failure rejects as ApiError with the handler's code, message and binary status details.
 */
export function invokeUnary(
  method: MethodDefinition<unknown, unknown>,
  handler: UntypedHandleCall,
  requestBytes: Buffer,
): Promise<Buffer> {
  const request = method.requestDeserialize(requestBytes);
  // The handlers (handlers/unary.ts) read only `call.request`; the rest of the call is inert.
  const call = Object.assign(new EventEmitter(), {
    request,
    metadata: new Metadata(),
    cancelled: false,
    getPeer: () => 'rest',
    getPath: () => method.path,
  }) as unknown as ServerUnaryCall<unknown, unknown>;
  return new Promise((resolve, reject) => {
    (handler as handleUnaryCall<unknown, unknown>)(call, (error, value) => {
      if (error) return reject(toApiError(error));
      resolve(method.responseSerialize(value));
    });
  });
}

function toApiError(error: Partial<ServerErrorResponse>): ApiError {
  const detailsBin = error.metadata?.get('grpc-status-details-bin')[0];
  return new ApiError(
    error.code ?? status.INTERNAL,
    error.details ?? error.message ?? 'Internal error',
    {
      statusDetailsBin: Buffer.isBuffer(detailsBin) ? detailsBin : undefined,
    },
  );
}

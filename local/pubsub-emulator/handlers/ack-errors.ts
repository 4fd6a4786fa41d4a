import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { status } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { ApiError } from '../errors.js';

const require = createRequire(import.meta.url);

let types: { Status: protobuf.Type; ErrorInfo: protobuf.Type } | undefined;

function rpcTypes(): { Status: protobuf.Type; ErrorInfo: protobuf.Type } {
  if (types) return types;
  const clientRequire = createRequire(require.resolve('@google-cloud/pubsub'));
  const protos = join(dirname(clientRequire.resolve('google-gax')), '..', 'protos');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protos, target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: false });
  types = {
    Status: root.lookupType('google.rpc.Status'),
    ErrorInfo: root.lookupType('google.rpc.ErrorInfo'),
  };
  return types;
}

/**
 * Exactly-once acks and modacks that name no live lease fail the way the real service reports it: an
 * INVALID_ARGUMENT status whose `google.rpc.ErrorInfo` maps each bad ack id to
 * PERMANENT_FAILURE_INVALID_ACK_ID. The client reads that map to settle each ack's promise.
 */
export function invalidAckIdsError(invalid: readonly string[]): ApiError {
  const { Status, ErrorInfo } = rpcTypes();
  const message = 'Some acknowledgement ids in the request were invalid.';
  const metadata: Record<string, string> = {};
  for (const ackId of invalid) metadata[ackId] = 'PERMANENT_FAILURE_INVALID_ACK_ID';
  const info = ErrorInfo.encode(
    ErrorInfo.fromObject({
      reason: 'EXACTLY_ONCE_ACKID_FAILURE',
      domain: 'pubsub.googleapis.com',
      metadata,
    }),
  ).finish();
  const bin = Status.encode(
    Status.fromObject({
      code: status.INVALID_ARGUMENT,
      message,
      // protobufjs's built-in Any keeps the proto field name (type_url) whatever keepCase says.
      details: [{ type_url: 'type.googleapis.com/google.rpc.ErrorInfo', value: info }],
    }),
  ).finish();
  return new ApiError(status.INVALID_ARGUMENT, message, { statusDetailsBin: Buffer.from(bin) });
}

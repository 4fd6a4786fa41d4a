import { status } from '@grpc/grpc-js';
import { LIMITS } from './limits.js';

/** A gRPC failure with the code and wording the real Pub/Sub service uses. */
export class ApiError extends Error {
  constructor(
    readonly code: status,
    message: string,
    /** Extra trailers (e.g. `grpc-status-details-bin` for exactly-once ack failures). */
    readonly details?: { readonly statusDetailsBin?: Buffer },
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const NAMES_HELP =
  'Refer to https://cloud.google.com/pubsub/docs/pubsub-basics#resource_names for more information.';
const QUOTAS_HELP = 'Refer to https://cloud.google.com/pubsub/quotas for more information.';

/** The last path segment: the real service names resources by id in NOT_FOUND/ALREADY_EXISTS. */
function idOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export const errors = {
  notFound: (name: string) =>
    new ApiError(status.NOT_FOUND, `Resource not found (resource=${idOf(name)}).`),
  alreadyExists: (name: string) =>
    new ApiError(
      status.ALREADY_EXISTS,
      `Resource already exists in the project (resource=${idOf(name)}).`,
    ),
  invalidName: (field: string, value: string) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `Invalid resource name given (${field}=${value}). ${NAMES_HELP}`,
    ),
  invalid: (message: string) => new ApiError(status.INVALID_ARGUMENT, message),
  failedPrecondition: (message: string) => new ApiError(status.FAILED_PRECONDITION, message),
  unimplemented: (method: string) =>
    new ApiError(status.UNIMPLEMENTED, `${method} is not supported by this emulator.`),
  requestTooLarge: (limit: number) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `Request payload size exceeds the limit: ${limit} bytes.`,
    ),
  emptyMessage: () =>
    new ApiError(
      status.INVALID_ARGUMENT,
      'One or more messages in the publish request is empty. Each message must contain either non-empty data, or at least one attribute.',
    ),
  attributeKeyTooLong: (key: string, length: number, max: number) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `The attribute "${key}" in the request has a key that is too long. The length is ${length} characters, but the maximum allowed is ${max}. ${QUOTAS_HELP}`,
    ),
  attributeValueTooLong: (key: string, length: number, max: number) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `The attribute "${key}" in the request has a value that is too long. The length is ${length} characters, but the maximum allowed is ${max}. ${QUOTAS_HELP}`,
    ),
  tooManyAttributes: (count: number, max: number) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `The message has too many attributes (${count}), but the maximum allowed is ${max}. ${QUOTAS_HELP}`,
    ),
  ackDeadline: (given: number) =>
    new ApiError(
      status.INVALID_ARGUMENT,
      `Invalid ack deadline given (ack_deadline=${given}). The ack deadline must be between ${LIMITS.minModifyAckDeadlineSeconds} and ${LIMITS.maxAckDeadlineSeconds} seconds.`,
    ),
};

/** Turns anything thrown in a handler into a gRPC status; unknown errors become INTERNAL, never a crash. */
export function toServiceError(error: unknown): { code: status; details: string } {
  if (error instanceof ApiError) return { code: error.code, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: status.INTERNAL, details: `Internal error: ${message}` };
}

import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ApiError, toServiceError } from '../errors.js';
import { parseProject } from '../names.js';
import type { Broker } from '../storage/broker.js';

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

/** A unary RPC written as a module function of the broker and the decoded request. */
export type BrokerHandler<Req, Res> = (broker: Broker, request: Req) => Res | Promise<Res>;

/** `unary` over one broker, logging with the broker's logger: `rpc('GetTopic', getTopic)`. */
export function unaryOver(broker: Broker) {
  return <Req, Res>(method: string, handle: BrokerHandler<Req, Res>) =>
    unary(broker.log, method, (request: Req) => handle(broker, request));
}

/** Page through a sorted list with an offset token, as the List calls do. */
function paginate<T>(
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

/** ListTopics, ListSubscriptions and ListSnapshots name a project and page through its resources. */
export interface ProjectListRequest {
  project?: string;
  pageSize?: number;
  pageToken?: string;
}

/**
 * Code-unit order of the full names (`Array.prototype.sort`'s default), for every List call: the
 * API promises no order, and unlike `localeCompare` this one does not hang on the host's locale
 * (`B` before `a`, `-` before `_`), so paging through a list is predictable everywhere.
 */
function byName(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** A page of `names`, sorted with `byName`, as ListTopicSubscriptions and ListTopicSnapshots answer. */
export function namePage(
  names: Iterable<string>,
  request: { pageSize?: number; pageToken?: string },
): { page: string[]; nextPageToken: string } {
  return paginate([...names].sort(byName), request.pageSize, request.pageToken);
}

/** The request's page of the project's resources, sorted by name with `byName`. */
export function projectPage<T extends { name: string }>(
  items: Iterable<T>,
  request: ProjectListRequest,
): { page: T[]; nextPageToken: string } {
  const prefix = `projects/${parseProject(request.project)}/`;
  const inProject = [...items]
    .filter((item) => item.name.startsWith(prefix))
    .sort((a, b) => byName(a.name, b.name));
  return paginate(inProject, request.pageSize, request.pageToken);
}

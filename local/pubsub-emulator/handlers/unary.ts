import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ApiError, errors, toServiceError } from '../errors.js';
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

/** Items a List page holds when the request names no page size. */
const DEFAULT_PAGE_SIZE = 1000;

/**
 * A page token names the last item of the page before (base64url), not an offset: a resource
 * created or deleted between two calls then neither repeats nor skips one that was there all along,
 * and a token the emulator never gave is refused instead of starting again at the top.
 */
const pageTokenAfter = (name: string) => Buffer.from(name, 'utf8').toString('base64url');

function nameBefore(pageToken: string): string {
  const name = Buffer.from(pageToken, 'base64url').toString('utf8');
  if (!name.startsWith('projects/') || pageTokenAfter(name) !== pageToken) {
    throw errors.invalid(`Invalid page token (pageToken=${pageToken}).`);
  }
  return name;
}

/** The page of `sorted` (by `byName` of `nameOf`) that follows the request's token. */
function paginate<T>(
  sorted: readonly T[],
  nameOf: (item: T) => string,
  request: { pageSize?: number; pageToken?: string },
): { page: T[]; nextPageToken: string } {
  const after = request.pageToken ? nameBefore(request.pageToken) : null;
  const start = after === null ? 0 : sorted.findIndex((item) => byName(nameOf(item), after) > 0);
  const from = start === -1 ? sorted.length : start;
  const size = request.pageSize && request.pageSize > 0 ? request.pageSize : DEFAULT_PAGE_SIZE;
  const page = sorted.slice(from, from + size);
  const more = from + size < sorted.length;
  return { page, nextPageToken: more ? pageTokenAfter(nameOf(page[page.length - 1]!)) : '' };
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
  return paginate([...names].sort(byName), (name) => name, request);
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
  return paginate(inProject, (item) => item.name, request);
}

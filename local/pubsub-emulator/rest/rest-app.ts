import { status } from '@grpc/grpc-js';
import Koa from 'koa';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import { loadPubSubRoot } from '../proto.js';
import type { PubSubServiceSet } from '../server.js';
import { matchRoute, restRoutes } from './http-rules.js';
import { invokeUnary } from './invoke-unary.js';
import { readJsonBody } from './json-body.js';
import { HttpError, restErrors } from './rest-errors.js';
import { decodeGrpcResponse, encodeRestRequest, wantsNumericEnums } from './transcode.js';

/**
 * Pub/Sub's REST (JSON over HTTP/1.1) v1 surface, as Java's PubsubJsonClient and google-gax's
 * `fallback: 'rest'` speak it. Each request is transcoded to the gRPC request and served by the same
 * handler gRPC uses (`services`), so both surfaces share one set of rules and one broker.
 */
export function createRestApp(deps: { services: PubSubServiceSet; log: Logger }): Koa {
  const routes = restRoutes(loadPubSubRoot());
  const app = new Koa();
  app.use(restErrors(deps.log));
  app.use(async (ctx) => {
    let match;
    try {
      match = matchRoute(routes, ctx.method, ctx.path);
    } catch {
      throw errors.invalid(`Invalid percent-encoding in the path ${ctx.path}.`);
    }
    if (!match) {
      throw new HttpError(
        404,
        status.NOT_FOUND,
        `No Pub/Sub REST method at ${ctx.method} ${ctx.path}.`,
      );
    }
    if ('allowed' in match) {
      throw new HttpError(
        405,
        status.UNIMPLEMENTED,
        `${ctx.method} is not allowed on ${ctx.path}.`,
        {
          allow: match.allowed.join(', '),
        },
      );
    }
    const { route, pathValues } = match;
    const body = route.body === '' ? undefined : await readJsonBody(ctx);
    const query = new URLSearchParams(ctx.querystring);
    const requestBytes = encodeRestRequest(route, { pathValues, query, body });
    const { definition, implementation } = deps.services[route.service];
    const responseBytes = await invokeUnary(
      definition[route.rpc]!,
      implementation[route.rpc]!,
      requestBytes,
    );
    ctx.body = decodeGrpcResponse(route, responseBytes, { numericEnums: wantsNumericEnums(query) });
  });
  return app;
}

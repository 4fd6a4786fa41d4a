import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { OidcSigner } from '../delivery/oidc-signer.js';
import type { Broker } from '../storage/broker.js';
import { collectStatus, renderStatusHtml } from './status.js';

const MAX_TOKEN_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_TOKEN_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The admin HTTP port: status page (`/`, `/status.json`), the JWKS that verifies push and scheduler
 * tokens (`/jwks`, `/.well-known/jwks.json`), and `POST /token` {audience, email} → {token} for local
 * callers that need a token from the same key.
 */
export function createAdminServer(deps: {
  broker: Broker;
  signer: OidcSigner;
  log: Logger;
}): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = `${req.method} ${path}`;
    (async () => {
      switch (route) {
        case 'GET /':
          return send(
            res,
            200,
            'text/html; charset=utf-8',
            renderStatusHtml(collectStatus(deps.broker)),
          );
        case 'GET /status.json':
          return send(res, 200, 'application/json', JSON.stringify(collectStatus(deps.broker)));
        case 'GET /jwks':
        case 'GET /.well-known/jwks.json':
          return send(res, 200, 'application/json', JSON.stringify(deps.signer.jwks()));
        case 'GET /healthz':
          return send(res, 200, 'text/plain', 'ok');
        case 'POST /token': {
          let body: { audience?: unknown; email?: unknown };
          try {
            body = JSON.parse(await readBody(req)) as typeof body;
          } catch {
            return send(
              res,
              400,
              'application/json',
              JSON.stringify({ error: 'body must be JSON' }),
            );
          }
          if (
            typeof body.audience !== 'string' ||
            body.audience === '' ||
            typeof body.email !== 'string' ||
            body.email === ''
          ) {
            return send(
              res,
              400,
              'application/json',
              JSON.stringify({ error: 'audience and email are required strings' }),
            );
          }
          const token = await deps.signer.mint({ audience: body.audience, email: body.email });
          return send(res, 200, 'application/json', JSON.stringify({ token }));
        }
        default:
          return send(res, 404, 'text/plain', 'not found');
      }
    })().catch((error: unknown) => {
      deps.log.error({ err: error, route }, 'admin request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
    });
  });
}

// Helpers for the services' tests: real HTTP servers on ephemeral loopback ports, push bodies as
// Pub/Sub sends them, and an OIDC key set served over HTTP. Not imported by production code.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface Listening {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves a request listener (e.g. `app.callback()`) on 127.0.0.1 and an ephemeral port. */
export async function listen(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

let counter = 0;

/** A push request body with `data` base64-encoded from text (or given raw with `dataBase64`). */
export function pushBody(options: {
  text?: string;
  dataBase64?: string;
  attributes?: Record<string, string>;
  messageId?: string;
  publishTime?: string;
  subscription?: string;
  deliveryAttempt?: number;
}): string {
  counter += 1;
  return JSON.stringify({
    message: {
      data: options.dataBase64 ?? Buffer.from(options.text ?? '', 'utf8').toString('base64'),
      attributes: options.attributes ?? {},
      messageId: options.messageId ?? `test-${process.pid}-${counter}`,
      publishTime: options.publishTime ?? '2026-01-01T00:00:00.123Z',
    },
    subscription: options.subscription ?? 'projects/test/subscriptions/test-sub',
    ...(options.deliveryAttempt !== undefined ? { deliveryAttempt: options.deliveryAttempt } : {}),
  });
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json, headers: response.headers };
}

/** An OIDC issuer of our own: a JWKS served over HTTP and a signer for tokens. */
export async function startKeyServer(): Promise<
  Listening & {
    jwksUrl: string;
    sign(claims: { aud: string; expiresIn?: string; iss?: string }): Promise<string>;
  }
> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const listening = await listen((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  return {
    ...listening,
    jwksUrl: `${listening.url}/jwks`,
    sign: (claims) =>
      new SignJWT({ email: 'push@test.iam.gserviceaccount.com' })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setAudience(claims.aud)
        .setIssuer(claims.iss ?? 'https://accounts.google.com')
        .setIssuedAt()
        .setExpirationTime(claims.expiresIn ?? '5m')
        .sign(privateKey),
  };
}

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../../runtime/logger.js';
import { createAdminServer } from './admin/admin-server.js';
import { collectStatus, type EmulatorStatus } from './admin/status.js';
import { createBigQueryRowSink } from './delivery/bigquery-sink.js';
import { startBigQueryWorker, type BigQueryRowSink } from './delivery/bigquery-worker.js';
import { OidcSigner, type IdTokenRequest } from './delivery/oidc-signer.js';
import { startPushWorker } from './delivery/push-worker.js';
import { createRestApp } from './rest/rest-app.js';
import { createGrpcServer, wirePubSubServices } from './server.js';
import { listenShared } from './shared-port.js';
import { Broker } from './storage/broker.js';
import { Journal } from './storage/journal.js';

export type { BigQueryRow, BigQueryRowSink, BigQueryTableRef } from './delivery/bigquery-worker.js';
export type { EmulatorStatus } from './admin/status.js';
export { OIDC_ISSUER } from './delivery/oidc-signer.js';
export { createBigQueryRowSink } from './delivery/bigquery-sink.js';

export interface PubSubEmulatorOptions {
  /** gRPC and REST (HTTP/1.1 JSON) port; 0 picks a free one. @default 8085 */
  readonly port?: number;
  /** Admin HTTP port (status, JWKS, token); 0 picks a free one. @default 8086 */
  readonly adminPort?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Keep topics, subscriptions and unacked messages here across restarts. @default memory only */
  readonly dataDir?: string;
  readonly log?: Logger;
  /** Where BigQuery subscriptions write. @default insertAll through @google-cloud/bigquery (BIGQUERY_EMULATOR_HOST) */
  readonly bigQuerySink?: BigQueryRowSink;
  /**
   * Test hook: milliseconds one ack-deadline second lasts (leases and push timeouts only). The real
   * minimum deadline is 10 s; a test sets 100 so that lease lasts 1 s. @default 1000
   */
  readonly ackDeadlineUnitMs?: number;
}

export interface PubSubEmulator {
  /** `host:port`, the value for PUBSUB_EMULATOR_HOST; REST is served there too (`http://host:port/v1/…`). */
  readonly host: string;
  readonly port: number;
  /** `http://host:adminPort` */
  readonly adminUrl: string;
  /** `${adminUrl}/jwks`, the value for PUSH_JWKS_URL. */
  readonly jwksUrl: string;
  /** A Google-style ID token from the emulator's key (what push and the local scheduler send). */
  mintIdToken(request: IdTokenRequest): Promise<string>;
  status(): EmulatorStatus;
  close(): Promise<void>;
}

function listen(server: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the Pub/Sub emulator: `google.pubsub.v1` over gRPC and REST on one port, plus the admin HTTP port. */
export async function startPubSubEmulator(
  options: PubSubEmulatorOptions = {},
): Promise<PubSubEmulator> {
  const log = options.log ?? createLogger({ name: 'pubsub-emulator' });
  const host = options.host ?? '127.0.0.1';
  const signer = await OidcSigner.create(options.dataDir);
  const opened = options.dataDir ? await Journal.open(options.dataDir) : undefined;
  const sink = options.bigQuerySink ?? createBigQueryRowSink();
  const broker = new Broker({
    log,
    journal: opened?.journal,
    ackDeadlineUnitMs: options.ackDeadlineUnitMs,
    startWorker: (b, sub) => {
      if (sub.config.pushConfig?.pushEndpoint) return startPushWorker(b, sub, { signer, log });
      if (sub.config.bigqueryConfig?.table) return startBigQueryWorker(b, sub, { sink, log });
      return undefined;
    },
  });
  if (opened) broker.restore(opened.state);

  // gRPC and REST share the services (handlers bound to this broker) and the port.
  const services = wirePubSubServices(broker);
  const grpcServer = createGrpcServer(broker, services);
  const rest = createServer(createRestApp({ services, log }).callback());
  const shared = await listenShared({ host, port: options.port ?? 8085, grpcServer, http: rest });
  const port = shared.port;
  const admin = createAdminServer({ broker, signer, log });
  const adminPort = await listen(admin, host, options.adminPort ?? 8086);
  const adminUrl = `http://${host}:${adminPort}`;
  log.info({ port, adminUrl, dataDir: options.dataDir ?? null }, 'Pub/Sub emulator listening');

  return {
    host: `${host}:${port}`,
    port,
    adminUrl,
    jwksUrl: `${adminUrl}/jwks`,
    mintIdToken: (request) => signer.mint(request),
    status: () => collectStatus(broker),
    close: async () => {
      broker.close();
      // Keep-alive connections would hold close() open: drop them as it starts.
      const closed = new Promise<void>((resolve) => admin.close(() => resolve()));
      admin.closeAllConnections();
      await closed;
      grpcServer.forceShutdown();
      rest.closeAllConnections();
      await shared.close();
      await opened?.journal.close();
    },
  };
}

/** A token from a running emulator's admin port, for processes that don't hold the emulator object. */
export async function mintIdToken(request: IdTokenRequest & { adminUrl: string }): Promise<string> {
  const res = await fetch(`${request.adminUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ audience: request.audience, email: request.email }),
  });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

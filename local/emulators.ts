import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectHost } from '../services/shared/listen-host.js';
import { createLogger } from '../runtime/logger.js';
import type { BigQueryEmulator } from './bigquery-emulator/index.js';
import { startBigQueryEmulatorThread } from './bigquery-emulator-thread.js';
import { createBigQueryRowSink } from './pubsub-emulator/delivery/bigquery-sink.js';
import { startPubSubEmulator, type PubSubEmulator } from './pubsub-emulator/index.js';

export { connectHost };

export interface EmulatorsOptions {
  /** @default true */
  readonly pubsub?: boolean;
  /** @default true */
  readonly bigquery?: boolean;
  /** @default 8085 */
  readonly pubsubPort?: number;
  /** Status page, JWKS and token endpoint. @default 8086 */
  readonly pubsubAdminPort?: number;
  /** @default 9050 */
  readonly bigqueryPort?: number;
  /**
   * Address every emulator port binds to: `0.0.0.0` (or `::`) to serve other containers or pods.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** Each emulator keeps its state in a sub-folder (`pubsub/`, `bigquery/`). @default memory only */
  readonly dataDir?: string;
  readonly log?: Logger;
}

export interface RunningEmulators {
  readonly pubsub?: PubSubEmulator;
  readonly bigquery?: BigQueryEmulator;
  /** The Pub/Sub emulator's status page, JWKS and token endpoint, at a connectable address. */
  readonly pubsubAdminUrl?: string;
  /** What to export so services and official clients find the emulators. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts the Pub/Sub and BigQuery emulators together. BigQuery subscriptions of the Pub/Sub emulator
 * write into this BigQuery emulator (or into BIGQUERY_EMULATOR_HOST when BigQuery is not started here).
 */
export async function startEmulators(options: EmulatorsOptions = {}): Promise<RunningEmulators> {
  const log = options.log ?? createLogger({ name: 'emulators' });
  const env: Record<string, string> = {};
  const host = options.host ?? '127.0.0.1';
  // A wildcard bind is not an address to connect to: the exported variables (and the Pub/Sub
  // emulator's own BigQuery writes) use loopback, which a wildcard bind also serves.
  const reachable = connectHost(host);
  let bigquery: BigQueryEmulator | undefined;
  let pubsub: PubSubEmulator | undefined;
  try {
    if (options.bigquery !== false) {
      // On its own thread, so DuckDB's synchronous work never holds up Pub/Sub delivery.
      bigquery = await startBigQueryEmulatorThread({
        port: options.bigqueryPort ?? 9050,
        host,
        dataDir: options.dataDir ? join(options.dataDir, 'bigquery') : undefined,
        log: log.child({ emulator: 'bigquery' }),
      });
      env.BIGQUERY_EMULATOR_HOST = `http://${reachable}:${bigquery.port}`;
    }
    if (options.pubsub !== false) {
      const bigQueryUrl = env.BIGQUERY_EMULATOR_HOST ?? process.env.BIGQUERY_EMULATOR_HOST;
      pubsub = await startPubSubEmulator({
        port: options.pubsubPort ?? 8085,
        adminPort: options.pubsubAdminPort ?? 8086,
        host,
        dataDir: options.dataDir ? join(options.dataDir, 'pubsub') : undefined,
        log: log.child({ emulator: 'pubsub' }),
        bigQuerySink: createBigQueryRowSink(bigQueryUrl ? { emulatorHost: bigQueryUrl } : {}),
      });
      env.PUBSUB_EMULATOR_HOST = `${reachable}:${pubsub.port}`;
      env.PUSH_JWKS_URL = `${adminUrl(reachable, pubsub)}/jwks`;
    }
  } catch (error) {
    await pubsub?.close();
    await bigquery?.close();
    throw error;
  }
  return {
    pubsub,
    bigquery,
    env,
    pubsubAdminUrl: pubsub ? adminUrl(reachable, pubsub) : undefined,
    close: async () => {
      await pubsub?.close();
      await bigquery?.close();
    },
  };
}

function adminUrl(reachable: string, pubsub: PubSubEmulator): string {
  // adminUrl is `http://<bind host>:<port>`; only its port carries over.
  return `http://${reachable}:${/:(\d+)$/.exec(pubsub.adminUrl)![1]}`;
}

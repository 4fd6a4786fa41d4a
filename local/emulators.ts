import { join } from 'node:path';
import type { Logger } from 'pino';
import { createLogger } from '../services/shared/logger.js';
import { startBigQueryEmulator, type BigQueryEmulator } from './bigquery-emulator/index.js';
import { createBigQueryRowSink } from './pubsub-emulator/delivery/bigquery-sink.js';
import { startPubSubEmulator, type PubSubEmulator } from './pubsub-emulator/index.js';

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
  /** Each emulator keeps its state in a sub-folder (`pubsub/`, `bigquery/`). @default memory only */
  readonly dataDir?: string;
  readonly log?: Logger;
}

export interface RunningEmulators {
  readonly pubsub?: PubSubEmulator;
  readonly bigquery?: BigQueryEmulator;
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
  let bigquery: BigQueryEmulator | undefined;
  let pubsub: PubSubEmulator | undefined;
  try {
    if (options.bigquery !== false) {
      bigquery = await startBigQueryEmulator({
        port: options.bigqueryPort ?? 9050,
        dataDir: options.dataDir ? join(options.dataDir, 'bigquery') : undefined,
        log: log.child({ emulator: 'bigquery' }),
      });
      env.BIGQUERY_EMULATOR_HOST = bigquery.url;
    }
    if (options.pubsub !== false) {
      const bigQueryUrl = bigquery?.url ?? process.env.BIGQUERY_EMULATOR_HOST;
      pubsub = await startPubSubEmulator({
        port: options.pubsubPort ?? 8085,
        adminPort: options.pubsubAdminPort ?? 8086,
        dataDir: options.dataDir ? join(options.dataDir, 'pubsub') : undefined,
        log: log.child({ emulator: 'pubsub' }),
        bigQuerySink: createBigQueryRowSink(bigQueryUrl ? { emulatorHost: bigQueryUrl } : {}),
      });
      env.PUBSUB_EMULATOR_HOST = pubsub.host;
      env.PUSH_JWKS_URL = pubsub.jwksUrl;
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
    close: async () => {
      await pubsub?.close();
      await bigquery?.close();
    },
  };
}

// Test support for local/dlq: both emulators on ephemeral ports, provisioned by `reconcile` from
// clusters/local exactly as `pmp start` does, and the station-info writer in-process behind the
// push subscription. One change to the rendered config: a 0.1–0.2 s retry backoff on the push
// subscription, so five refused deliveries fit in a test.
import path from 'node:path';
import { createApp as createStationInfoWriter } from '../../../services/station-info-writer/app.js';
import { silentLogger } from '../../../runtime/logger.js';
import { listen, type Listening } from '../../../services/testing/service-fixtures.js';
import { startEmulators, type RunningEmulators } from '../../emulators.js';
import { reconcile } from '../../reconcile/index.js';
import { clientsFor, type StackTarget } from '../../stack/connect.js';
import type { DlqClients } from '../inventory.js';
import { DLQ_NAMES } from '../names.js';

export const PROJECT = 'pmp-local';
const ENV_DIR = path.resolve(import.meta.dirname, '../../../clusters/local');

export interface DlqStack extends DlqClients {
  readonly target: Pick<StackTarget, 'pubsubHost' | 'bigqueryUrl' | 'projectId'>;
  readonly emulators: RunningEmulators;
  close(): Promise<void>;
}

export async function startDlqStack(): Promise<DlqStack> {
  const emulators = await startEmulators({
    pubsubPort: 0,
    pubsubAdminPort: 0,
    bigqueryPort: 0,
    log: silentLogger(),
  });
  const target = {
    pubsubHost: emulators.env.PUBSUB_EMULATOR_HOST!,
    bigqueryUrl: emulators.env.BIGQUERY_EMULATOR_HOST!,
    projectId: PROJECT,
  };
  const { pubsub, bigquery } = clientsFor(target);
  let writer: Listening | undefined;
  try {
    writer = await listen(
      createStationInfoWriter({
        bigquery,
        table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
        dlqTable: { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' },
        log: silentLogger(),
      }).callback(),
    );
    await reconcile({
      dir: ENV_DIR,
      serviceUrls: { 'pmp-velib-station-info-writer': writer.url },
      pubsub,
      bigquery,
    });
    await pubsub.subscription(DLQ_NAMES.pushSubscription).setMetadata({
      retryPolicy: {
        minimumBackoff: { seconds: 0, nanos: 100_000_000 },
        maximumBackoff: { seconds: 0, nanos: 200_000_000 },
      },
    });
  } catch (error) {
    await writer?.close();
    await emulators.close();
    throw error;
  }
  return {
    target,
    emulators,
    pubsub,
    bigquery,
    close: async () => {
      await writer?.close();
      await pubsub.close();
      await emulators.close();
    },
  };
}

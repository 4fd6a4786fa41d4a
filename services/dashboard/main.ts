// Entry point of pmp-dashboard: reads the environment (README.md) and listens on HOST:PORT.
import { BigQuery } from '@google-cloud/bigquery';
import { createLogger } from '../../runtime/logger.js';
import { ConfigError, settingsOrExit } from '../../runtime/config.js';
import { loadDashboardSettings } from './config.js';
import { startDashboard } from './index.js';

const log = createLogger({ name: 'pmp-dashboard' });
const settings = settingsOrExit(log, () => loadDashboardSettings(process.env));
// BIGQUERY_EMULATOR_HOST, when set, points the official client at the emulator.
const bigquery = new BigQuery(settings.PROJECT_ID ? { projectId: settings.PROJECT_ID } : {});
// Without PROJECT_ID the client's own default (credentials, gcloud, the metadata server on Cloud
// Run); with neither, every panel would fail, so the start does, naming the variable.
const found = settings.PROJECT_ID ?? (await bigquery.getProjectId().catch(() => undefined));
const projectId = settingsOrExit(log, () => {
  if (found) return found;
  throw new ConfigError(
    'PROJECT_ID',
    'is required but not set (the client found no default project)',
  );
});
log.info({ martsDataset: settings.MARTS_DATASET, opsDataset: settings.OPS_DATASET }, 'starting');
await startDashboard({
  port: settings.PORT,
  host: settings.HOST,
  projectId,
  bigquery,
  martsDataset: settings.MARTS_DATASET,
  cacheMs: settings.CACHE_SECONDS * 1000,
  log,
  handleSignals: true,
  stackPid: settings.PMP_STACK_PID,
  drainMs: 8_000, // Cloud Run allows 10 s between SIGTERM and SIGKILL
});

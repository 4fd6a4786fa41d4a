// Entry point of pmp-dashboard: reads the environment (README.md) and listens on HOST:PORT.
import { createLogger } from '../../runtime/logger.js';
import { settingsOrExit } from '../../runtime/config.js';
import { loadDashboardSettings } from './config.js';
import { startDashboard } from './index.js';
import { BigQuery } from '@google-cloud/bigquery';

const log = createLogger({ name: 'pmp-dashboard' });
const settings = settingsOrExit(log, () => loadDashboardSettings(process.env));
// BIGQUERY_EMULATOR_HOST, when set, points the official client at the emulator.
const bigquery = new BigQuery(settings.PROJECT_ID ? { projectId: settings.PROJECT_ID } : {});
log.info({ martsDataset: settings.MARTS_DATASET, opsDataset: settings.OPS_DATASET }, 'starting');
await startDashboard({
  port: settings.PORT,
  host: settings.HOST,
  projectId: settings.PROJECT_ID ?? (await bigquery.getProjectId()),
  bigquery,
  martsDataset: settings.MARTS_DATASET,
  cacheMs: settings.CACHE_SECONDS * 1000,
  log,
  handleSignals: true,
  stackPid: settings.PMP_STACK_PID,
  drainMs: 8_000, // Cloud Run allows 10 s between SIGTERM and SIGKILL
});

// Entry point of pmp-data-quality: reads the environment (README.md), queries BigQuery (or the
// emulator when BIGQUERY_EMULATOR_HOST is set), listens on HOST:PORT.
import { BigQuery } from '@google-cloud/bigquery';
import type { Lifecycle } from '../shared/health.js';
import { createLogger } from '../../runtime/logger.js';
import { settingsOrExit } from '../../runtime/config.js';
import { serveMain } from '../shared/serve.js';
import { createApp } from './app.js';
import { readAssertions } from './assertions.js';
import { loadDataQualitySettings } from './config.js';

const log = createLogger({ name: 'pmp-data-quality' });
const settings = settingsOrExit(log, () => loadDataQualitySettings(process.env));
const bigquery = new BigQuery(settings.PROJECT_ID ? { projectId: settings.PROJECT_ID } : {});
// Read once at start: a malformed header stops the service here rather than at the first run.
const assertions = readAssertions();
const lifecycle: Lifecycle = { draining: false };
log.info({ assertions: assertions.length, windowHours: settings.WINDOW_HOURS }, 'starting');
const app = createApp({
  bigquery,
  assertions,
  windowMs: settings.WINDOW_HOURS * 3_600_000,
  auth: { audience: settings.INVOKER_AUDIENCE, jwksUrl: settings.INVOKER_JWKS_URL },
  log,
  lifecycle,
});
await serveMain(app, settings, { log, lifecycle });

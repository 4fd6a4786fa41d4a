// Entry point of pmp-velib-collector / pmp-velib-station-info-collector (same image): reads the
// environment (README.md), publishes through PUBSUB_EMULATOR_HOST when it is set, listens on HOST:PORT.
import { PubSub } from '@google-cloud/pubsub';
import { createLogger } from '../../runtime/logger.js';
import { settingsOrExit } from '../../runtime/config.js';
import { serveMain } from '../shared/serve.js';
import type { Lifecycle } from '../shared/health.js';
import { createApp } from './app.js';
import { collectSettings, loadCollectorSettings } from './config.js';

const log = createLogger({ name: 'pmp-velib-collector' });
const settings = settingsOrExit(log, () => loadCollectorSettings(process.env));
const pubsub = new PubSub(settings.PROJECT_ID ? { projectId: settings.PROJECT_ID } : {});
// One snapshot per request: publish at once rather than waiting to fill a batch.
const topic = pubsub.topic(settings.TOPIC_ID, { batching: { maxMessages: 1 } });
const lifecycle: Lifecycle = { draining: false };
log.info(
  { topic: settings.TOPIC_ID, feedUrl: settings.FEED_URL, eventType: settings.EVENT_TYPE },
  'starting',
);
const auth = { audience: settings.INVOKER_AUDIENCE, jwksUrl: settings.INVOKER_JWKS_URL };
const app = createApp({ topic, settings: collectSettings(settings), auth, log, lifecycle });
await serveMain(app, settings, {
  log,
  lifecycle,
  onClose: async () => {
    await topic.flush();
    await pubsub.close();
  },
});

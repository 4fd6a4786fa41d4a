// Entry point of pmp-velib-station-info-writer: reads the environment (README.md), listens on PORT.
import { startWriter } from '../shared/writer-main.js';
import { WRITER_NAME, createApp } from './app.js';

await startWriter(
  WRITER_NAME,
  { BQ_DATASET: 'pmp_curated', BQ_TABLE: 'velib_station_information' },
  ({ settings, bigquery, table, dlqTable, auth, log, lifecycle }) =>
    createApp({
      bigquery,
      table,
      dlqTable,
      auth,
      log,
      lifecycle,
      dlqTestEnabled: settings.DLQ_TEST_ENABLED,
    }),
);

// Entry point of pmp-bq-writer: reads the environment (README.md) and listens on PORT.
import { startWriter } from '../shared/writer-main.js';
import { WRITER_NAME, createApp } from './app.js';

await startWriter(
  WRITER_NAME,
  { BQ_DATASET: 'pmp_raw', BQ_TABLE: 'velib_station_status_raw' },
  ({ bigquery, table, dlqTable, auth, log, lifecycle }) =>
    createApp({ bigquery, table, dlqTable, auth, log, lifecycle }),
);

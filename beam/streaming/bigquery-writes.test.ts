import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curatedDlqTable,
  stationStatusCuratedTable,
  type CuratedStatusRow,
} from '../../core/index.js';
import type { BigQueryEmulator } from '../../local/bigquery-emulator/index.js';
import {
  recordInsertAllRequests,
  startWithClient,
} from '../../local/bigquery-emulator/testing/client.js';
import { insertCuratedRows, insertDlqRecords } from './bigquery-writes.js';
import type { KeyedRow } from '../transform/curated-elements.js';

const row = (stationId: string, bikes: number | null): KeyedRow => ({
  insertId: `m-7:${stationId}`,
  value: {
    ingest_ts: '2025-10-18T09:10:00Z',
    event_ts: '2025-10-18T09:09:16Z',
    station_id: stationId,
    station_code: '16107',
    is_installed: 1,
    is_renting: 1,
    is_returning: 1,
    last_reported_ts: '2025-10-18T08:31:34Z',
    num_bikes_available: bikes,
    num_docks_available: 30,
    mechanical_available: 1,
    ebike_available: 4,
    raw_station_json: '{}',
  } satisfies CuratedStatusRow,
});

describe('insertAll write stage against the BigQuery emulator', () => {
  let emulator: BigQueryEmulator;
  let bigquery: BigQuery;

  beforeAll(async () => {
    ({ emulator, bigquery } = await startWithClient({}, 'pmp-local'));
    await bigquery.dataset('pmp_curated').create();
    await bigquery.dataset('pmp_ops').create();
    // A stricter copy of the curated table: num_bikes_available REQUIRED, so a null is rejected.
    const strict = stationStatusCuratedTable.fields.map((f) =>
      f.name === 'num_bikes_available' ? { ...f, mode: 'REQUIRED' } : { ...f },
    );
    await bigquery
      .dataset('pmp_curated')
      .table('strict_status')
      .create({ schema: { fields: strict } });
    await bigquery
      .dataset('pmp_ops')
      .table(curatedDlqTable.tableId)
      .create({ schema: { fields: curatedDlqTable.fields.map((f) => ({ ...f })) } });
  });

  afterAll(async () => emulator?.close());

  it('inserts the good rows and turns each rejected row into a bq_insert_curated record', async () => {
    const table = bigquery.dataset('pmp_curated').table('strict_status');
    const result = await insertCuratedRows(table, [row('1', 5), row('2', null), row('3', 7)], {
      destination: 'pmp_curated.strict_status',
      now: () => new Date('2025-10-18T09:11:00Z'),
      chunkRows: 2,
    });
    expect(result.inserted).toBe(2);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure!.insertId).toBe('m-7:bq_insert_curated:2');
    expect(failure!.value).toMatchObject({ stage: 'bq_insert_curated', raw: null });
    expect(JSON.parse(failure!.value.row_json!)).toEqual(row('2', null).value);
    expect(failure!.value.bq_errors).toMatch(/num_bikes_available|required|invalid/i);
    expect(JSON.parse(failure!.value.event_meta!)).toEqual({
      message_id: 'm-7',
      destination: 'pmp_curated.strict_status',
    });
    const [stored] = await table.getRows();
    expect(stored.map((r) => r.station_id).sort()).toEqual(['1', '3']);

    // The DLQ record itself is written; writing it twice (a redelivery) keeps one.
    const dlq = bigquery.dataset('pmp_ops').table(curatedDlqTable.tableId);
    await insertDlqRecords(dlq, result.failures);
    await insertDlqRecords(dlq, result.failures);
    const [dlqRows] = await dlq.getRows();
    expect(dlqRows).toHaveLength(1);
  });

  it('sends each chunk once: the client resends no rejected row', async () => {
    const table = bigquery.dataset('pmp_curated').table('strict_status');
    const sent = recordInsertAllRequests(bigquery);
    try {
      const result = await insertCuratedRows(table, [row('4', 1), row('5', null)], {
        destination: 'pmp_curated.strict_status',
        now: () => new Date(),
      });
      expect(result).toMatchObject({
        inserted: 1,
        failures: [{ insertId: 'm-7:bq_insert_curated:5' }],
      });
      expect(sent.requests.map((request) => request.map((r) => r.insertId))).toEqual([
        ['m-7:4', 'm-7:5'],
      ]);
    } finally {
      sent.stop();
    }
  });

  it('throws (so the batch is nacked) when the table is missing', async () => {
    const missing = bigquery.dataset('pmp_curated').table('nope');
    await expect(
      insertCuratedRows(missing, [row('1', 1)], { destination: 'x', now: () => new Date() }),
    ).rejects.toThrow();
  });
});

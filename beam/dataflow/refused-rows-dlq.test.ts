import { describe, expect, it } from 'vitest';
import { RefusedRowToDlqDoFn } from './refused-rows-dlq.js';

describe('rows BigQuery refused on Dataflow become DLQ records', () => {
  const refuse = new RefusedRowToDlqDoFn('pmp-dev-paris:pmp_curated.velib_station_status');
  const row = {
    station_id: '213688169',
    event_ts: '2025-10-18T09:09:16Z',
    num_bikes_available: -1,
  };

  it('keeps the row, the error and the table, as the local runner does with insertAll refusals', () => {
    const [record] = refuse.process({ failed_row: row, error_message: 'Field value out of range' });
    expect(record).toMatchObject({
      stage: 'bq_insert_curated',
      error_type: 'BigQueryInsertError',
      error_message: 'Field value out of range',
      raw: null,
    });
    expect(JSON.parse(record!.row_json!)).toEqual(row);
    expect(JSON.parse(record!.bq_errors!)).toEqual([{ message: 'Field value out of range' }]);
    expect(JSON.parse(record!.event_meta!)).toEqual({
      destination: 'pmp-dev-paris:pmp_curated.velib_station_status',
    });
  });

  it('says so when BigQuery gave no message, instead of an empty error', () => {
    const [record] = refuse.process({ failed_row: row, error_message: null });
    expect(record!.error_message).toBe('refused by BigQuery (no message)');
  });
});

import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writerDlqTable } from '../../core/index.js';
import type { BigQueryEmulator } from '../../local/bigquery-emulator/index.js';
import {
  recordInsertAllRequests,
  startWithClient,
} from '../../local/bigquery-emulator/testing/client.js';
import { listen, postJson, pushBody } from '../testing/service-fixtures.js';
import { createBaseApp } from './app-base.js';
import { silentLogger } from '../../runtime/logger.js';
import { pushWriterRoutes } from './push-writer.js';
import {
  RejectedRowsError,
  TransientWarehouseError,
  insertRows,
  type KeyedRow,
} from './warehouse-insert.js';

/*
 * insertRows through the official client against the BigQuery emulator: the rows go out as
 * insertAllRow objects, and a partial failure must still name the very rows that were rejected.
 */

interface StrictRow {
  id: string;
  /** REQUIRED in the table: null is rejected by BigQuery. */
  n: number | null;
  note?: string | null;
}

const STRICT = { datasetId: 'w', tableId: 'strict' };
const DLQ = { datasetId: 'w', tableId: writerDlqTable.tableId };

describe('insertRows against the BigQuery emulator', () => {
  let emulator: BigQueryEmulator;
  let bigquery: BigQuery;

  beforeAll(async () => {
    ({ emulator, bigquery } = await startWithClient({}, 'pmp-local'));
    const [dataset] = await bigquery.dataset(STRICT.datasetId).create();
    await dataset.table(STRICT.tableId).create({
      schema: {
        fields: [
          { name: 'id', type: 'STRING', mode: 'REQUIRED' },
          { name: 'n', type: 'INTEGER', mode: 'REQUIRED' },
          { name: 'note', type: 'STRING', mode: 'NULLABLE' },
        ],
      },
    });
    await dataset
      .table(DLQ.tableId)
      .create({ schema: { fields: writerDlqTable.fields.map((f) => ({ ...f })) } });
  });

  afterAll(async () => emulator?.close());

  async function stored(): Promise<StrictRow[]> {
    const [rows] = await bigquery.dataset(STRICT.datasetId).table(STRICT.tableId).getRows();
    return (rows as StrictRow[]).map((r) => ({ id: r.id, n: Number(r.n), note: r.note ?? null }));
  }

  const keyed = (id: string, n: number | null, note?: string): KeyedRow<StrictRow> => ({
    insertId: `i-${id}`,
    row: { id, n, note: note ?? null },
  });

  it('stores the rows as given, text untouched (no {{projectId}} substitution), once per insertId', async () => {
    const rows = [keyed('a', 1, 'see {{projectId}} and "{}"'), keyed('b', 2)];
    await insertRows(bigquery, STRICT, rows);
    await insertRows(bigquery, STRICT, rows); // a redelivery
    const found = (await stored()).filter((r) => r.id === 'a' || r.id === 'b');
    expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'a', n: 1, note: 'see {{projectId}} and "{}"' },
      { id: 'b', n: 2, note: null },
    ]);
  });

  it('maps a partial failure back to the rejected rows, and still inserts the others', async () => {
    const rows = [keyed('c', 3), keyed('d', null), keyed('e', 5), keyed('f', null)];
    const error = await insertRows(bigquery, STRICT, rows).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RejectedRowsError);
    const rejected = (error as RejectedRowsError<StrictRow>).rejected;
    // The caller's own KeyedRow objects, found again through the client's PartialFailureError.
    expect(rejected.map((r) => r.row)).toEqual([rows[1], rows[3]]);
    expect(rejected[0]!.row).toBe(rows[1]);
    expect(rejected.every((r) => r.errors.some((d) => d.reason === 'invalid'))).toBe(true);
    expect((error as Error).message).toMatch(/^2 row\(s\) rejected by BigQuery: invalid/);
    const ids = (await stored()).map((r) => r.id);
    expect(ids.filter((id) => ['c', 'd', 'e', 'f'].includes(id)).sort()).toEqual(['c', 'e']);
  });

  it('sends one request, then one for the good rows alone: the client retries no rejected row', async () => {
    const sent = recordInsertAllRequests(bigquery);
    try {
      const rows = [keyed('h', 1), keyed('i', null), keyed('j', 3)];
      await expect(insertRows(bigquery, STRICT, rows)).rejects.toBeInstanceOf(RejectedRowsError);
      expect(sent.requests.map((request) => request.map((r) => r.insertId))).toEqual([
        ['i-h', 'i-i', 'i-j'],
        ['i-h', 'i-j'],
      ]);
    } finally {
      sent.stop();
    }
  });

  it('a missing table is a transient failure (retry later), not a rejection', async () => {
    await expect(
      insertRows(bigquery, { datasetId: 'w', tableId: 'absent' }, [keyed('g', 1)]),
    ).rejects.toBeInstanceOf(TransientWarehouseError);
  });

  it('a push writer dead-letters a message whose rows BigQuery rejects, keeping its good rows', async () => {
    const app = createBaseApp(silentLogger(), { draining: false });
    const routes = pushWriterRoutes<StrictRow>({
      writer: 'strict-writer',
      bigquery,
      table: STRICT,
      dlqTable: DLQ,
      toRows: (text, message) => ({
        rows: (JSON.parse(text) as StrictRow[]).map((row) => ({
          insertId: `${message.messageId}:${row.id}`,
          row,
        })),
      }),
    });
    app.use(routes.routes());
    const server = await listen(app.callback());
    try {
      const text = JSON.stringify([
        { id: 'h', n: 8 },
        { id: 'i', n: null },
      ]);
      const response = await postJson(
        `${server.url}/pubsub`,
        pushBody({ messageId: 'rej-1', text }),
      );
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        messageId: 'rej-1',
        status: 'dead_lettered',
        errorType: 'bq_rows_rejected',
      });
      const [dlq] = await bigquery.dataset(DLQ.datasetId).table(DLQ.tableId).getRows();
      const record = dlq.find((r) => r.message_id === 'rej-1');
      expect(record).toMatchObject({ writer: 'strict-writer', error_type: 'bq_rows_rejected' });
      expect(record!.error_message).toContain('"insertId":"rej-1:i"');
      expect(record!.error_message).not.toContain('rej-1:h');
      const ids = (await stored()).map((r) => r.id);
      expect(ids).toContain('h');
      expect(ids).not.toContain('i');
    } finally {
      await server.close();
    }
  });
});

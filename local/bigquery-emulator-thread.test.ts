import { createServer } from 'node:net';
import { BigQuery } from '@google-cloud/bigquery';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBigQueryEmulatorThread } from './bigquery-emulator-thread.js';

describe('BigQuery emulator on its own thread', () => {
  it('serves the official client and logs through the parent', async () => {
    const records: { msg?: string }[] = [];
    const log = pino(
      { level: 'debug' },
      { write: (line: string) => records.push(JSON.parse(line) as { msg?: string }) },
    );
    const emulator = await startBigQueryEmulatorThread({ port: 0, log });
    try {
      const bigquery = new BigQuery({ projectId: 'pmp-local', apiEndpoint: emulator.url });
      await bigquery.createDataset('threaded');
      const [rows] = await bigquery.query('SELECT 40 + 2 AS answer');
      expect(rows).toEqual([{ answer: 42 }]);
      expect(records.length).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
    await emulator.close(); // idempotent
  });

  it('fails to start with the reason when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startBigQueryEmulatorThread({ port })).rejects.toThrow(/EADDRINUSE|in use/);
    } finally {
      blocker.close();
    }
  });
});

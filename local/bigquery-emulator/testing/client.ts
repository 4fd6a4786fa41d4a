import type { BigQuery, TableField } from '@google-cloud/bigquery';
import type { FieldSchema } from '../../../core/warehouse/index.js';
import { silentLogger } from '../../../services/shared/logger.js';
import { emulatorClient } from '../../../sql/testing/warehouse.js';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
  type BigQueryEmulatorOptions,
} from '../index.js';

/**
 * Starts an emulator on a free port and builds the official client the way services do: from
 * BIGQUERY_EMULATOR_HOST alone (restored afterwards, the variable is read by the constructor).
 */
export async function startWithClient(
  options: Partial<BigQueryEmulatorOptions> = {},
  projectId = 'test-project',
): Promise<{ emulator: BigQueryEmulator; bigquery: BigQuery }> {
  const emulator = await startBigQueryEmulator({ port: 0, log: silentLogger(), ...options });
  return { emulator, bigquery: emulatorClient(emulator.url, projectId) };
}

/** A warehouse schema (readonly, from core/warehouse) as the mutable field list the client types want. */
export function clientFields(fields: readonly FieldSchema[]): TableField[] {
  return JSON.parse(JSON.stringify(fields)) as TableField[];
}

/**
 * The rows of every insertAll request the client makes from now on, its own partial retries
 * included, recorded by a request interceptor (the client's hook, so the emulator stays real).
 */
export function recordInsertAllRequests(
  client: BigQuery,
): { insertId?: string }[][] & { stop(): void } {
  const sent = [] as unknown as { insertId?: string }[][] & { stop(): void };
  const interceptor = {
    request: <O extends { uri: string; json?: { rows?: { insertId?: string }[] } }>(options: O) => {
      if (options.uri.endsWith('/insertAll')) sent.push(options.json?.rows ?? []);
      return options;
    },
  };
  client.interceptors.push(interceptor as unknown as (typeof client.interceptors)[number]);
  sent.stop = () => {
    client.interceptors.splice(client.interceptors.indexOf(interceptor as never), 1);
  };
  return sent;
}
